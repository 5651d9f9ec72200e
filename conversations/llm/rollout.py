"""Which conversations use the model while it is rolled out gradually (``LLM_ROLLOUT_PERCENT``).

Pure: a session's bucket is a stable hash of its channel and session id, the same in every
process and on every run (not Python's salted ``hash``), so a customer keeps their group across
turns, workers and days.
"""

from __future__ import annotations

import hashlib

BUCKETS = 100


def llm_rollout_bucket(*, channel: str, external_id: str) -> int:
    """0-99, uniformly spread over sessions."""
    digest = hashlib.sha256(f"{channel}:{external_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % BUCKETS


def llm_rollout_includes(*, bucket: int, percent: int) -> bool:
    """Is a session of ``bucket`` in the model group when ``percent`` % of sessions are?"""
    return bucket < percent
