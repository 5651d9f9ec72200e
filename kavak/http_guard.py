"""The guards of every HTTP endpoint, one implementation each.

- Body size: ``body_size_check`` refuses a declared length over the endpoint's limit before
  anything reads the body, ``body_read`` also checks what was read (a JSON 413,
  ``PayloadTooLarge``). Each endpoint names its limit (``CHAT_MAX_BODY_BYTES``, a webhook's).
- API keys: ``ApiKeyAuthentication`` + ``HasApiKey`` (401 with Spanish messages).
- Rates: ``WindowThrottle``, a fixed-window counter per identity (``kavak.rate_window``) that
  fails open; its subclasses are the API-key and client-address throttles (429 + Retry-After).
- CSRF: ``csrf_enforce`` for pages that post with the session cookie (403).

The JSON bodies of these errors are worded once, by ``kavak.api.exception_handler``; the webhooks'
signature checks stay with their providers (``channels/<provider>/signature.py``).
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Mapping
from typing import Any, ClassVar

from django.conf import settings
from django.http import HttpRequest
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions, status
from rest_framework.authentication import BaseAuthentication, CSRFCheck
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle
from rest_framework_api_key.models import AbstractAPIKey, APIKey

from kavak.rate_window import parse_rate, window_count

logger = logging.getLogger(__name__)


# --- Body size ----------------------------------------------------------------------------------
class PayloadTooLarge(exceptions.APIException):
    """A request body over the endpoint's limit: a JSON 413 naming the limit."""

    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "payload_too_large"

    def __init__(self, max_bytes: int) -> None:
        super().__init__(f"El cuerpo de la petición supera {max_bytes // 1024} KB.")


def body_size_check(meta: Mapping[str, Any], *, max_bytes: int) -> None:
    """Refuse a body whose declared length is over ``max_bytes`` before anything reads it."""
    try:
        length = int(meta.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > max_bytes:
        raise PayloadTooLarge(max_bytes)


def body_read(request: HttpRequest, *, max_bytes: int) -> bytes:
    """The raw body, refused (413) if its declared or its actual length is over ``max_bytes``."""
    body_size_check(request.META, max_bytes=max_bytes)
    body = request.body
    if len(body) > max_bytes:
        raise PayloadTooLarge(max_bytes)
    return body


# --- API keys -----------------------------------------------------------------------------------
class ApiKeyAuthentication(BaseAuthentication):
    """``Authorization: Bearer <key>``; keys are stored hashed (``manage.py create_api_key``).

    A verified key is remembered in this process for API_KEY_CACHE_SECONDS (keyed by a digest of
    the presented key), which saves a query and a hash check per turn; a revocation takes effect
    within that delay.
    """

    keyword = "Bearer"
    _verified: ClassVar[dict[str, tuple[float, AbstractAPIKey]]] = {}

    def authenticate(self, request: Request) -> tuple[None, AbstractAPIKey] | None:
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header:
            raise exceptions.NotAuthenticated("Falta el encabezado Authorization: Bearer <clave>.")
        scheme, _, key = header.partition(" ")
        key = key.strip()
        if scheme != self.keyword or not key:
            raise exceptions.AuthenticationFailed("Usa el formato Authorization: Bearer <clave>.")
        digest = hashlib.sha256(key.encode()).hexdigest()
        now = time.monotonic()
        remembered = self._verified.get(digest)
        if remembered is not None and remembered[0] > now:
            return (None, remembered[1])
        try:
            api_key = APIKey.objects.get_from_key(key)
        except APIKey.DoesNotExist:
            api_key = None
        if api_key is None or not api_key.is_valid(key):
            self._verified.pop(digest, None)
            raise exceptions.AuthenticationFailed("Clave de API inválida o revocada.")
        ttl = settings.API_KEY_CACHE_SECONDS
        if ttl > 0:
            if len(self._verified) > 10_000:  # bound memory against key-guessing floods
                self._verified.clear()
            self._verified[digest] = (now + ttl, api_key)
        return (None, api_key)

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


class HasApiKey(BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        return isinstance(request.auth, APIKey)


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    """Documents ``Authorization: Bearer <key>`` in the OpenAPI schema."""

    target_class = "kavak.http_guard.ApiKeyAuthentication"
    name = "ApiKeyBearer"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "Clave creada con `manage.py create_api_key NOMBRE`.",
        }


# --- Rates --------------------------------------------------------------------------------------
class WindowThrottle(BaseThrottle):
    """Requests per identity and fixed window, counted in the shared cache (``window_count``).

    One atomic ``INCR`` per request (DRF's sliding-window throttle reads and rewrites a list of
    timestamps: two round trips and a pickle per request). If the cache is down the request is
    let through and ``<scope>_throttle_unavailable`` logged: rate limiting fails open, the chat
    keeps answering. A subclass names its ``scope``, its rate and the identity it counts.
    """

    scope: ClassVar[str]

    def rate(self) -> str:
        raise NotImplementedError

    def identity(self, request: Request) -> str | None:
        """Who is counted; None: this request is not counted."""
        raise NotImplementedError

    def allow_request(self, request: Request, view: Any) -> bool:
        identity = self.identity(request)
        if identity is None:
            return True
        limit, period = parse_rate(self.rate())
        now = time.time()
        window = int(now // period)
        key = f"throttle:{self.scope}:{identity}:{window}"
        try:
            count = window_count(key, timeout=period + 1)
        except Exception:  # fail open: never fail a turn because of Redis
            logger.warning("%s_throttle_unavailable", self.scope, exc_info=True)
            return True
        self._wait = (window + 1) * period - now
        return count <= limit

    def wait(self) -> float | None:
        return max(1.0, getattr(self, "_wait", 1.0))


class ApiKeyRateThrottle(WindowThrottle):
    """``/chat`` and the amortisation API: requests per API key (``CHAT_THROTTLE_RATE``)."""

    scope = "chat"

    def rate(self) -> str:
        return str(settings.CHAT_THROTTLE_RATE)

    def identity(self, request: Request) -> str | None:
        return str(request.auth.pk) if isinstance(request.auth, APIKey) else None


class _ClientAddressThrottle(WindowThrottle):
    """Requests per client address (``get_ident``: the proxy-aware remote address)."""

    def identity(self, request: Request) -> str | None:
        return self.get_ident(request)


class WebChatThrottle(_ClientAddressThrottle):
    """The public web chat's turns and CSV link: requests per client address."""

    scope = "web_chat"

    def rate(self) -> str:
        return str(settings.WEB_CHAT_THROTTLE_RATE)


class WebPollThrottle(_ClientAddressThrottle):
    """The web chat's history and polls for advisors' messages: requests per client address."""

    scope = "web_chat_poll"

    def rate(self) -> str:
        return str(settings.WEB_CHAT_POLL_THROTTLE_RATE)


# --- CSRF ---------------------------------------------------------------------------------------
def csrf_enforce(request: Request) -> None:
    """A page that posts with the session cookie must carry the CSRF token (else 403)."""

    def _no_response(_: HttpRequest) -> None:
        return None

    check = CSRFCheck(_no_response)  # type: ignore[arg-type]  # DRF's idiom: no response used
    check.process_request(request._request)
    reason = check.process_view(request._request, None, (), {})  # type: ignore[arg-type]
    if reason:
        raise exceptions.PermissionDenied(f"CSRF: {reason}")
