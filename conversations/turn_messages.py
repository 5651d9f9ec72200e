"""The message log of a turn: what the customer wrote and, if it spoke, what the agent answered."""

from __future__ import annotations

from typing import Any

from conversations.engine.state import CarOption
from conversations.ports import MessageRecord


def turn_messages(
    *,
    text: str,
    reply: str | None,
    turn_id: str,
    step_before: str,
    step_after: str,
    next_action: str,
    understood: dict[str, Any],
    provider_message_id: str,
    latency_ms: float | None = None,
) -> list[MessageRecord]:
    """The inbound message and, unless ``reply`` is None (the bot kept silent), the outbound one."""
    records = [
        MessageRecord(
            direction="in",
            text=text,
            turn_id=turn_id,
            step_before=step_before,
            step_after=step_after,
            next_action=next_action,
            understood=_jsonable(understood),
            provider_message_id=provider_message_id,
        )
    ]
    if reply is not None:
        records.append(
            MessageRecord(
                direction="out",
                text=reply,
                turn_id=turn_id,
                step_before=step_before,
                step_after=step_after,
                next_action=next_action,
                latency_ms=latency_ms,
            )
        )
    return records


def _jsonable(data: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, CarOption):
            out[key] = value.stock_id
        elif isinstance(value, tuple | list):
            out[key] = [v.stock_id if isinstance(v, CarOption) else v for v in value]
        elif isinstance(value, dict | str | int | float | bool) or value is None:
            out[key] = value
        else:
            out[key] = str(value)
    return out
