from django.apps import AppConfig


class KnowledgeConfig(AppConfig):
    name = "knowledge"
    verbose_name = "Base de conocimiento"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from knowledge import signals  # noqa: F401  (connects the index invalidation receivers)

        post_migrate.connect(_reindex_if_stale, sender=self)


def _reindex_if_stale(using: str = "default", **_: object) -> None:
    """After ``migrate``: chunks built by an older release's chunking code are rebuilt."""
    from django.db import connections

    from knowledge.services import knowledge_reindex_if_stale

    if "knowledge_indexstate" in connections[using].introspection.table_names():
        knowledge_reindex_if_stale()
