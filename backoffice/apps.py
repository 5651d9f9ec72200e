from django.apps import AppConfig


class BackofficeConfig(AppConfig):
    """Cross-app staff screens, retention and the demo data command; its one model is the funnel
    dashboard (a proxy of the conversation, no table)."""

    name = "backoffice"
    verbose_name = "Tableros"
