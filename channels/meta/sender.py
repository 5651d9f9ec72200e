"""``MetaSender``: the outbound port on the WhatsApp Cloud API (Graph API), plain ``requests``.

``POST {META_GRAPH_BASE_URL}/{version}/{phone_number_id}/messages`` with the system user's bearer
token: ``type=text`` inside the customer's 24-hour window (``type=interactive``, a list, for a
question with options to tap), ``type=template`` (an approved ``<name>:<language>`` with body
parameters) outside it. Each request carries the part's
idempotency key as ``biz_opaque_callback_data``, which Meta echoes in the status webhooks: the
Graph API has no idempotency key and no list of sent messages, so that echo is how a send whose
answer was lost (a read timeout) is recognised instead of being sent twice.

Failures map onto ``SendError`` as for Twilio: connection refused, 429, 5xx and Meta's
"try again later" error codes are retryable; a read timeout is ambiguous; the rest is rejected.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

import requests

from channels.messages import (
    Choices,
    OutboundRequest,
    SendError,
    SendResult,
    SentRecord,
    choice_id,
)
from channels.transport import send_error_of

logger = logging.getLogger(__name__)

# Graph API error codes Meta documents as transient (throttling, "service unavailable",
# "something went wrong, try again"): retried like HTTP 429/5xx.
RETRYABLE_CODES = frozenset({1, 2, 4, 17, 341, 80007, 130429, 131000, 131016, 131056, 133004})


def _digits(address: str) -> str:
    """``whatsapp:+5215512345678`` → ``5215512345678`` (the wa_id Meta expects in ``to``)."""
    return "".join(ch for ch in address if ch.isdigit())


def template_payload(reference: str, variables: dict[str, Any]) -> dict[str, Any]:
    """``kavak_asesor:es_MX`` + ``{"1": "Ana", "2": "Luis"}`` → the Graph API's template object
    (body parameters in the order of their numeric keys, as Twilio's ``{{1}}``, ``{{2}}``)."""
    name, _, language = reference.partition(":")
    template: dict[str, Any] = {"name": name, "language": {"code": language or "es_MX"}}
    if variables:
        ordered = sorted(
            variables.items(),
            key=lambda kv: (0, int(kv[0]), "") if str(kv[0]).isdigit() else (1, 0, str(kv[0])),
        )
        template["components"] = [
            {
                "type": "body",
                "parameters": [{"type": "text", "text": str(v)} for _, v in ordered],
            }
        ]
    return template


# Interactive list limits (Cloud API reference, "interactive object"): body text ≤ 1024
# characters, button label ≤ 20, row title ≤ 24, row id ≤ 200, at most 10 rows in all.
LIST_BODY_MAX = 1024
LIST_BUTTON_MAX = 20
LIST_ROW_TITLE_MAX = 24
LIST_ROWS_MAX = 10


def list_payload(body: str, choices: Choices) -> dict[str, Any] | None:
    """A question with options → the Graph API's ``interactive`` object of type ``list`` (one
    section, a row per option, the row id carrying the option's answer), or None when the
    question does not fit a list (then it is sent as text)."""
    options = choices.options
    if not body or len(body) > LIST_BODY_MAX or not 1 <= len(options) <= LIST_ROWS_MAX:
        return None
    if any(len(o.title) > LIST_ROW_TITLE_MAX or len(choice_id(o.answer)) > 200 for o in options):
        return None
    button = (choices.button or "Elegir")[:LIST_BUTTON_MAX]
    return {
        "type": "list",
        "body": {"text": body},
        "action": {
            "button": button,
            "sections": [
                {
                    "title": button[:LIST_ROW_TITLE_MAX],
                    "rows": [{"id": choice_id(o.answer), "title": o.title} for o in options],
                }
            ],
        },
    }


class MetaSender:
    """One of our Meta numbers (its phone number id) on the Graph API."""

    def __init__(
        self,
        *,
        phone_number_id: str,
        access_token: str,
        base_url: str,
        version: str,
        timeout: float,
        reconcile_after_s: float,
    ) -> None:
        self.url = f"{base_url.rstrip('/')}/{version}/{phone_number_id}/messages"
        self.timeout = timeout
        self.reconcile_after_s = reconcile_after_s
        self._session = requests.Session()
        self._session.headers.update(
            {"Authorization": f"Bearer {access_token}", "Content-Type": "application/json"}
        )

    @classmethod
    def from_settings(cls, *, phone_number_id: str) -> MetaSender:
        from django.conf import settings

        return cls(
            phone_number_id=phone_number_id,
            access_token=settings.META_ACCESS_TOKEN,
            base_url=settings.META_GRAPH_BASE_URL,
            version=settings.META_GRAPH_VERSION,
            timeout=settings.META_TIMEOUT_S,
            reconcile_after_s=max(settings.META_RECONCILE_WAIT_S, 2 * settings.META_TIMEOUT_S),
        )

    def _payload(self, request: OutboundRequest) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": _digits(request.to),
        }
        interactive = (
            list_payload(request.body, request.choices) if request.choices is not None else None
        )
        if request.content_sid:
            payload["type"] = "template"
            payload["template"] = template_payload(request.content_sid, request.content_variables)
        elif interactive is not None:
            payload["type"] = "interactive"
            payload["interactive"] = interactive
        else:
            payload["type"] = "text"
            payload["text"] = {"body": request.body, "preview_url": False}
        if request.key:
            payload["biz_opaque_callback_data"] = request.key[:512]
        return payload

    def send(self, request: OutboundRequest) -> SendResult:
        try:
            response = self._session.post(
                self.url, json=self._payload(request), timeout=(self.timeout, self.timeout)
            )
        except requests.RequestException as exc:
            raise send_error_of(exc) from exc
        try:
            data = response.json()
        except ValueError:
            data = {}
        data = data if isinstance(data, dict) else {}
        if response.status_code >= 300:
            error_data = data.get("error")
            error = error_data if isinstance(error_data, dict) else {}
            code = error.get("code")
            retryable = (
                response.status_code == 429
                or response.status_code >= 500
                or (isinstance(code, int) and code in RETRYABLE_CODES)
            )
            raise SendError(
                f"meta http {response.status_code} code={code}",
                retryable=retryable,
                code=str(code or response.status_code)[:16],
            )
        messages = data.get("messages")
        first = messages[0] if isinstance(messages, list) and messages else {}
        message_id = first.get("id") if isinstance(first, dict) else None
        if not isinstance(message_id, str) or not message_id:
            # 2xx without an id: accepted or not, we cannot tell; reconcile like a timeout.
            raise SendError("ambiguous: 2xx without a message id", retryable=False, ambiguous=True)
        status = first.get("message_status") if isinstance(first, dict) else None
        return SendResult(sid=message_id, status=str(status or "accepted"))

    def recent(self, *, to: str, from_: str, since: datetime) -> list[SentRecord]:
        """The Graph API cannot list sent messages: nothing to reconcile against here (the status
        webhooks that echo our key are checked by the caller, ``outbound`` services)."""
        return []
