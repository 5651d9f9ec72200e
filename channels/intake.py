"""Redis fast path of the webhook: duplicate claims and the per-sender rate counter.

``SET idem:{MessageSid} processing NX EX`` claims a delivery; after the row is stored the key says
``done`` and later copies are answered without touching PostgreSQL. A key that still says
``processing`` (another instance is storing it right now, or crashed doing so) is *not* trusted:
that copy goes on to the database, whose unique constraint decides. Redis flushed or down → every
copy goes to the database: slower, never a second turn.

The rate counter is incremented only by the copy that wins the claim, in the same round trip.
Both commands go through ``kavak.redis_commands`` (a held connection); the "done" mark is sent
without waiting for its reply, as a lost mark only sends a later copy to the database.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

from redis.exceptions import NoScriptError, RedisError

from kavak.redis_commands import redis_command, redis_command_deferred

logger = logging.getLogger(__name__)

# KEYS: claim, rate counter. ARGV: claim ttl, rate window. Returns {1, count} or {0, state}.
_CLAIM_LUA = """
if KEYS[1] == '' or redis.call('SET', KEYS[1], 'processing', 'NX', 'EX', ARGV[1]) then
  if KEYS[2] == '' then return {1, 0} end
  local n = redis.call('INCR', KEYS[2])
  if n == 1 then redis.call('EXPIRE', KEYS[2], ARGV[2]) end
  return {1, n}
end
return {0, redis.call('GET', KEYS[1]) or ''}
"""
_CLAIM_SHA = hashlib.sha1(_CLAIM_LUA.encode(), usedforsecurity=False).hexdigest()


@dataclass(frozen=True)
class Claim:
    done_before: bool  # a stored copy exists for sure: answer 200 and stop
    count: int | None  # messages from this sender in the current window (None: not counted)


class NullIntakeGuard:
    """No Redis (embedded `make run`): the database constraint alone dedupes, no rate limit."""

    def claim(self, *, message_sid: str, phone: str) -> Claim:
        return Claim(done_before=False, count=None)

    def mark_done(self, *, message_sid: str) -> None:
        return None


class RedisIntakeGuard:
    def __init__(
        self,
        *,
        prefix: str,
        ttl_s: int,
        rate_window_s: int,
        idempotency: bool,
        rate_limit: bool,
    ) -> None:
        self.prefix = prefix
        self.ttl_s = ttl_s
        self.rate_window_s = rate_window_s
        self.idempotency = idempotency
        self.rate_limit = rate_limit

    def claim_key(self, message_sid: str) -> str:
        return f"{self.prefix}:wa:idem:{message_sid}"

    def rate_key(self, phone: str) -> str:
        return f"{self.prefix}:wa:rate:{phone}"

    def claim(self, *, message_sid: str, phone: str) -> Claim:
        # Idempotency off (DEBUG only): no claim, every copy goes to the database constraint.
        claim_key = self.claim_key(message_sid) if self.idempotency else ""
        rate_key = self.rate_key(phone) if self.rate_limit else ""
        if not claim_key and not rate_key:
            return Claim(done_before=False, count=None)
        keys_args = (2, claim_key, rate_key, self.ttl_s, self.rate_window_s)
        try:
            try:
                won, value = redis_command("EVALSHA", _CLAIM_SHA, *keys_args)
            except NoScriptError:  # a restarted or flushed Redis forgot the script
                won, value = redis_command("EVAL", _CLAIM_LUA, *keys_args)
        except (RedisError, OSError) as exc:
            logger.warning("whatsapp_redis_unavailable op=claim error=%s", type(exc).__name__)
            return Claim(done_before=False, count=None)
        if won:
            return Claim(done_before=False, count=int(value) if rate_key else None)
        state = value.decode() if isinstance(value, bytes) else str(value)
        return Claim(done_before=state == "done", count=None)

    def _nonce(self, message_sid: str) -> str:
        # Idempotency off (DEBUG only): a key nobody else uses, so the claim always wins.
        import uuid

        return f"{self.prefix}:wa:nonce:{message_sid}:{uuid.uuid4().hex}"

    def mark_done(self, *, message_sid: str) -> None:
        if not self.idempotency:
            return
        try:  # a hint (the database decides): the webhook does not wait for Redis's reply
            redis_command_deferred("SET", self.claim_key(message_sid), "done", "EX", self.ttl_s)
        except (RedisError, OSError) as exc:
            logger.warning("whatsapp_redis_unavailable op=mark_done error=%s", type(exc).__name__)
