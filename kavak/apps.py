from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig


class KavakConfig(AppConfig):
    """Project-level app: management commands, templates and system checks."""

    name = "kavak"
    verbose_name = "Kavak"

    def ready(self) -> None:
        from kavak import checks  # noqa: F401  (registers system checks)


class AxesConfig(AxesAppConfig):
    """django-axes, named in Spanish in the back office."""

    verbose_name = "Seguridad de acceso"
