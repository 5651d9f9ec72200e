"""The optional model: its uses, time budgets per channel, circuit breaker, output and cost caps,
and the gradual rollout.

Part of ``kavak.settings.base``, which imports every module in order.
"""

from __future__ import annotations

from kavak.env import env
from kavak.settings.celery_config import CELERY_TASK_SOFT_TIME_LIMIT
from kavak.settings.integrations import OPENAI_TIMEOUT_S

# --- LLM ----------------------------------------------------------------------------------------
# The optional model (LLM_ENABLED, OPENAI_* above) phrases and parses; it never decides. Uses:
# faq (phrase knowledge-base answers from the retrieved chunks), slots (read slots the parsers
# missed, checked again by the engine), smooth (reword deterministic replies keeping every figure).
# Default: the two uses that add value on the turns that need them (a knowledge answer; a message
# the deterministic reader is unsure of). Smoothing rewords every reply, at one model call and its
# latency per turn, of replies that already come in several wordings: opt in with LLM_USES.
LLM_USES = tuple(env.list("LLM_USES", default=["faq", "slots"]))
# /chat, the web demo and the terminal call the model inline while the customer waits: one short
# attempt per call, and all the LLM work of a turn within the budget.
LLM_CHAT_TIMEOUT_S = env.float("LLM_CHAT_TIMEOUT_S", default=1.5)
LLM_CHAT_BUDGET_S = env.float("LLM_CHAT_BUDGET_S", default=2.5)
# WhatsApp turns run in a Celery task: OPENAI_TIMEOUT_S per attempt, retries with back-off on
# 429/5xx/timeouts, and the whole turn's LLM work within the budget (well below the task limit).
LLM_WHATSAPP_MAX_RETRIES = env.int("LLM_WHATSAPP_MAX_RETRIES", default=2)
LLM_WHATSAPP_BUDGET_S = env.float("LLM_WHATSAPP_BUDGET_S", default=12.0)
# Circuit breaker shared across processes: open after N transport failures within the window,
# one probe call after the cool-down.
LLM_CIRCUIT_FAILURES = env.int("LLM_CIRCUIT_FAILURES", default=5)
LLM_CIRCUIT_WINDOW_S = env.float("LLM_CIRCUIT_WINDOW_S", default=60.0)
LLM_CIRCUIT_COOLDOWN_S = env.float("LLM_CIRCUIT_COOLDOWN_S", default=30.0)
# ...and only when those failures are at least this share of the window's calls (a healthy but
# slow model times out on a few percent of tight chat budgets; that is not an outage).
LLM_CIRCUIT_FAILURE_RATIO = env.float("LLM_CIRCUIT_FAILURE_RATIO", default=0.5)
# ...or this many failures in a row with no success between (a provider that is down altogether).
LLM_CIRCUIT_CONSECUTIVE_FAILURES = env.int("LLM_CIRCUIT_CONSECUTIVE_FAILURES", default=10)
# Longest text the model may put in front of a customer (the guardrail rejects longer ones).
LLM_MAX_OUTPUT_CHARS = env.int("LLM_MAX_OUTPUT_CHARS", default=1200)
# Cost bound: model calls one conversation may make in a day (0 = no cap); past it, the
# deterministic agent answers alone (kavak_llm_calls_total{outcome="conversation_cap"}).
LLM_MAX_CALLS_PER_CONVERSATION = env.int("LLM_MAX_CALLS_PER_CONVERSATION", default=40)
# Gradual rollout (issue 20): with LLM_ENABLED, the share of new conversations that use the model
# (0-100). A conversation's group is fixed when it starts, from a hash of its session id (stable:
# the same session always lands in the same bucket 0-99) and recorded on it; the funnel dashboard
# compares conversion between the groups. 100 = every conversation, today's behaviour.
LLM_ROLLOUT_PERCENT = env.int("LLM_ROLLOUT_PERCENT", default=100)
_LLM_RULES = (
    (set(LLM_USES) <= {"faq", "slots", "smooth"},
     f"LLM_USES={','.join(LLM_USES)!r}: expected a comma-separated subset of faq,slots,smooth."),
    (OPENAI_TIMEOUT_S > 0, "OPENAI_TIMEOUT_S must be positive (the SDK default is 10 minutes)."),
    (0 < LLM_CHAT_TIMEOUT_S <= LLM_CHAT_BUDGET_S <= 10,
     "Need 0 < LLM_CHAT_TIMEOUT_S <= LLM_CHAT_BUDGET_S <= 10 (the customer is waiting)."),
    (0 <= LLM_WHATSAPP_MAX_RETRIES <= 5, "LLM_WHATSAPP_MAX_RETRIES must be between 0 and 5."),
    (OPENAI_TIMEOUT_S <= LLM_WHATSAPP_BUDGET_S <= CELERY_TASK_SOFT_TIME_LIMIT / 2,
     "Need OPENAI_TIMEOUT_S <= LLM_WHATSAPP_BUDGET_S <= CELERY_TASK_SOFT_TIME_LIMIT / 2."),
    (LLM_CIRCUIT_FAILURES >= 1, "LLM_CIRCUIT_FAILURES must be at least 1."),
    (0 < LLM_CIRCUIT_FAILURE_RATIO <= 1, "LLM_CIRCUIT_FAILURE_RATIO must be in (0, 1]."),
    (LLM_CIRCUIT_CONSECUTIVE_FAILURES >= 1, "LLM_CIRCUIT_CONSECUTIVE_FAILURES must be at least 1."),
    (LLM_CIRCUIT_WINDOW_S > 0 and LLM_CIRCUIT_COOLDOWN_S > 0,
     "LLM_CIRCUIT_WINDOW_S and LLM_CIRCUIT_COOLDOWN_S must be positive."),
    (200 <= LLM_MAX_OUTPUT_CHARS <= 4000, "LLM_MAX_OUTPUT_CHARS must be between 200 and 4000."),
    (LLM_MAX_CALLS_PER_CONVERSATION >= 0, "LLM_MAX_CALLS_PER_CONVERSATION must be 0 or more."),
    (0 <= LLM_ROLLOUT_PERCENT <= 100, "LLM_ROLLOUT_PERCENT must be between 0 and 100."),
)  # fmt: skip
for _ok, _message in _LLM_RULES:
    if not _ok:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(_message)
