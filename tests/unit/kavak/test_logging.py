"""Phone masking and log context: a logged phone never reaches the output in clear."""

from __future__ import annotations

import io
import json
import logging

import pytest

from kavak.logging import ContextFilter, JsonFormatter, TextFormatter, log_context, mask_phones

PHONES = [
    "whatsapp:+5215512345678",
    "+5215512345678",
    "+525512345678",
    "+52 55 1234 5678",
    "+52 1 55 1234 5678",
    "+52 (55) 1234-5678",
    "52 55 1234 5678",
    "55 1234 5678",
    "55-1234-5678",
    "(55) 1234 5678",
    "5512345678",
    "044 55 1234 5678",
    "+52 81 8123 4567",
    "+52 999 123 4567",
    "999.123.4567",
    "+1 415 523 8886",
]
NOT_PHONES = [
    "SM0123456789abcdef0123456789abcdef",
    "SMa1b2c3d4e5f60718293a4b5c6d7e8f90",
    "$12,500.00 MXN",
    "2024-05-01",
    "pedido 12345",
    "CP 06600",
    "modelo X-200 2025",
    "RFC XAXX010101000",
    "precio 461999.00",
    "1,250,000 pesos",
    "eta 2026-11-24 03:39:44.123456-06:00",
    "2026-11-24T03:39:44+00:00",
]


@pytest.mark.parametrize("phone", PHONES)
def test_mask_phones_hides_all_but_last_four_when_phone_in_text(phone: str) -> None:
    masked = mask_phones(f"mensaje de {phone} recibido")
    digits = "".join(ch for ch in phone if ch.isdigit())
    assert digits[-4:] in masked
    assert "".join(ch for ch in masked if ch.isdigit()) == digits[-4:]


@pytest.mark.parametrize("text", NOT_PHONES)
def test_mask_phones_leaves_text_alone_when_not_a_phone(text: str) -> None:
    assert mask_phones(text) == text


def _logger_with(formatter: logging.Formatter) -> tuple[logging.Logger, io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    handler.addFilter(ContextFilter())
    logger = logging.getLogger(f"test.mask.{id(stream)}")
    logger.handlers = [handler]
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    return logger, stream


@pytest.mark.parametrize("formatter", [JsonFormatter(), TextFormatter()])
def test_logged_phone_never_appears_in_clear_when_in_message_args_extra_or_traceback(
    formatter: logging.Formatter,
) -> None:
    logger, stream = _logger_with(formatter)
    logger.info("inbound from %s", "whatsapp:+5215512345678", extra={"to": "+525598765432"})
    try:
        raise ValueError("bad phone +52 55 1234 5678")
    except ValueError:
        logger.exception("failed for 5512345678")
    output = stream.getvalue()
    for clear in ("5512345678", "5598765432", "55 1234 5678", "+5215512345678"):
        assert clear not in output
    assert "***5678" in output
    assert "***5432" in output


def test_json_lines_carry_bound_context_when_inside_log_context() -> None:
    logger, stream = _logger_with(JsonFormatter())
    with log_context(request_id="req123456", session_id="s-1", turn_id="t-1"):
        logger.info("turn handled", extra={"step": "budget"})
    logger.info("outside")
    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert first["request_id"] == "req123456"
    assert first["session_id"] == "s-1"
    assert first["turn_id"] == "t-1"
    assert first["step"] == "budget"
    assert "request_id" not in second


def test_names_in_extra_are_reduced_to_initial_when_logged() -> None:
    logger, stream = _logger_with(JsonFormatter())
    logger.info("lead captured", extra={"customer_name": "Mariana López"})
    record = json.loads(stream.getvalue())
    assert record["customer_name"] == "M***"


def test_json_lines_stay_json_when_numbers_look_like_phones_and_phones_hide_in_data() -> None:
    """Celery logs ``data={"runtime": 0.0039997490000587}``: a float is never a phone, and masking
    must not break the line's JSON; a phone inside nested data or as a long integer is masked."""
    logger, stream = _logger_with(JsonFormatter())
    logger.info(
        "Task succeeded",
        extra={
            "data": {"runtime": 0.003999749000058728, "args": "('whatsapp:+5215512345678',)"},
            "count": 12,
            "phone_number": 5598765432,
        },
    )
    line = stream.getvalue()
    record = json.loads(line)
    assert record["data"]["runtime"] == 0.003999749000058728
    assert record["count"] == 12
    for clear in ("5512345678", "5598765432"):
        assert clear not in line
    assert record["phone_number"] == "***5432"
