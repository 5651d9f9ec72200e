"""The composition root: flags pick adapters here, once per process (rebuilt on setting changes)."""

from __future__ import annotations

import functools
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

from conversations.adapters import DbKnowledgeBase, OrmCarCatalog
from conversations.engine.policy import EngineConfig, EngineDeps


@functools.cache
def engine_deps() -> EngineDeps:
    return EngineDeps(catalog=OrmCarCatalog(), knowledge=DbKnowledgeBase())


def engine_config(*, now: Any) -> EngineConfig:
    return EngineConfig(
        now=now,
        annual_rate=settings.FINANCING_ANNUAL_RATE,
        terms=tuple(settings.FINANCING_TERMS_MONTHS),
        min_down_ratio=settings.FINANCING_MIN_DOWN_PAYMENT_RATIO,
    )


@functools.cache
def state_store() -> Any:
    from conversations.stores import DbStateStore, MemoryStateStore

    if settings.CONVERSATION_STATE_REPOSITORY == "memory":
        return MemoryStateStore()
    return DbStateStore(use_cache=settings.STATE_CACHE == "redis")


@functools.cache
def lead_store() -> Any:
    from leads.stores import DbLeadStore, MemoryLeadStore

    if settings.LEAD_REPOSITORY == "memory":
        return MemoryLeadStore()
    return DbLeadStore()


@receiver(setting_changed)
def _reset_wiring(**_: Any) -> None:
    """override_settings in tests rebuilds the adapters."""
    engine_deps.cache_clear()
    state_store.cache_clear()
    lead_store.cache_clear()
