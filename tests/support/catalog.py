"""Catalogue test data: inventory CSVs, and the seed references restored after a truncation."""

from __future__ import annotations

HEADER = "stock_id,km,price,make,model,year,version,bluetooth,largo,ancho,altura,car_play"


def csv_file(*rows: str, header: str = HEADER) -> bytes:
    """An inventory CSV (UTF-8) with the given data rows."""
    return ("\n".join([header, *rows]) + "\n").encode()


def restore_catalog_seeds() -> None:
    """Re-run the catalogue's seed data migration (references and aliases).

    Transactional tests (``transaction=True``) end by truncating every table, migration data
    included; a later transactional test that needs the seeded aliases calls this first.
    """
    import importlib

    from django.apps import apps

    from catalog.selectors import catalog_vocabulary_invalidate

    migration = importlib.import_module("catalog.migrations.0002_seed_references_and_aliases")
    migration.seed(apps, None)
    catalog_vocabulary_invalidate()
