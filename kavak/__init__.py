import django_stubs_ext

from kavak.celery import app as celery_app

# Django's generic classes (ModelAdmin[Lead], ModelForm[Lead]...) are generic in the type stubs
# only: this lets the code subscript them at run time too, as mypy's strict mode asks. Here,
# because every process imports this package (its settings live in it) before any admin module.
django_stubs_ext.monkeypatch()

__all__ = ("celery_app",)
