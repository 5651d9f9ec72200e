"""Operational tasks. ``ping`` proves a real worker consumes from the configured broker."""

from __future__ import annotations

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(name="kavak.ping")
def ping(value: str) -> str:
    """Echo ``value`` back from the worker process (used by tests and smoke checks)."""
    logger.info("ping value=%s", value)
    return f"pong:{value}"
