"""Users and groups in Spanish: permissions read "Puede ver lead", not "Can view lead".

Django stores default permission names in English ("Can add …") when it creates them; the forms
that list them (groups and users) show a Spanish label built from the codename and the model's
(Spanish) verbose name instead.
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, Permission, User
from django.db.models import ManyToManyField
from django.forms import ModelMultipleChoiceField
from django.http import HttpRequest


class ViewOnlyAdmin(admin.ModelAdmin[Any]):
    """An admin entry staff may only look at: a page (dashboard, agenda) or an audit trail."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


_VERBS = {"add": "agregar", "change": "cambiar", "delete": "eliminar", "view": "ver"}
# Third-party names that no translation catalogue covers (plain strings in their code).
_APP_NAMES = {"rest_framework_api_key": "Claves de API"}
_MODEL_NAMES = {("rest_framework_api_key", "apikey"): "clave de API"}


def permission_label(permission: Permission) -> str:
    """``Leads | lead | Puede ver lead`` for ``leads.view_lead``."""
    content_type = permission.content_type
    model = content_type.model_class()
    app = content_type.app_label
    verbose = content_type.model
    if model is not None:
        verbose = str(model._meta.verbose_name)
        app = str(model._meta.app_config.verbose_name)
    app = _APP_NAMES.get(content_type.app_label, app)
    verbose = _MODEL_NAMES.get((content_type.app_label, content_type.model), verbose)
    verb, _, rest = permission.codename.partition("_")
    name = permission.name
    if verb in _VERBS and rest == content_type.model:
        name = f"Puede {_VERBS[verb]} {verbose}"
    return f"{app} | {verbose} | {name}"


class _SpanishPermissions:
    def formfield_for_manytomany(
        self, db_field: ManyToManyField[Any, Any], request: HttpRequest | None = None, **kwargs: Any
    ) -> ModelMultipleChoiceField[Any] | None:
        field: ModelMultipleChoiceField[Any] | None = super().formfield_for_manytomany(  # type: ignore[misc]
            db_field, request, **kwargs
        )
        if db_field.name in ("permissions", "user_permissions") and field is not None:
            # Django's documented hook: the field's label_from_instance, replaced per instance.
            field.label_from_instance = permission_label  # type: ignore[method-assign,assignment]
        return field


admin.site.unregister(Group)
admin.site.unregister(User)


@admin.register(Group)
class SpanishGroupAdmin(_SpanishPermissions, GroupAdmin):
    pass


@admin.register(User)
class SpanishUserAdmin(_SpanishPermissions, UserAdmin[User]):
    pass


# --- django-axes: its labels come from our catalogue; these two columns have no label ------------
def _spanish_axes_admin() -> None:
    from axes.admin import AccessAttemptAdmin
    from axes.models import AccessAttempt

    if not admin.site.is_registered(AccessAttempt):
        return

    class SpanishAccessAttemptAdmin(AccessAttemptAdmin):  # type: ignore[misc]  # axes: untyped
        @admin.display(description="estado")
        def status(self, obj: AccessAttempt) -> str:
            return cast(str, super().status(obj))

        @admin.display(description="vence")
        def expiration(self, obj: AccessAttempt) -> Any:
            return super().expiration(obj)

    admin.site.unregister(AccessAttempt)
    admin.site.register(AccessAttempt, SpanishAccessAttemptAdmin)


_spanish_axes_admin()


# --- django-otp: its models and admin have no Spanish labels -----------------------------------
_TOTP_LABELS = {
    "user": "usuario",
    "name": "nombre",
    "confirmed": "confirmado",
    "created_at": "creado",
    "last_used_at": "último uso",
    "key": "clave",
    "step": "intervalo (s)",
    "t0": "época (t0)",
    "digits": "dígitos",
    "tolerance": "tolerancia",
    "drift": "desfase",
    "last_t": "último t",
    "throttling_failure_timestamp": "último fallo",
    "throttling_failure_count": "fallos seguidos",
}


_TOTP_SECTIONS = {
    "Identity": "Identidad",
    "Configuration": "Configuración",
    "State": "Estado",
    "Throttling": "Bloqueo por intentos",
    "Timestamps": "Fechas",
}


def _spanish_totp_admin() -> None:
    from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if not admin.site.is_registered(TOTPDevice):
        return

    # Labels only in the admin: the model's own field labels are part of its migrations.
    class SpanishTOTPDeviceAdmin(TOTPDeviceAdmin):  # type: ignore[misc]  # django-otp: untyped
        search_help_text = "Nombre de usuario o correo del miembro del staff."
        list_display = ("usuario", "nombre", "creado", "ultimo_uso", "confirmado")

        @admin.display(description="usuario", ordering="user")
        def usuario(self, device: TOTPDevice) -> Any:
            return device.user

        @admin.display(description="nombre", ordering="name")
        def nombre(self, device: TOTPDevice) -> str:
            return cast(str, device.name)

        @admin.display(description="creado", ordering="created_at")
        def creado(self, device: TOTPDevice) -> Any:
            return device.created_at or "—"

        @admin.display(description="último uso", ordering="last_used_at")
        def ultimo_uso(self, device: TOTPDevice) -> Any:
            return device.last_used_at or "—"

        @admin.display(description="confirmado", boolean=True, ordering="confirmed")
        def confirmado(self, device: TOTPDevice) -> bool:
            return cast(bool, device.confirmed)

        def get_form(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
            form = super().get_form(request, obj, **kwargs)
            for name, field in form.base_fields.items():
                if name in _TOTP_LABELS:
                    field.label = _TOTP_LABELS[name].capitalize()
                    field.help_text = ""
            return form

        def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
            spanish = {"created_at": "creado", "last_used_at": "ultimo_uso"}
            return [
                (
                    _TOTP_SECTIONS.get(str(title), title),
                    {
                        **options,
                        "fields": [spanish.get(f, f) for f in options.get("fields", ())],
                    },
                )
                for title, options in super().get_fieldsets(request, obj)
            ]

        def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
            spanish = {"created_at": "creado", "last_used_at": "ultimo_uso"}
            fields = super().get_readonly_fields(request, obj)
            return [spanish.get(f, f) for f in fields]

        @admin.display(description="código QR")
        def qrcode_link(self, device: TOTPDevice) -> Any:
            return super().qrcode_link(device)

    admin.site.unregister(TOTPDevice)
    admin.site.register(TOTPDevice, SpanishTOTPDeviceAdmin)


_spanish_totp_admin()
