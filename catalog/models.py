"""The catalogue: cars in stock, the make/model reference table, aliases and the import log.

Cars are never deleted (leads point at them by ``stock_id``); a car that leaves stock is marked
``available=False``. ``make_key``/``model_key`` are normalised lookup keys ("Mercedes Benz" →
"mercedesbenz", "CR-V" → "crv") so filters by make/model use a plain index instead of
case/accent-insensitive scans.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from catalog.matching import compact_key


class BodyType(models.TextChoices):
    SEDAN = "sedan", "Sedán"
    HATCHBACK = "hatchback", "Hatchback"
    SUV = "suv", "SUV"
    PICKUP = "pickup", "Pickup"
    MINIVAN = "minivan", "Minivan"
    COUPE = "coupe", "Coupé"
    CONVERTIBLE = "convertible", "Convertible"
    WAGON = "wagon", "Station wagon"
    UNKNOWN = "unknown", "Sin clasificar"


class Transmission(models.TextChoices):
    AUTOMATIC = "automatic", "Automática"
    MANUAL = "manual", "Manual"
    UNKNOWN = "unknown", "Sin dato"


class Car(models.Model):
    """One car in stock, as imported from the inventory CSV (upsert by ``stock_id``)."""

    stock_id = models.CharField("stock id", max_length=32, unique=True)
    make = models.CharField("marca", max_length=60)
    model = models.CharField("modelo", max_length=80)
    year = models.PositiveSmallIntegerField("año")
    version = models.CharField("versión", max_length=200, blank=True)
    price = models.DecimalField("precio (MXN)", max_digits=12, decimal_places=2)
    km = models.PositiveIntegerField("kilometraje")
    bluetooth = models.BooleanField("bluetooth", default=False)
    carplay = models.BooleanField("CarPlay", default=False)
    length_mm = models.PositiveIntegerField("largo (mm)", null=True, blank=True)
    width_mm = models.PositiveIntegerField("ancho (mm)", null=True, blank=True)
    height_mm = models.PositiveIntegerField("alto (mm)", null=True, blank=True)
    body_type = models.CharField(
        "carrocería", max_length=16, choices=BodyType.choices, default=BodyType.UNKNOWN
    )
    transmission = models.CharField(
        "transmisión", max_length=16, choices=Transmission.choices, default=Transmission.UNKNOWN
    )
    seats = models.PositiveSmallIntegerField("pasajeros", null=True, blank=True)
    available = models.BooleanField("disponible", default=True)
    make_key = models.CharField("clave de marca", max_length=60, editable=False, db_index=True)
    model_key = models.CharField("clave de modelo", max_length=80, editable=False)
    created_at = models.DateTimeField("creado", auto_now_add=True)
    updated_at = models.DateTimeField("actualizado", auto_now=True)

    class Meta:
        verbose_name = "auto"
        verbose_name_plural = "autos"
        constraints = [
            models.CheckConstraint(condition=Q(price__gt=0), name="car_price_positive"),
            models.CheckConstraint(
                condition=Q(year__gte=1950) & Q(year__lte=2100), name="car_year_plausible"
            ),
        ]
        # Every recommendation query filters available=True and reads at most a few rows in
        # "newer, fewer km, cheaper" order, so the indexes are partial and already in that order.
        indexes = [
            models.Index(fields=["price"], condition=Q(available=True), name="car_avail_price_idx"),
            models.Index(
                fields=["-year", "km", "price"],
                condition=Q(available=True),
                name="car_avail_rank_idx",
            ),
            models.Index(
                fields=["body_type", "-year", "km", "price"],
                condition=Q(available=True),
                name="car_avail_body_rank_idx",
            ),
            models.Index(
                fields=["body_type", "price"],
                condition=Q(available=True),
                name="car_avail_body_price_idx",
            ),
            models.Index(
                fields=["make_key", "model_key", "-year", "km"],
                condition=Q(available=True),
                name="car_avail_make_model_idx",
            ),
            models.Index(
                fields=["make_key", "-year", "km"],
                condition=Q(available=True),
                name="car_avail_make_rank_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.make} {self.model} {self.year} ({self.stock_id})"

    def clean(self) -> None:
        # Runs in admin forms before constraint validation; imports set the keys themselves.
        self.make_key = compact_key(self.make)
        self.model_key = compact_key(self.model)


class CarModelReference(models.Model):
    """What staff know about a make + model: its body type and seats (used on every import).

    The inventory CSV has no body-type column; an imported car whose make/model has no row here
    gets ``body_type=unknown`` and shows up under that admin filter for staff to fix.
    """

    make = models.CharField("marca", max_length=60)
    model = models.CharField("modelo", max_length=80)
    body_type = models.CharField("carrocería", max_length=16, choices=BodyType.choices)
    seats = models.PositiveSmallIntegerField("pasajeros", default=5)
    default_transmission = models.CharField(
        "transmisión si la versión no la dice",
        max_length=16,
        choices=Transmission.choices,
        default=Transmission.UNKNOWN,
        help_text="Solo para modelos que se vendieron con una sola transmisión en México.",
    )
    make_key = models.CharField("clave de marca", max_length=60, editable=False)
    model_key = models.CharField("clave de modelo", max_length=80, editable=False)
    updated_at = models.DateTimeField("actualizado", auto_now=True)

    class Meta:
        verbose_name = "referencia de modelo"
        verbose_name_plural = "referencias de modelos"
        ordering = ["make", "model"]
        constraints = [
            models.UniqueConstraint(
                fields=["make_key", "model_key"],
                name="catalog_reference_unique_make_model",
                violation_error_message="Ya existe una referencia para esa marca y modelo.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.make} {self.model}"

    def clean(self) -> None:
        # The keys are not form fields, so ModelForm skips the unique constraint: check here.
        self.make_key = compact_key(self.make)
        self.model_key = compact_key(self.model)
        twins = CarModelReference.objects.filter(make_key=self.make_key, model_key=self.model_key)
        if twins.exclude(pk=self.pk).exists():
            raise ValidationError("Ya existe una referencia para esa marca y modelo.")


class CatalogAlias(models.Model):
    """Another way customers write a make or a model ("VW", "Chevy", "jeta", "bocho").

    With ``model`` blank the alias names a make; otherwise it names that make's model. Aliases
    match exactly (after removing accents, case and spacing), even when they are short.
    """

    alias = models.CharField("alias", max_length=60)
    make = models.CharField("marca", max_length=60)
    model = models.CharField("modelo", max_length=80, blank=True)
    alias_key = models.CharField("clave", max_length=60, editable=False, unique=True)
    updated_at = models.DateTimeField("actualizado", auto_now=True)

    class Meta:
        verbose_name = "alias"
        verbose_name_plural = "alias de marcas y modelos"
        ordering = ["make", "model", "alias"]

    def __str__(self) -> str:
        target = f"{self.make} {self.model}".strip()
        return f"{self.alias} → {target}"

    def clean(self) -> None:
        self.alias_key = compact_key(self.alias)
        if CatalogAlias.objects.filter(alias_key=self.alias_key).exclude(pk=self.pk).exists():
            raise ValidationError(
                {"alias": "Ese alias ya existe (sin contar acentos ni espacios)."}
            )


class CatalogImport(models.Model):
    """One applied import of an inventory file (dry runs are not recorded)."""

    class Source(models.TextChoices):
        COMMAND = "command", "Comando"
        ADMIN = "admin", "Admin"
        DEMO = "demo", "Catálogo de demostración"

    source = models.CharField("origen", max_length=16, choices=Source.choices)
    filename = models.CharField("archivo", max_length=255, blank=True)
    sha256 = models.CharField("sha256", max_length=64, db_index=True)
    replace = models.BooleanField("reemplazo completo", default=False)
    rows = models.PositiveIntegerField("filas", default=0)
    created = models.PositiveIntegerField("nuevos", default=0)
    updated = models.PositiveIntegerField("actualizados", default=0)
    unchanged = models.PositiveIntegerField("sin cambios", default=0)
    deactivated = models.PositiveIntegerField("marcados no disponibles", default=0)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="usuario",
    )
    created_at = models.DateTimeField("fecha", auto_now_add=True)

    class Meta:
        verbose_name = "importación"
        verbose_name_plural = "importaciones"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_source_display()} · {self.filename or self.sha256[:8]}"
