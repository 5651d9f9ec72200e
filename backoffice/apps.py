from django.apps import AppConfig


class BackofficeConfig(AppConfig):
    """Cross-app staff screens, retention and the demo data command (no models of its own)."""

    name = "backoffice"
    verbose_name = "Back office"
