"""The three uses of the optional LLM. Each returns None on any failure, and the caller keeps the
deterministic text: a timeout, a 429 or 5xx, a malformed body, an open circuit, output that fails
the JSON schema or the guardrail. Every such case logs ``llm_fallback reason=…`` and is counted.

(a) ``llm_phrase_faq``: phrase a knowledge-base answer from the retrieved chunks only.
(b) ``llm_extract_slots``: read slots the parsers missed, as schema-checked suggestions for the
    engine (which validates them again; see ``conversations.engine.suggestions.suggested_phrase``).
(c) ``llm_smooth_reply``: reword a deterministic reply keeping every figure.

Time: every call runs inside a per-turn ``LlmBudget`` chosen by channel. Inline channels (/chat,
web, terminal) get one short attempt; WhatsApp, whose turn already runs in a Celery task, gets a
longer timeout and retries with back-off, always within a total budget well below the task's
time limit.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

import jsonschema
from django.conf import settings

from conversations.engine import replies
from conversations.engine.financing import FinancingPlan
from conversations.engine.state import CarOption, ConversationState
from conversations.llm import guardrail, prompts
from conversations.llm.ports import TRANSPORT_FAILURES, LlmCall, LlmError
from conversations.llm.prompts import Passage

logger = logging.getLogger(__name__)

FAQ = "faq"
SLOTS = "slots"
SMOOTH = "smooth"
USES = (FAQ, SLOTS, SMOOTH)
BACKGROUND_CHANNELS = frozenset({"whatsapp"})
_CAP_WINDOW_S = 24 * 3600


# --- budget -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class LlmBudget:
    """All the LLM time one turn may spend, whatever the number of calls and retries."""

    channel: str
    timeout_s: float
    max_retries: int
    deadline: float  # time.monotonic()
    conversation: str = ""  # "<channel>:<external id>": the per-conversation call cap's key

    def conversation_allows(self) -> bool:
        """One more model call within ``LLM_MAX_CALLS_PER_CONVERSATION`` (0 = no cap)?

        Counted in the shared cache (Redis in production) for a day; when the cache is down the
        call is allowed (the cap bounds cost, it never costs the customer their answer).
        """
        cap: int = settings.LLM_MAX_CALLS_PER_CONVERSATION
        if not cap or not self.conversation:
            return True
        from kavak.rate_window import window_count

        try:
            return window_count(f"llm-calls:{self.conversation}", timeout=_CAP_WINDOW_S) <= cap
        except Exception:
            logger.warning("llm_call_cap_unavailable", exc_info=True)
            return True

    def call(self, purpose: str, json_schema: Mapping[str, Any] | None = None) -> LlmCall:
        return LlmCall(
            purpose=purpose,
            timeout_s=self.timeout_s,
            max_retries=self.max_retries,
            deadline=self.deadline,
            json_schema=json_schema,
        )


def llm_turn_budget(*, channel: str, conversation: str = "") -> LlmBudget:
    """Inline channels answer while the customer waits; WhatsApp runs in a Celery task."""
    from conversations.wiring import llm_client

    llm_client()  # built (the SDK imported, once per process) before the clock starts
    if channel in BACKGROUND_CHANNELS:
        timeout, retries, total = (
            settings.OPENAI_TIMEOUT_S,
            settings.LLM_WHATSAPP_MAX_RETRIES,
            settings.LLM_WHATSAPP_BUDGET_S,
        )
    else:
        timeout, retries, total = settings.LLM_CHAT_TIMEOUT_S, 0, settings.LLM_CHAT_BUDGET_S
    return LlmBudget(
        channel=channel,
        timeout_s=timeout,
        max_retries=retries,
        deadline=time.monotonic() + total,
        conversation=conversation,
    )


def llm_use_enabled(use: str) -> bool:
    from conversations.wiring import llm_client

    return llm_client().enabled and use in settings.LLM_USES


# --- the call, the circuit, the fallback --------------------------------------------------------
def llm_fallback(*, use: str, reason: str) -> None:
    """Record that the deterministic text is used for ``use`` and why."""
    from kavak.metrics import LLM_CALLS_TOTAL

    LLM_CALLS_TOTAL.labels(use=use, outcome=reason).inc()
    logger.info("llm_fallback reason=%s use=%s", reason, use)


def _complete(
    *,
    use: str,
    system: str,
    user: str,
    budget: LlmBudget,
    json_schema: Mapping[str, Any] | None = None,
) -> str | None:
    from conversations.wiring import llm_circuit, llm_client
    from kavak.metrics import LLM_SECONDS

    client = llm_client()
    if not client.enabled or use not in settings.LLM_USES:
        return None
    circuit = llm_circuit()
    if not circuit.allow():
        llm_fallback(use=use, reason="circuit_open")
        return None
    if not budget.conversation_allows():
        llm_fallback(use=use, reason="conversation_cap")
        return None
    _db_release_for_wait()
    started = time.perf_counter()
    try:
        text = client.complete(system=system, user=user, call=budget.call(use, json_schema))
    except LlmError as exc:
        if exc.reason in TRANSPORT_FAILURES:
            circuit.record_failure()
        else:
            circuit.record_success()  # the provider answered; the answer was unusable
        llm_fallback(use=use, reason=exc.reason)
        return None
    finally:
        LLM_SECONDS.labels(use=use).observe(time.perf_counter() - started)
    circuit.record_success()
    return text


def _db_release_for_wait() -> None:
    """Give this thread's database connection back to the pool before waiting on the model.

    Only with Django's connection pool (``DATABASE_POOL_MAX_SIZE``, threaded processes): the
    connection returns to the process's pool and the next query takes one again, so threads
    waiting on the network hold no connection. Without the pool, closing would only cost a
    reconnect. Never inside a transaction (the callers run outside one; this keeps it safe).
    """
    from django.db import connection

    if connection.settings_dict.get("OPTIONS", {}).get("pool") and not connection.in_atomic_block:
        connection.close()


def _accepted(use: str) -> None:
    from kavak.metrics import LLM_CALLS_TOTAL

    LLM_CALLS_TOTAL.labels(use=use, outcome="ok").inc()


# --- grounding helpers --------------------------------------------------------------------------
_names_cache: tuple[object, frozenset[str]] | None = None


def _car_names() -> frozenset[str]:
    """Compact make and model names the catalogue knows (the guardrail's detection list)."""
    global _names_cache
    try:
        from catalog.selectors import catalog_vocabulary

        vocabulary = catalog_vocabulary()
    except Exception:  # the catalogue is unreadable: the guardrail's built-in makes still apply
        logger.warning("llm_car_names_unavailable", exc_info=True)
        return frozenset()
    cached = _names_cache
    if cached is not None and cached[0] is vocabulary:
        return cached[1]
    names: set[str] = set()
    for terms in vocabulary.exact.values():
        for term in terms:
            if term.kind not in ("make", "model"):
                continue
            full = f"{term.make or ''} {term.value}" if term.kind == "model" else term.value
            names.add(guardrail.compact_name(full))
            if not term.needs_make and len(term.key) >= 3:
                # Ambiguous model names ("Uno", "Rio") count only next to their make.
                names.add(term.key)
                names.add(guardrail.compact_name(term.value))
    result = frozenset(n for n in names if n)
    _names_cache = (vocabulary, result)
    return result


def llm_turn_facts(
    *, cars: Sequence[CarOption], financing: FinancingPlan | None, rate: Decimal | None = None
) -> dict[str, Any]:
    """The engine's structured data for one turn, in the formats the replies use."""
    facts: dict[str, Any] = {}
    if cars:
        facts["autos"] = [
            {
                "auto": c.title,
                "version": c.version,
                "precio": replies.mxn(c.price),
                "kilometraje": replies.km(c.km),
            }
            for c in cars
        ]
    if financing is not None:
        facts["financiamiento"] = {
            "precio": replies.mxn(financing.price),
            "enganche": replies.mxn(financing.down_payment),
            "monto_financiado": replies.mxn(financing.financed_amount),
            "plazo": f"{financing.term_months} meses",
            "mensualidad": replies.mxn(financing.monthly_payment),
            "intereses_totales": replies.mxn(financing.total_interest),
            "total_pagado": replies.mxn(financing.total_paid),
            "tasa_anual": f"{financing.annual_rate * 100:.0f}%",
        }
    if rate is not None:
        facts["tasa_anual"] = f"{rate * 100:.0f}%"
    return facts


def _facts_text(facts: Mapping[str, Any]) -> str:
    return json.dumps(facts, ensure_ascii=False, default=str) if facts else ""


class _SystemPrompt(Protocol):
    def __call__(self, *, canary: str, max_chars: int) -> str: ...


def _guarded_wording(
    *,
    use: str,
    system_for: _SystemPrompt,
    user: str,
    grounding: tuple[str, ...],
    reference: str,
    keep_question: bool,
    budget: LlmBudget,
) -> str | None:
    """The model's rewording of ``reference`` (FAQ, smoothing): a fresh canary in the system
    prompt, then the guardrail over the output, grounded on ``grounding`` and keeping every figure
    of ``reference`` (and its question with ``keep_question``). None when the call failed or the
    guardrail rejected it (that fallback counted here)."""
    canary = prompts.new_canary()
    max_chars = settings.LLM_MAX_OUTPUT_CHARS
    system = system_for(canary=canary, max_chars=max_chars)
    text = _complete(use=use, system=system, user=user, budget=budget)
    if text is None:
        return None
    checked = guardrail.enforce(
        text,
        use=use,
        grounding=guardrail.Grounding(texts=grounding, car_names=_car_names()),
        canary=canary,
        system_prompt=system,
        max_chars=max_chars,
        reference=reference,
        keep_figures=True,
        keep_question=keep_question,
    )
    if checked is None:
        llm_fallback(use=use, reason="guardrail")
    return checked


# --- (a) FAQ phrasing ---------------------------------------------------------------------------
def _passage(hit: Any) -> Passage:
    return Passage(
        title=str(getattr(hit, "article_title", "") or getattr(hit, "title", "")),
        heading=str(getattr(hit, "heading", "")),
        text=str(getattr(hit, "text", "")),
    )


def llm_phrase_faq(
    *, question: str, hits: Sequence[Any], budget: LlmBudget, reference: str = ""
) -> str | None:
    """A friendlier answer to ``question`` written only from ``hits`` (the retrieved chunks).

    ``reference`` is the deterministic answer built from the same chunks: grounding too, and every
    figure in it must survive the rewording (the key fact may live in the article's title).
    """
    passages = [_passage(h) for h in hits if getattr(h, "text", "")]
    if not passages:
        return None
    if reference:
        # The deterministic answer picks the part that was asked for (one city's branches, the
        # counts per city): the model rewords that first, with the chunks as context.
        passages.insert(
            0, Passage(title=passages[0].title, heading=prompts.REFERENCE_HEADING, text=reference)
        )
    checked = _guarded_wording(
        use=FAQ,
        system_for=prompts.faq_system,
        user=prompts.faq_payload(question=question, passages=passages),
        grounding=(*(f"{p.title}\n{p.heading}\n{p.text}" for p in passages), reference),
        reference=reference,
        keep_question=False,
        budget=budget,
    )
    if checked is None:
        return None
    if prompts.NO_ANSWER in checked:
        llm_fallback(use=FAQ, reason="model_declined")
        return None
    _accepted(FAQ)
    return checked


# --- (b) slot extraction ------------------------------------------------------------------------
_NULLABLE_INT = {"type": ["integer", "null"]}
_NULLABLE_STR = {"type": ["string", "null"]}
_BODY_TYPES = sorted(replies.BODY_TYPE_ES)
_SLOT_FIELDS = (
    "intent",
    "budget_max",
    "budget_min",
    "monthly_budget",
    "make",
    "model",
    "body_type",
    "transmission",
    "down_payment_percent",
    "down_payment_amount",
    "term_months",
    "option",
    "name",
    "phone",
)
# What the message is mostly about; the engine uses it only where its own reading found nothing.
INTENTS = (
    "car_need", "budget", "financing", "choose_option", "contact_data", "question_kavak",
    "question_car", "small_talk", "human", "refusal", "other",
)  # fmt: skip
# Sent to the provider (strict structured output accepts types and enums everywhere) ...
SLOTS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": list(_SLOT_FIELDS),
    "properties": {
        "intent": {"type": ["string", "null"], "enum": [*INTENTS, None]},
        "option": _NULLABLE_INT,
        "name": _NULLABLE_STR,
        "phone": _NULLABLE_STR,
        "budget_max": _NULLABLE_INT,
        "budget_min": _NULLABLE_INT,
        "monthly_budget": _NULLABLE_INT,
        "make": _NULLABLE_STR,
        "model": _NULLABLE_STR,
        "body_type": {"type": ["string", "null"], "enum": [*_BODY_TYPES, None]},
        "transmission": {"type": ["string", "null"], "enum": ["automatic", "manual", None]},
        "down_payment_percent": _NULLABLE_INT,
        "down_payment_amount": _NULLABLE_INT,
        "term_months": _NULLABLE_INT,
    },
}
# ... and checked here with bounds too (a model, or a server, may ignore the schema).
_SLOTS_CHECK: dict[str, Any] = {
    **SLOTS_SCHEMA,
    "properties": {
        **SLOTS_SCHEMA["properties"],
        "budget_max": {"type": ["integer", "null"], "minimum": 0, "maximum": 10**9},
        "budget_min": {"type": ["integer", "null"], "minimum": 0, "maximum": 10**9},
        "monthly_budget": {"type": ["integer", "null"], "minimum": 0, "maximum": 10**8},
        "make": {"type": ["string", "null"], "maxLength": 40},
        "model": {"type": ["string", "null"], "maxLength": 40},
        "down_payment_percent": {"type": ["integer", "null"], "minimum": 0, "maximum": 100},
        "down_payment_amount": {"type": ["integer", "null"], "minimum": 0, "maximum": 10**9},
        "term_months": {"type": ["integer", "null"], "minimum": 0, "maximum": 240},
        "option": {"type": ["integer", "null"], "minimum": 1, "maximum": 10},
        "name": {"type": ["string", "null"], "maxLength": 60},
        "phone": {"type": ["string", "null"], "maxLength": 20},
    },
}
_SLOTS_VALIDATOR = jsonschema.Draft202012Validator(_SLOTS_CHECK)


def llm_extract_slots(
    *, text: str, state: ConversationState, budget: LlmBudget
) -> dict[str, Any] | None:
    """Intent and slots named in ``text`` as a schema-valid dict without nulls (suggestions for
    the engine, which checks each against the message).

    ``state`` gives the pending question, so short answers ("a 4") can be read in context, and
    how many options were shown ("el de en medio" is option 2 of 3).
    """
    canary = prompts.new_canary()
    raw = _complete(
        use=SLOTS,
        system=prompts.slots_system(canary=canary),
        user=prompts.slots_payload(
            text=text, pending=state.next_action.value, options=len(state.slots.options)
        ),
        budget=budget,
        json_schema=SLOTS_SCHEMA,
    )
    if raw is None:
        return None
    try:
        data = json.loads(raw)
    except ValueError:
        llm_fallback(use=SLOTS, reason="malformed_json")
        return None
    if not _SLOTS_VALIDATOR.is_valid(data):
        llm_fallback(use=SLOTS, reason="schema_invalid")
        return None
    _accepted(SLOTS)
    return {k: v for k, v in data.items() if v is not None}


# --- (c) reply smoothing ------------------------------------------------------------------------
def llm_smooth_reply(*, reply: str, facts: Mapping[str, Any], budget: LlmBudget) -> str | None:
    """``reply`` reworded; every figure and the closing question kept, nothing added."""
    if not reply.strip():
        return None
    checked = _guarded_wording(
        use=SMOOTH,
        system_for=prompts.smooth_system,
        user=prompts.smooth_payload(reply=reply, facts=facts),
        grounding=(reply, _facts_text(facts)),
        reference=reply,
        keep_question=True,
        budget=budget,
    )
    if checked is None:
        return None
    _accepted(SMOOTH)
    return checked


# --- the rewrite step of a turn (called by the shell after the commit) ---------------------------
@dataclass(frozen=True)
class Rewrite:
    text: str
    use: str  # FAQ | SMOOTH


def llm_reply_rewrite(
    *,
    reply: str,
    question: str,
    faq_confident: bool,
    cars: Sequence[CarOption],
    financing: FinancingPlan | None,
    budget: LlmBudget,
) -> Rewrite | None:
    """One LLM call per turn at most: phrase the FAQ part of a knowledge-base turn, or smooth
    the whole reply of any other turn. None: keep the deterministic reply."""
    if faq_confident:
        if not llm_use_enabled(FAQ):
            return None
        from knowledge.selectors import knowledge_answer

        # Retrieval is deterministic and cheap (ms): the same chunks the engine's answer used.
        kb = knowledge_answer(question=question.strip())
        if not kb.confident or not kb.answer or kb.answer not in reply:
            llm_fallback(use=FAQ, reason="answer_not_in_reply")
            return None
        phrased = llm_phrase_faq(
            question=question, hits=kb.hits, budget=budget, reference=kb.answer
        )
        if phrased is None:
            return None
        return Rewrite(text=reply.replace(kb.answer, phrased, 1), use=FAQ)
    if not llm_use_enabled(SMOOTH):
        return None
    facts = llm_turn_facts(cars=cars, financing=financing)
    smoothed = llm_smooth_reply(reply=reply, facts=facts, budget=budget)
    return Rewrite(text=smoothed, use=SMOOTH) if smoothed is not None else None
