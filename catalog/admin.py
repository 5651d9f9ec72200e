"""Admin for content staff: cars, the make/model reference table, aliases and the CSV upload.

Thin on purpose: every write beyond a plain field edit goes through ``catalog.services``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path

from catalog.models import Car, CarModelReference, CatalogAlias, CatalogImport
from catalog.services import (
    car_model_reference_apply,
    car_reclassify,
    car_set_available,
    catalog_import_csv,
)
from kavak.admin import ViewOnlyAdmin

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


class PriceRangeFilter(admin.SimpleListFilter):
    title = "rango de precio"
    parameter_name = "precio"
    RANGES = {
        "hasta-200k": ("Hasta $200,000", None, Decimal(200_000)),
        "200k-300k": ("$200,000 a $300,000", Decimal(200_000), Decimal(300_000)),
        "300k-500k": ("$300,000 a $500,000", Decimal(300_000), Decimal(500_000)),
        "mas-500k": ("Más de $500,000", Decimal(500_000), None),
    }

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(value, label) for value, (label, _, _) in self.RANGES.items()]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Car]) -> QuerySet[Car]:
        chosen = self.RANGES.get(self.value() or "")
        if chosen is None:
            return queryset
        _, low, high = chosen
        if low is not None:
            queryset = queryset.filter(price__gt=low)
        if high is not None:
            queryset = queryset.filter(price__lte=high)
        return queryset


class CatalogUploadForm(forms.Form):
    file = forms.FileField(
        label="Archivo CSV",
        help_text="Columnas: stock_id,km,price,make,model,year,version,bluetooth,largo,ancho,"
        "altura,car_play (UTF-8).",
    )
    dry_run = forms.BooleanField(
        label="Solo simular (no guarda nada)", required=False, initial=True
    )
    replace = forms.BooleanField(
        label="Reemplazo completo: los autos que no vienen en el archivo quedan no disponibles",
        required=False,
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("El archivo pesa más de 20 MB.")
        return upload


@admin.register(Car)
class CarAdmin(admin.ModelAdmin[Car]):
    change_list_template = "admin/catalog/car/change_list.html"
    list_display = (
        "stock_id", "make", "model", "year", "version", "price_mxn", "km", "body_type",
        "transmission", "available",
    )  # fmt: skip
    list_filter = (
        "available",
        "body_type",
        "transmission",
        "make",
        "year",
        PriceRangeFilter,
    )
    search_fields = ("=stock_id", "make", "model")
    ordering = ("make", "model", "-year")
    readonly_fields = ("created_at", "updated_at")
    list_per_page = 50
    show_full_result_count = False
    actions = ("mark_unavailable", "mark_available", "reclassify")
    fieldsets = (
        (None, {"fields": ("stock_id", "make", "model", "year", "version", "available")}),
        ("Precio y uso", {"fields": ("price", "km")}),
        ("Clasificación", {"fields": ("body_type", "transmission", "seats")}),
        (
            "Equipo y medidas",
            {"fields": ("bluetooth", "carplay", "length_mm", "width_mm", "height_mm")},
        ),
        ("Registro", {"fields": ("created_at", "updated_at")}),
    )

    @admin.display(description="precio", ordering="price")
    def price_mxn(self, car: Car) -> str:
        return f"${car.price:,.0f}"

    def has_delete_permission(self, request: HttpRequest, obj: Car | None = None) -> bool:
        return False  # leads point at cars: they are marked unavailable, never deleted

    @admin.action(description="Marcar como no disponibles", permissions=["change"])
    def mark_unavailable(self, request: HttpRequest, queryset: QuerySet[Car]) -> None:
        count = car_set_available(cars=queryset, available=False)
        self.message_user(request, f"{count} autos marcados como no disponibles.")

    @admin.action(description="Marcar como disponibles", permissions=["change"])
    def mark_available(self, request: HttpRequest, queryset: QuerySet[Car]) -> None:
        count = car_set_available(cars=queryset, available=True)
        self.message_user(request, f"{count} autos marcados como disponibles.")

    @admin.action(
        description="Recalcular carrocería y transmisión (tabla de referencia)",
        permissions=["change"],
    )
    def reclassify(self, request: HttpRequest, queryset: QuerySet[Car]) -> None:
        count = car_reclassify(cars=queryset)
        self.message_user(request, f"{count} autos reclasificados.")

    def get_urls(self) -> list[URLPattern]:
        upload = path(
            "importar/",
            self.admin_site.admin_view(self.import_view),
            name="catalog_car_import",
        )
        return [upload, *super().get_urls()]

    def import_view(self, request: HttpRequest) -> HttpResponse:
        """Upload an inventory CSV: the same import and report as ``manage.py import_catalog``."""
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            raise PermissionDenied
        form = CatalogUploadForm(request.POST or None, request.FILES or None)
        report = None
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            report = catalog_import_csv(
                file=upload,
                dry_run=form.cleaned_data["dry_run"],
                replace=form.cleaned_data["replace"],
                source=CatalogImport.Source.ADMIN,
                filename=upload.name,
                user=request.user,
            )
            level = messages.SUCCESS if report.ok else messages.ERROR
            self.message_user(request, report.lines()[0], level=level)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Importar inventario (CSV)",
            "form": form,
            "report": report,
        }
        return TemplateResponse(request, "admin/catalog/car/import.html", context)


@admin.register(CarModelReference)
class CarModelReferenceAdmin(admin.ModelAdmin[CarModelReference]):
    list_display = ("make", "model", "body_type", "seats", "default_transmission")
    list_editable = ("body_type", "seats", "default_transmission")
    list_filter = ("body_type", "make")
    search_fields = ("make", "model")
    ordering = ("make", "model")

    def save_model(
        self, request: HttpRequest, obj: CarModelReference, form: Any, change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        count = car_model_reference_apply(reference=obj)
        if count:
            self.message_user(request, f"{obj}: {count} autos reclasificados.")


@admin.register(CatalogAlias)
class CatalogAliasAdmin(admin.ModelAdmin[CatalogAlias]):
    list_display = ("alias", "make", "model")
    list_filter = ("make",)
    search_fields = ("alias", "make", "model")


@admin.register(CatalogImport)
class CatalogImportAdmin(ViewOnlyAdmin):  # an audit trail of imports
    list_display = (
        "created_at", "source", "filename", "rows", "created", "updated", "unchanged",
        "deactivated", "replace", "user",
    )  # fmt: skip
    list_filter = ("source", "replace")
    date_hierarchy = "created_at"
