"""Fixtures for the knowledge base tests (real PostgreSQL, as everywhere)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from knowledge import services
from knowledge.models import Article


@pytest.fixture
def demo_kb(db: None) -> list[str]:
    """The shipped demo articles, published and indexed."""
    return services.knowledge_load_demo()


@pytest.fixture
def make_article(db: None) -> Callable[..., Article]:
    def make(
        *,
        slug: str,
        body: str,
        title: str | None = None,
        status: str = Article.Status.PUBLISHED,
        **kwargs: Any,
    ) -> Article:
        return services.knowledge_article_create(
            title=title or slug.replace("-", " ").capitalize(),
            slug=slug,
            body=body,
            status=status,
            **kwargs,
        )

    return make


@pytest.fixture
def admin_client_logged(client: Client, django_user_model: Any) -> Client:
    user = django_user_model.objects.create_superuser("editora", "editora@example.com", "x")
    client.force_login(user)
    return client
