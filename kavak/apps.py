from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig


class KavakConfig(AppConfig):
    """Project-level app: management commands, templates and system checks."""

    name = "kavak"
    verbose_name = "Kavak"

    def ready(self) -> None:
        from kavak import checks  # noqa: F401  (registers system checks)


class KavakAdminConfig(AdminConfig):
    """django.contrib.admin whose default site is the back office's (TOTP when required)."""

    default_site = "kavak.admin_site.KavakAdminSite"


class AxesConfig(AxesAppConfig):  # type: ignore[misc]  # django-axes ships no types
    """django-axes, named in Spanish in the back office."""

    verbose_name = "Seguridad de acceso"
