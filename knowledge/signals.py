"""Index invalidation only (the one use of signals the house style allows).

Services already bump the index token; these receivers make sure that an article saved or deleted
any other way (shell, bulk admin delete, cascade) still makes every process re-check its index, so a
deleted or unpublished article can never keep answering.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from knowledge.models import Article


@receiver(post_save, sender=Article, dispatch_uid="knowledge_article_saved")
@receiver(post_delete, sender=Article, dispatch_uid="knowledge_article_deleted")
def _article_changed(**_: Any) -> None:
    from knowledge.services import knowledge_index_invalidate

    knowledge_index_invalidate()
