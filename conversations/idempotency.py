"""Idempotent ``POST /chat``: a client that retries a turn with the same ``Idempotency-Key`` gets
the first answer again instead of a second turn.

A client that timed out cannot know whether its turn was committed; resending the message without
a key makes the agent read it twice (measured by ``make chaos``: turns stored twice around a web
restart). With a key, the first request claims it in the cache (Redis) before the turn and stores
the rendered answer after it; a retry while the turn runs gets 409 with ``Retry-After``, a retry
after it gets the stored answer, and the same key with another message is refused. Keys live 24
hours, per API client and session. When the cache is unreachable the turn runs without the
guarantee (and says so in the log), as the throttle fails open: an outage of Redis must not stop
customers.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from typing import Any, Literal

from django.core.cache import cache

logger = logging.getLogger(__name__)

# A turn holds its claim at most this long (a crashed worker's claim expires by itself).
PROCESSING_TTL_S = 60
ANSWER_TTL_S = 24 * 3600

Outcome = Literal["new", "replay", "in_progress", "mismatch"]


@dataclass(frozen=True)
class Claim:
    outcome: Outcome
    body: dict[str, Any] | None = None
    cache_key: str = ""
    digest: str = ""


def _cache_key(client: str, session_id: str, key: str) -> str:
    raw = f"{client}\x00{session_id}\x00{key}".encode()
    return "chat-idempotency:" + hashlib.sha256(raw).hexdigest()


def chat_idempotency_claim(*, client: str, session_id: str, key: str, message: str) -> Claim:
    """Claim ``key`` for this message, or say what the first request with it became."""
    cache_key = _cache_key(client, session_id, key)
    digest = hashlib.sha256(message.encode()).hexdigest()
    try:
        for _ in range(2):  # a claim that expires between add and get is claimed again
            if cache.add(cache_key, {"digest": digest}, timeout=PROCESSING_TTL_S):
                return Claim("new", cache_key=cache_key, digest=digest)
            held = cache.get(cache_key)
            if held is None:
                continue
            if held.get("digest") != digest:
                return Claim("mismatch")
            if "body" in held:
                return Claim("replay", body=held["body"])
            return Claim("in_progress")
    except Exception:
        logger.warning("chat_idempotency_unavailable", exc_info=True)
        return Claim("new")
    return Claim("new")


def chat_idempotency_store(claim: Claim, *, body: dict[str, Any]) -> None:
    """Keep the answer of a claimed turn for its retries."""
    if not claim.cache_key:
        return
    try:
        cache.set(claim.cache_key, {"digest": claim.digest, "body": body}, timeout=ANSWER_TTL_S)
    except Exception:
        logger.warning("chat_idempotency_unavailable", exc_info=True)


def chat_idempotency_release(claim: Claim) -> None:
    """A turn that failed gives its key back: the retry runs it."""
    if not claim.cache_key:
        return
    try:
        cache.delete(claim.cache_key)
    except Exception:
        logger.warning("chat_idempotency_unavailable", exc_info=True)
