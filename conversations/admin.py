"""API client keys for staff (djangorestframework-api-key's admin, in Spanish).

The conversation screens (transcripts, staff replies, exports) span apps and live in the back
office (``backoffice/admin/conversations.py``).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils import timezone
from rest_framework_api_key.admin import APIKeyModelAdmin
from rest_framework_api_key.models import APIKey

from conversations.models import ApiClientKey


# --- API keys (djangorestframework-api-key's admin, in Spanish) -----------------------------------
class ApiClientKeyForm(forms.ModelForm[ApiClientKey]):
    class Meta:
        model = ApiClientKey
        fields = ("name", "expiry_date", "revoked")
        labels = {"name": "Nombre", "expiry_date": "Vence", "revoked": "Revocada"}
        help_texts = {
            "name": "Quién usa la clave (por ejemplo, el nombre de la aplicación cliente).",
            "expiry_date": "Después de esta fecha la clave deja de funcionar.",
            "revoked": "Una clave revocada deja de funcionar para siempre.",
        }


admin.site.unregister(APIKey)


@admin.register(ApiClientKey)
class ApiClientKeyAdmin(APIKeyModelAdmin):
    form = ApiClientKeyForm
    # rest_framework_api_key types these as its own tuples (six columns, one filter).
    list_display = (  # type: ignore[assignment]
        "prefix_label", "name_label", "created_label", "expires_label", "state",
    )  # fmt: skip
    list_filter = (("created", admin.DateFieldListFilter),)  # type: ignore[assignment]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        labels = {
            "prefix": "prefix_label",
            "name": "name_label",
            "revoked": "state",
            "expiry_date": "expires_label",
        }
        return tuple(labels.get(f, f) for f in super().get_readonly_fields(request, obj))

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:  # type: ignore[override]
        readonly = self.get_readonly_fields(request, obj)
        editable = [
            f for f in ("name", "expiry_date", "revoked") if not (obj is not None and obj.revoked)
        ]
        return [*readonly, *editable]

    @admin.display(description="prefijo", ordering="prefix")
    def prefix_label(self, obj: APIKey) -> str:
        return obj.prefix

    @admin.display(description="nombre", ordering="name")
    def name_label(self, obj: APIKey) -> str:
        return obj.name

    @admin.display(description="creada", ordering="created")
    def created_label(self, obj: APIKey) -> str:
        return timezone.localtime(obj.created).strftime("%d/%m/%Y %H:%M")

    @admin.display(description="vence", ordering="expiry_date")
    def expires_label(self, obj: APIKey) -> str:
        if obj.expiry_date is None:
            return "Nunca"
        return timezone.localtime(obj.expiry_date).strftime("%d/%m/%Y %H:%M")

    @admin.display(description="estado")
    def state(self, obj: APIKey) -> str:
        if obj.revoked:
            return "Revocada"
        return "Vencida" if obj.has_expired else "Activa"

    def save_model(
        self, request: HttpRequest, obj: Any, form: Any = None, change: bool = False
    ) -> None:
        if obj.pk:
            obj.save()
            return
        key = self.model.objects.assign_key(obj)
        obj.save()
        self.message_user(
            request,
            f"La clave de API para «{obj.name}» es: {key} . Guárdala en un lugar seguro: no se "
            "volverá a mostrar.",
            messages.WARNING,
        )
