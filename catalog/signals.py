"""Cache invalidation only: admin edits of names, aliases or cars refresh the matcher vocabulary.

Imports use bulk operations (no signals) and invalidate explicitly in the service.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from catalog.models import Car, CarModelReference, CatalogAlias
from catalog.selectors import catalog_vocabulary_invalidate


@receiver(post_save, sender=Car, dispatch_uid="catalog_car_saved")
@receiver(post_delete, sender=Car, dispatch_uid="catalog_car_deleted")
@receiver(post_save, sender=CarModelReference, dispatch_uid="catalog_reference_saved")
@receiver(post_delete, sender=CarModelReference, dispatch_uid="catalog_reference_deleted")
@receiver(post_save, sender=CatalogAlias, dispatch_uid="catalog_alias_saved")
@receiver(post_delete, sender=CatalogAlias, dispatch_uid="catalog_alias_deleted")
def _vocabulary_changed(**_: Any) -> None:
    catalog_vocabulary_invalidate()
