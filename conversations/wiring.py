"""The composition root: flags pick adapters here, once per process (rebuilt on setting changes)."""

from __future__ import annotations

import functools
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils import timezone

from conversations.adapters import DbKnowledgeBase, OrmCarCatalog
from conversations.engine.policy import EngineConfig, EngineDeps
from conversations.llm.circuit import CircuitBreaker
from conversations.llm.null import NullLlm
from conversations.llm.ports import LlmClient

if TYPE_CHECKING:
    from conversations.ports import StateStore
    from leads.ports import LeadStore


@functools.cache
def engine_deps() -> EngineDeps:
    return EngineDeps(catalog=OrmCarCatalog(), knowledge=DbKnowledgeBase())


def engine_config(*, now: datetime) -> EngineConfig:
    """The engine reads "a las 11" in the business's time zone (``TIME_ZONE``), not UTC, and
    knows when advisors are back if it is outside ``BUSINESS_HOURS`` (an honest handoff)."""
    from kavak.business_hours import business_hours, when_label

    local = timezone.localtime(now)
    hours = business_hours()
    advisors_back = None
    if not hours.is_open(local):
        tz = local.tzinfo or timezone.get_current_timezone()  # localtime always sets it
        advisors_back = when_label(hours.next_open(local), now=local, tz=tz)
    return EngineConfig(
        now=local,
        advisors_back=advisors_back,
        annual_rate=settings.FINANCING_ANNUAL_RATE,
        terms=tuple(settings.FINANCING_TERMS_MONTHS),
        min_down_ratio=settings.FINANCING_MIN_DOWN_PAYMENT_RATIO,
    )


@functools.cache
def state_store() -> StateStore:
    """CONVERSATION_STATE_REPOSITORY: the database (STATE_CACHE=redis adds its cache-aside) or
    process memory. Imported here, not at module level: the stores import the models."""
    from conversations.stores import DbStateStore, MemoryStateStore

    if settings.CONVERSATION_STATE_REPOSITORY == "memory":
        return MemoryStateStore()
    return DbStateStore(use_cache=settings.STATE_CACHE == "redis")


@functools.cache
def lead_store() -> LeadStore:
    """LEAD_REPOSITORY: the database or process memory."""
    from leads.stores import DbLeadStore, MemoryLeadStore

    if settings.LEAD_REPOSITORY == "memory":
        return MemoryLeadStore()
    return DbLeadStore()


@functools.cache
def llm_client() -> LlmClient:
    """The optional LLM (issue 5): OpenAI when LLM_ENABLED, else the null object."""
    if settings.LLM_ENABLED:
        from conversations.llm.openai_client import OpenAiLlmClient

        return OpenAiLlmClient.from_settings()
    return NullLlm()


def llm_rollout_group(*, channel: str, external_id: str) -> tuple[int, bool]:
    """A new conversation's rollout bucket and whether it uses the model: LLM_ENABLED, and its
    bucket inside LLM_ROLLOUT_PERCENT. Recorded on the conversation when it is created."""
    from conversations.llm.rollout import llm_rollout_bucket, llm_rollout_includes

    bucket = llm_rollout_bucket(channel=channel, external_id=external_id)
    uses = llm_client().enabled and llm_rollout_includes(
        bucket=bucket, percent=settings.LLM_ROLLOUT_PERCENT
    )
    return bucket, uses


@functools.cache
def llm_circuit() -> CircuitBreaker:
    """One breaker per process over state shared through the cache (Redis)."""
    return CircuitBreaker.from_settings()


@receiver(setting_changed)
def _reset_wiring(**_: Any) -> None:
    """override_settings in tests rebuilds the adapters."""
    engine_deps.cache_clear()
    state_store.cache_clear()
    lead_store.cache_clear()
    llm_client.cache_clear()
    llm_circuit.cache_clear()
