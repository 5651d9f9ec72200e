from django.apps import AppConfig


class KavakConfig(AppConfig):
    """Project-level app: management commands, templates and system checks."""

    name = "kavak"
    verbose_name = "Kavak"

    def ready(self) -> None:
        from kavak import checks  # noqa: F401  (registers system checks)
