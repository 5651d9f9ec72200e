"""Scripted conversations (YAML) with per-turn expectations, and the agent scorecard.

Used by the golden tests (strict: every expectation must hold, through the service and through
``/chat``) and by ``manage.py evaluate_agent`` (aggregate scorecard with CI thresholds).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings

from conversations.engine.financing import financing_plan
from conversations.models import Conversation

SCENARIO_DIR = Path(__file__).resolve().parent / "scenarios"
FALLBACK_MARKER = "no tengo ese dato confirmado"

Send = Callable[[str, str], dict[str, Any]]  # (session_id, message) -> /chat response body


@dataclass(frozen=True)
class TurnSpec:
    say: str
    expect: dict[str, Any]


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    covers: tuple[str, ...]
    goal: str | None
    turns: tuple[TurnSpec, ...]
    path: Path


@dataclass
class Check:
    # step, next_action, slot, reply, cars, financing, financing_exact, lead, fallback
    kind: str
    ok: bool
    detail: str = ""


@dataclass
class TurnReport:
    index: int
    say: str
    response: dict[str, Any]
    checks: list[Check] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    def failures(self) -> list[str]:
        return [
            f"turn {self.index} «{self.say}»: {c.kind}: {c.detail}" for c in self.checks if not c.ok
        ]


@dataclass
class ScenarioReport:
    scenario: Scenario
    turns: list[TurnReport]

    @property
    def ok(self) -> bool:
        return all(t.ok for t in self.turns)

    @property
    def completed(self) -> bool:
        if not self.scenario.goal or not self.turns:
            return self.ok
        return self.turns[-1].response.get("step") == self.scenario.goal

    def failures(self) -> list[str]:
        return [f for t in self.turns for f in t.failures()]


def scenario_load_all(directory: Path = SCENARIO_DIR) -> list[Scenario]:
    scenarios = []
    for path in sorted(directory.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for item in data if isinstance(data, list) else [data]:
            scenarios.append(
                Scenario(
                    name=item["name"],
                    description=item.get("description", ""),
                    covers=tuple(item.get("covers", ())),
                    goal=item.get("goal"),
                    turns=tuple(
                        TurnSpec(say=str(t["say"]), expect=t.get("expect") or {})
                        for t in item["turns"]
                    ),
                    path=path,
                )
            )
    return scenarios


def _state_slots(channel: str, session_id: str) -> dict[str, Any]:
    conv = (
        Conversation.objects.filter(channel=channel, external_id=session_id, closed_at__isnull=True)
        .only("state")
        .first()
    )
    return (conv.state or {}).get("slots", {}) if conv else {}


def _same(expected: Any, actual: Any) -> bool:
    if isinstance(expected, int | float | str) and isinstance(actual, int | float | str):
        try:
            return Decimal(str(expected)) == Decimal(str(actual))
        except ArithmeticError:
            return str(expected) == str(actual)
    return expected == actual


def _check_turn(
    spec: TurnSpec, response: dict[str, Any], slots: dict[str, Any], report: TurnReport
) -> None:
    exp = spec.expect
    add = report.checks.append
    for key in ("step", "next_action"):
        if key in exp:
            add(Check(key, response.get(key) == exp[key], f"{response.get(key)!r} != {exp[key]!r}"))
    for name, value in (exp.get("slots") or {}).items():
        actual = slots.get(name)
        if name == "chosen" and isinstance(actual, dict) and isinstance(value, dict):
            ok = all(_same(v, actual.get(k)) for k, v in value.items())
        else:
            ok = _same(value, actual)
        add(Check("slot", ok, f"{name}: {actual!r} != {value!r}"))
    reply = response.get("reply", "")
    for text in exp.get("reply_contains", ()):
        add(Check("reply", text.lower() in reply.lower(), f"missing {text!r} in {reply!r}"))
    for text in exp.get("reply_not_contains", ()):
        add(Check("reply", text.lower() not in reply.lower(), f"unexpected {text!r} in {reply!r}"))
    cars = response.get("cars", [])
    if "cars" in exp:
        spec_cars = exp["cars"] or {}
        if isinstance(spec_cars, int):
            spec_cars = {"count": spec_cars}
        if "count" in spec_cars:
            add(Check("cars", len(cars) == spec_cars["count"], f"{len(cars)} cars"))
        if "min" in spec_cars:
            add(Check("cars", len(cars) >= spec_cars["min"], f"{len(cars)} cars"))
        for attr in ("make", "model"):
            if attr in spec_cars:
                values = {c[attr] for c in cars}
                add(Check("cars", values == {spec_cars[attr]}, f"{attr}s {values}"))
        if "first_model" in spec_cars:
            first = cars[0]["model"] if cars else None
            add(Check("cars", first == spec_cars["first_model"], f"first car {first}"))
        if spec_cars.get("max_price") is not None:
            limit = Decimal(str(spec_cars["max_price"]))
            add(Check("cars", all(Decimal(c["price"]) <= limit for c in cars), "over max_price"))
    financing = response.get("financing")
    if "financing" in exp:
        if exp["financing"] is None:
            add(Check("financing", financing is None, f"unexpected plan {financing}"))
        else:
            ok = financing is not None and all(
                _same(v, financing.get(k)) for k, v in exp["financing"].items()
            )
            add(Check("financing", ok, f"{financing} vs {exp['financing']}"))
    if financing is not None:
        add(_financing_exact(financing, slots))
    lead = response.get("lead")
    if "lead" in exp:
        if exp["lead"] is None:
            add(Check("lead", lead is None, f"unexpected lead {lead}"))
        else:
            ok = lead is not None and all(_same(v, lead.get(k)) for k, v in exp["lead"].items())
            add(Check("lead", ok, f"{lead} vs {exp['lead']}"))
    if "fallback" in exp:
        is_fallback = FALLBACK_MARKER in reply.lower() and not response.get("sources")
        add(Check("fallback", is_fallback == bool(exp["fallback"]), f"fallback={is_fallback}"))
    if "sources_min" in exp:
        n = len(response.get("sources", []))
        add(Check("fallback", n >= exp["sources_min"], f"{n} sources"))


def _financing_exact(financing: dict[str, Any], slots: dict[str, Any]) -> Check:
    """Recompute the plan from the chosen car's catalogue price and compare every figure."""
    chosen = slots.get("chosen") or {}
    if not chosen:
        return Check("financing_exact", False, "plan shown without a chosen car")
    plan = financing_plan(
        price=Decimal(chosen["price"]),
        down_payment=Decimal(financing["down_payment"]),
        annual_rate=settings.FINANCING_ANNUAL_RATE,
        term_months=int(financing["term_months"]),
    ).as_dict()
    return Check("financing_exact", plan == financing, f"{financing} != {plan}")


def scenario_run(scenario: Scenario, *, send: Send, channel: str) -> ScenarioReport:
    session_id = f"golden-{scenario.name}-{uuid.uuid4().hex[:8]}"
    reports = []
    for index, spec in enumerate(scenario.turns, start=1):
        response = send(session_id, spec.say)
        report = TurnReport(index=index, say=spec.say, response=response)
        _check_turn(spec, response, _state_slots(channel, session_id), report)
        reports.append(report)
    return ScenarioReport(scenario=scenario, turns=reports)


@dataclass(frozen=True)
class Scorecard:
    scenarios: int
    passed: int
    flow_completion: float
    slot_accuracy: float
    financing_exactness: float
    fallback_correctness: float
    turn_accuracy: float


def _ratio(ok: int, total: int) -> float:
    return ok / total if total else 1.0


def scorecard(reports: list[ScenarioReport]) -> Scorecard:
    checks = [c for r in reports for t in r.turns for c in t.checks]

    def rate(*kinds: str) -> float:
        subset = [c for c in checks if c.kind in kinds]
        return _ratio(sum(c.ok for c in subset), len(subset))

    turns = [t for r in reports for t in r.turns]
    with_goal = [r for r in reports if r.scenario.goal]
    return Scorecard(
        scenarios=len(reports),
        passed=sum(r.ok for r in reports),
        flow_completion=_ratio(sum(r.completed for r in with_goal), len(with_goal)),
        slot_accuracy=rate("slot"),
        financing_exactness=rate("financing_exact"),
        fallback_correctness=rate("fallback"),
        turn_accuracy=_ratio(sum(t.ok for t in turns), len(turns)),
    )
