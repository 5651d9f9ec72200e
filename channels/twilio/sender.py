"""``TwilioSender``: the outbound port on the Twilio REST API through the official SDK.

The SDK is used as shipped; only its documented extension point (a custom ``HttpClient``) is used
to set the timeout and, in tests and scripts, to send the API calls to a local fake server.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import requests
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response
from twilio.rest import Client

from channels.messages import OutboundRequest, SendError, SendResult, SentRecord
from channels.transport import send_error_of

logger = logging.getLogger(__name__)


class _BaseUrlHttpClient(TwilioHttpClient):  # type: ignore[misc]  # the SDK ships no types
    """Send every SDK request to ``base_url`` (scheme + host) instead of ``*.twilio.com``."""

    def __init__(self, *, base_url: str | None, timeout: float) -> None:
        super().__init__(pool_connections=True, timeout=timeout)
        self._base = urlsplit(base_url) if base_url else None

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Response:
        if self._base is not None:
            parts = urlsplit(url)
            url = parts._replace(scheme=self._base.scheme, netloc=self._base.netloc).geturl()
        return super().request(method, url, *args, **kwargs)

    # The SDK logs a dozen INFO lines per call (query strings with phone numbers included): one
    # DEBUG line each way is enough; our own INFO line says what was sent.
    def log_request(self, kwargs: dict[str, Any]) -> None:
        logger.debug("twilio_api_request method=%s", kwargs.get("method"))

    def log_response(self, status_code: int, response: Any) -> None:
        logger.debug("twilio_api_response status=%s", status_code)


class TwilioSender:
    """Messages API: ``create`` to send, ``list`` to reconcile a send whose outcome is unknown."""

    def __init__(
        self,
        *,
        account_sid: str,
        auth_token: str,
        timeout: float,
        base_url: str | None = None,
    ) -> None:
        self._client = Client(
            account_sid,
            auth_token,
            http_client=_BaseUrlHttpClient(base_url=base_url, timeout=timeout),
        )
        # A send that timed out may still be landing at Twilio for about one more timeout.
        self.reconcile_after_s = max(2 * timeout, 1.0)

    @classmethod
    def from_settings(cls) -> TwilioSender:
        from django.conf import settings

        return cls(
            account_sid=settings.TWILIO_ACCOUNT_SID,
            auth_token=settings.TWILIO_AUTH_TOKEN,
            timeout=settings.TWILIO_TIMEOUT_S,
            base_url=settings.TWILIO_API_BASE_URL,
        )

    def send(self, request: OutboundRequest) -> SendResult:
        params: dict[str, Any] = {"to": request.to, "from_": request.from_}
        if request.content_sid:
            params["content_sid"] = request.content_sid
            if request.content_variables:
                params["content_variables"] = json.dumps(
                    request.content_variables, ensure_ascii=False
                )
        else:
            params["body"] = request.body
        if request.status_callback:
            params["status_callback"] = request.status_callback
        try:
            message = self._client.messages.create(**params)
        except TwilioRestException as exc:
            retryable = exc.status == 429 or exc.status >= 500
            raise SendError(
                f"twilio http {exc.status} code={exc.code}",
                retryable=retryable,
                code=str(exc.code or exc.status),
            ) from exc
        except requests.RequestException as exc:
            raise send_error_of(exc) from exc
        return SendResult(sid=message.sid or "", status=str(message.status or "queued"))

    def recent(self, *, to: str, from_: str, since: datetime) -> list[SentRecord]:
        try:
            messages = self._client.messages.list(to=to, from_=from_, limit=50)
        except (TwilioRestException, requests.RequestException) as exc:
            raise SendError(f"reconcile failed: {type(exc).__name__}", retryable=True) from exc
        records = []
        for m in messages:
            created = m.date_created
            if created is not None and created < since:
                continue
            records.append(
                SentRecord(
                    sid=m.sid or "",
                    to=m.to or "",
                    from_=m.from_ or "",
                    body=m.body or "",
                    created_at=created,
                    status=str(m.status or ""),
                )
            )
        return records
