"""Who may call the HTTP interfaces and how often: API keys, throttles, CSRF, the body size."""

from __future__ import annotations

import hashlib
import logging
import time
from typing import Any, ClassVar

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, CSRFCheck
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle
from rest_framework_api_key.models import AbstractAPIKey, APIKey

from kavak.api import body_size_check
from kavak.redis_commands import redis_command

logger = logging.getLogger(__name__)


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


class ApiKeyRateThrottle(BaseThrottle):
    """Requests per API key (``CHAT_THROTTLE_RATE``): a fixed-window counter in the shared cache.

    One atomic ``INCR`` per request (DRF's sliding-window throttle reads and rewrites a list of
    timestamps: two round trips and a pickle per turn). If the cache is down the request is let
    through and the failure logged: rate limiting fails open, the chat keeps answering.
    """

    def allow_request(self, request: Request, view: Any) -> bool:
        if not isinstance(request.auth, APIKey):
            return True
        limit, period = _parse_rate(settings.CHAT_THROTTLE_RATE)
        now = time.time()
        window = int(now // period)
        key = f"throttle:chat:{request.auth.pk}:{window}"
        try:
            count = _incr_window(key, timeout=period + 1)
        except Exception:  # fail open: never fail a turn because of Redis
            logger.warning("chat_throttle_unavailable", exc_info=True)
            return True
        self._wait = (window + 1) * period - now
        return count <= limit

    def wait(self) -> float | None:
        return max(1.0, getattr(self, "_wait", 1.0))


def _incr_window(key: str, *, timeout: int) -> int:
    """The window's count after this request, in one round trip in the steady state.

    On Redis a plain ``INCR`` on a held connection (``kavak.redis_commands``), and ``EXPIRE``
    once, by the window's first request: django-redis's ``incr`` sends a Lua script with every
    call, which cost more than the rest of the throttle. Other cache backends (the embedded
    local-memory cache) use the portable ``incr``/``add``.
    """
    if hasattr(cache, "client"):  # django-redis (every Django cache has make_key)
        full_key = cache.make_key(key)
        count = int(redis_command("INCR", full_key))
        if count == 1:
            redis_command("EXPIRE", full_key, timeout)
        return count
    try:
        return cache.incr(key)
    except ValueError:  # the window's first request
        if cache.add(key, 1, timeout=timeout):
            return 1
        return cache.incr(key)  # another request created it first


def _parse_rate(rate: str) -> tuple[int, int]:
    count, _, unit = rate.partition("/")
    return int(count), {"s": 1, "m": 60, "h": 3600, "d": 86400}[unit[:1]]


class WebChatThrottle(SimpleRateThrottle):
    """The public demo page: requests per client address."""

    scope = "web_chat"

    def get_rate(self) -> str:
        return str(settings.WEB_CHAT_THROTTLE_RATE)

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        return f"throttle_web_{self.get_ident(request)}"


def csrf_enforce(request: Request) -> None:
    """The demo page posts with the session cookie, so it must carry the CSRF token."""

    def _no_response(_: HttpRequest) -> None:
        return None

    check = CSRFCheck(_no_response)  # type: ignore[arg-type]  # DRF's idiom: no response used
    check.process_request(request._request)
    reason = check.process_view(request._request, None, (), {})  # type: ignore[arg-type]
    if reason:
        raise exceptions.PermissionDenied(f"CSRF: {reason}")


def chat_body_size_check(request: Request) -> None:
    body_size_check(request.META, max_bytes=settings.CHAT_MAX_BODY_BYTES)


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    """Documents ``Authorization: Bearer <key>`` in the OpenAPI schema."""

    target_class = "conversations.apis.guards.ApiKeyAuthentication"
    name = "ApiKeyBearer"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "Clave creada con `manage.py create_api_key NOMBRE`.",
        }
