from django.apps import AppConfig


class KnowledgeConfig(AppConfig):
    name = "knowledge"
    verbose_name = "Base de conocimiento"

    def ready(self) -> None:
        from knowledge import signals  # noqa: F401  (connects the index invalidation receivers)
