"""HTTP interfaces: ``POST /chat`` (API key), the web demo chat, the amortisation table."""

from __future__ import annotations

import csv
import hashlib
import logging
import re
import secrets
import time
from decimal import Decimal
from typing import Any, ClassVar

import orjson
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import exceptions, serializers
from rest_framework.authentication import BaseAuthentication, CSRFCheck
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle
from rest_framework_api_key.models import AbstractAPIKey, APIKey

from conversations.engine.financing import amortization_table, financing_plan
from conversations.idempotency import (
    chat_idempotency_claim,
    chat_idempotency_release,
    chat_idempotency_store,
)
from conversations.models import Conversation
from conversations.services import TurnOutcome, conversation_turn_handle
from conversations.staff import (
    conversation_client_feed,
    conversation_history,
    conversation_open_get,
)
from kavak.api import JsonApi, body_size_check, error_body
from kavak.parsers import json_depth_check
from kavak.redis_commands import redis_command

logger = logging.getLogger(__name__)


# --- Auth, throttling, size limit ---------------------------------------------------------------
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


def _enforce_csrf(request: Request) -> None:
    """The demo page posts with the session cookie, so it must carry the CSRF token."""

    def _no_response(_: HttpRequest) -> None:
        return None

    check = CSRFCheck(_no_response)  # type: ignore[arg-type]  # DRF's idiom: no response used
    check.process_request(request._request)
    reason = check.process_view(request._request, None, (), {})  # type: ignore[arg-type]
    if reason:
        raise exceptions.PermissionDenied(f"CSRF: {reason}")


# An Idempotency-Key: what clients use (UUIDs, ULIDs, "turn-42:retry") without room for abuse.
_IDEMPOTENCY_KEY = re.compile(r"[A-Za-z0-9._:-]{1,128}")


def _check_body_size(request: Request) -> None:
    body_size_check(request.META, max_bytes=settings.CHAT_MAX_BODY_BYTES)


# --- Serializers --------------------------------------------------------------------------------
class StrictCharField(serializers.CharField):
    """A JSON string and nothing else (DRF's CharField would turn ``0`` or ``true`` into text)."""

    default_error_messages = {"invalid": "Debe ser texto (string)."}

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class CarOutput(serializers.Serializer[Any]):
    stock_id = serializers.CharField()
    make = serializers.CharField()
    model = serializers.CharField()
    year = serializers.IntegerField()
    version = serializers.CharField()
    price = serializers.DecimalField(max_digits=12, decimal_places=2, coerce_to_string=True)
    km = serializers.IntegerField()
    body_type = serializers.CharField(help_text="sedan, hatchback, suv, pickup, minivan…")
    transmission = serializers.CharField(help_text="automatic, manual o vacío si no se sabe")
    seats = serializers.IntegerField(allow_null=True)


class AppointmentCarOutput(serializers.Serializer[Any]):
    stock_id = serializers.CharField()
    title = serializers.CharField()


class AppointmentOutput(serializers.Serializer[Any]):
    date = serializers.DateField(allow_null=True, help_text="null: el cliente no dio una fecha")
    time = serializers.CharField(allow_null=True, help_text="HH:MM, hora de México")
    weekday = serializers.CharField(allow_null=True)
    requested = serializers.CharField(help_text="Lo que escribió el cliente")
    branch = serializers.CharField(allow_null=True)
    city = serializers.CharField(allow_null=True)
    address = serializers.CharField(allow_null=True)
    car = AppointmentCarOutput(allow_null=True)


class FinancingOutput(serializers.Serializer[Any]):
    price = serializers.CharField()
    down_payment = serializers.CharField()
    financed_amount = serializers.CharField()
    annual_rate = serializers.CharField()
    term_months = serializers.IntegerField()
    monthly_payment = serializers.CharField()
    total_interest = serializers.CharField()
    total_paid = serializers.CharField()


class LeadOutput(serializers.Serializer[Any]):
    name = serializers.CharField()
    phone = serializers.CharField()
    preferred_contact_time = serializers.CharField()
    status = serializers.CharField()


class SourceOutput(serializers.Serializer[Any]):
    article = serializers.CharField()
    title = serializers.CharField()
    score = serializers.FloatField()


class StaffMessageOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField(help_text="Creciente: pásalo como `after` para pedir lo nuevo")
    kind = serializers.ChoiceField(
        choices=["staff", "notice"],
        help_text="staff: escribió un asesor; notice: aviso (regreso al bot, espera de asesor)",
    )
    author = serializers.CharField(allow_null=True, help_text="Nombre (de pila) del asesor")
    text = serializers.CharField()
    at = serializers.DateTimeField()


class ChatOutput(serializers.Serializer[Any]):
    session_id = serializers.CharField()
    turn_id = serializers.CharField()
    reply = serializers.CharField(allow_blank=True)
    step = serializers.CharField()
    next_action = serializers.CharField()
    cars = CarOutput(many=True)
    financing = FinancingOutput(allow_null=True)
    lead = LeadOutput(allow_null=True)
    sources = SourceOutput(many=True)
    appointment = AppointmentOutput(allow_null=True)
    staff_messages = StaffMessageOutput(
        many=True, help_text="Mensajes de asesores y avisos desde el mensaje anterior del cliente"
    )
    bot_paused = serializers.BooleanField(help_text="true mientras un asesor tiene la conversación")


class MessagesOutput(serializers.Serializer[Any]):
    session_id = serializers.CharField()
    bot_paused = serializers.BooleanField()
    messages = StaffMessageOutput(many=True)


def render_outcome(outcome: TurnOutcome) -> dict[str, Any]:
    lead = outcome.lead
    return {
        "session_id": outcome.session_id,
        "turn_id": outcome.turn_id,
        "reply": outcome.reply,
        "step": outcome.step,
        "next_action": outcome.next_action,
        "cars": [
            {
                "stock_id": c.stock_id,
                "make": c.make,
                "model": c.model,
                "year": c.year,
                "version": c.version,
                "price": f"{c.price:.2f}",
                "km": c.km,
                "body_type": c.body_type,
                "transmission": c.transmission,
                "seats": c.seats,
            }
            for c in outcome.cars
        ],
        "financing": outcome.financing.as_dict() if outcome.financing else None,
        "lead": (
            {
                "name": lead.name,
                "phone": lead.phone,
                "preferred_contact_time": lead.preferred_contact_time,
                "status": lead.status,
            }
            if lead
            else None
        ),
        "sources": [
            {"article": s.article, "title": s.title, "score": s.score} for s in outcome.sources
        ],
        "appointment": _render_appointment(outcome.appointment),
        "staff_messages": [m.as_dict() for m in outcome.staff_messages],
        "bot_paused": outcome.bot_paused,
    }


_WEEKDAYS = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo")


def _render_appointment(appointment: Any) -> dict[str, Any] | None:
    if appointment is None:
        return None
    at = appointment.at
    car = appointment.car
    return {
        "date": at.date().isoformat() if at else None,
        "time": f"{at:%H:%M}" if at else None,
        "weekday": _WEEKDAYS[at.weekday()] if at else None,
        "requested": appointment.requested,
        "branch": appointment.branch or None,
        "city": appointment.city or None,
        "address": appointment.address or None,
        "car": {"stock_id": car.stock_id, "title": car.title} if car else None,
    }


_ERROR = inline_serializer(
    "Error",
    fields={
        "error": serializers.CharField(),
        "message": serializers.CharField(),
        "request_id": serializers.CharField(required=False),
    },
)


# --- APIs ---------------------------------------------------------------------------------------
class ChatTurnApi(JsonApi):
    """One customer message in, the agent's reply out."""

    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [HasApiKey]
    throttle_classes = [ApiKeyRateThrottle]

    class InputSerializer(serializers.Serializer[Any]):
        session_id = StrictCharField(min_length=1, max_length=128, trim_whitespace=True)
        message = StrictCharField(min_length=1, max_length=2000, trim_whitespace=True)
        channel = serializers.ChoiceField(choices=["api"], required=False, default="api")

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        _check_body_size(request)
        super().initial(request, *args, **kwargs)

    @extend_schema(
        operation_id="chat_turn",
        request=InputSerializer,
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                required=False,
                description=(
                    "Opcional (1-128 caracteres: letras, números, - _ . :). Un reintento con la "
                    "misma clave y el mismo mensaje recibe la primera respuesta (encabezado "
                    "Idempotent-Replayed) en vez de procesar el mensaje dos veces; 24 horas."
                ),
            )
        ],
        responses={
            200: ChatOutput,
            400: OpenApiResponse(_ERROR, description="Entrada inválida (nombra el campo)."),
            409: OpenApiResponse(
                _ERROR, description="El mensaje con esa Idempotency-Key aún se procesa."
            ),
            422: OpenApiResponse(
                _ERROR, description="La Idempotency-Key ya se usó con otro mensaje."
            ),
            401: OpenApiResponse(_ERROR, description="Falta la clave de API o es inválida."),
            413: OpenApiResponse(_ERROR, description="Cuerpo mayor a 16 KB."),
            415: OpenApiResponse(_ERROR, description="El cuerpo debe ser JSON."),
            429: OpenApiResponse(_ERROR, description="Demasiadas peticiones (ver Retry-After)."),
        },
    )
    def post(self, request: Request) -> Response:
        fields = chat_input_fast(_plain_json(request._request))
        if fields is None:  # anything unusual: DRF parses, the serializer names the problem
            data = request.data
            if not isinstance(data, dict):
                raise exceptions.ValidationError(
                    {"non_field_errors": ["Se esperaba un objeto JSON."]}
                )
            serializer = self.InputSerializer(data=data)
            serializer.is_valid(raise_exception=True)
            fields = serializer.validated_data["session_id"], serializer.validated_data["message"]
        session_id, message = fields
        key = request.headers.get("Idempotency-Key")
        if key is None:
            outcome = conversation_turn_handle(channel="api", external_id=session_id, text=message)
            return Response(render_outcome(outcome))
        if not _IDEMPOTENCY_KEY.fullmatch(key):
            raise exceptions.ValidationError(
                {
                    "Idempotency-Key": [
                        "De 1 a 128 caracteres: letras, números, «-», «_», «.» o «:»."
                    ]
                }
            )
        claim = chat_idempotency_claim(
            client=str(request.auth.pk), session_id=session_id, key=key, message=message
        )
        if claim.outcome == "replay":
            return Response(claim.body, headers={"Idempotent-Replayed": "true"})
        if claim.outcome == "in_progress":
            body = error_body(
                code="request_in_progress",
                message="Ese mensaje todavía se está procesando; intenta de nuevo en un momento.",
            )
            return Response(body, status=409, headers={"Retry-After": "1"})
        if claim.outcome == "mismatch":
            body = error_body(
                code="idempotency_key_reused",
                message="Esa Idempotency-Key ya se usó con otro mensaje en esta sesión.",
            )
            return Response(body, status=422)
        try:
            outcome = conversation_turn_handle(channel="api", external_id=session_id, text=message)
        except BaseException:
            chat_idempotency_release(claim)
            raise
        rendered = render_outcome(outcome)
        chat_idempotency_store(claim, body=rendered)
        return Response(rendered)


class ChatMessagesApi(JsonApi):
    """What advisors wrote to an API conversation (and notices), newer than ``after``."""

    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [HasApiKey]
    throttle_classes = [ApiKeyRateThrottle]

    class InputSerializer(serializers.Serializer[Any]):
        after = serializers.IntegerField(min_value=0, required=False, default=0)

    @extend_schema(
        operation_id="chat_messages",
        parameters=[
            OpenApiParameter(
                "after",
                OpenApiTypes.INT,
                description="Último `id` recibido: solo llegan los mensajes posteriores",
            )
        ],
        responses={
            200: MessagesOutput,
            400: _ERROR,
            401: _ERROR,
            404: OpenApiResponse(_ERROR, description="No hay una conversación abierta."),
            429: _ERROR,
        },
    )
    def get(self, request: Request, session_id: str) -> Response:
        serializer = self.InputSerializer(data=request.query_params)
        serializer.is_valid(raise_exception=True)
        return Response(
            _feed(channel="api", session_id=session_id, after=serializer.validated_data["after"])
        )


def _feed(*, channel: str, session_id: str, after: int) -> dict[str, Any]:
    found = conversation_client_feed(channel=channel, external_id=session_id, after=after)
    if found is None:
        raise exceptions.NotFound("No hay una conversación abierta con ese session_id.")
    conversation, messages = found
    return {
        "session_id": session_id,
        "bot_paused": conversation.status == Conversation.Status.HANDOFF,
        "messages": [m.as_dict() for m in messages],
    }


def _plain_json(request: HttpRequest) -> Any:
    """The body of a UTF-8 ``application/json`` request, parsed without DRF's negotiation.

    Only a shortcut for the common request: ``None`` when the body is anything else (another
    type or charset, malformed), and whatever ``chat_input_fast`` does not accept goes through
    ``request.data`` and the serializer, which word every 400/415 as before.
    """
    if request.content_type != "application/json":
        return None
    if (request.content_params or {}).get("charset", "utf-8").lower() not in ("utf-8", "utf8"):
        return None
    json_depth_check(request.body)  # a 400 before orjson or DRF's parser recurse
    try:  # strict like DRF's JSONParser: UTF-8 only, no NaN/Infinity
        return orjson.loads(request.body)
    except orjson.JSONDecodeError:
        return None


def chat_input_fast(data: Any) -> tuple[str, str] | None:
    """``(session_id, message)`` for the common, valid request, without building a serializer.

    Hot path of every turn (a DRF serializer deep-copies its fields and builds validators per
    request). Contract: a value accepted here is accepted by ``ChatTurnApi.InputSerializer`` with
    the same cleaned values (tests check both on the same inputs); anything else, valid or not,
    returns None and goes through the serializer, which words the 400.
    """
    if type(data) is not dict:
        return None
    session_id, message = data.get("session_id"), data.get("message")
    if type(session_id) is not str or type(message) is not str:
        return None
    if data.get("channel", "api") != "api":
        return None
    session_id, message = session_id.strip(), message.strip()
    if not (0 < len(session_id) <= 128 and 0 < len(message) <= 2000):
        return None
    if "\x00" in session_id or "\x00" in message:
        return None
    try:  # lone surrogates (from "\\ud800" escapes) are refused by the serializer
        session_id.encode()
        message.encode()
    except UnicodeEncodeError:
        return None
    return session_id, message


class AmortizationApi(JsonApi):
    """The amortisation table of a plan (JSON, or CSV with ``?output=csv``)."""

    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [HasApiKey]
    throttle_classes = [ApiKeyRateThrottle]

    class InputSerializer(serializers.Serializer[Any]):
        price = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("1"))
        down_payment = serializers.DecimalField(
            max_digits=12, decimal_places=2, min_value=Decimal("0")
        )
        term_months = serializers.ChoiceField(choices=[36, 48, 60, 72])

        def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
            minimum = attrs["price"] * settings.FINANCING_MIN_DOWN_PAYMENT_RATIO
            if attrs["down_payment"] < minimum:
                raise serializers.ValidationError(
                    {"down_payment": ["El enganche mínimo es 10% del precio."]}
                )
            if attrs["down_payment"] >= attrs["price"]:
                raise serializers.ValidationError(
                    {"down_payment": ["El enganche debe ser menor al precio."]}
                )
            return attrs

    @extend_schema(
        operation_id="financing_amortization",
        parameters=[
            OpenApiParameter("price", OpenApiTypes.DECIMAL, required=True),
            OpenApiParameter("down_payment", OpenApiTypes.DECIMAL, required=True),
            OpenApiParameter("term_months", OpenApiTypes.INT, required=True, enum=[36, 48, 60, 72]),
            OpenApiParameter("output", OpenApiTypes.STR, enum=["json", "csv"]),
        ],
        responses={200: OpenApiTypes.OBJECT, 400: _ERROR, 401: _ERROR, 429: _ERROR},
    )
    def get(self, request: Request) -> Response | HttpResponse:
        serializer = self.InputSerializer(data=request.query_params)
        serializer.is_valid(raise_exception=True)
        plan = financing_plan(
            price=serializer.validated_data["price"],
            down_payment=serializer.validated_data["down_payment"],
            annual_rate=settings.FINANCING_ANNUAL_RATE,
            term_months=int(serializer.validated_data["term_months"]),
        )
        rows = amortization_table(plan)
        if request.query_params.get("output") == "csv":
            return amortization_csv_response(plan_rows=rows, filename="amortizacion.csv")
        return Response(
            {
                "plan": plan.as_dict(),
                "rows": [
                    {
                        "month": r.month,
                        "payment": f"{r.payment:.2f}",
                        "interest": f"{r.interest:.2f}",
                        "principal": f"{r.principal:.2f}",
                        "balance": f"{r.balance:.2f}",
                    }
                    for r in rows
                ],
            }
        )


def amortization_csv_response(*, plan_rows: list[Any], filename: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(["mes", "pago", "interes", "capital", "saldo"])
    for r in plan_rows:
        writer.writerow(
            [
                r.month,
                f"{r.payment:.2f}",
                f"{r.interest:.2f}",
                f"{r.principal:.2f}",
                f"{r.balance:.2f}",
            ]
        )
    return response


WEB_SESSION_RE = r"^[A-Za-z0-9_-]{20,64}$"


class WebPollThrottle(SimpleRateThrottle):
    """The web chat's polls for advisors' messages: requests per client address."""

    scope = "web_chat_poll"

    def get_rate(self) -> str:
        return str(settings.WEB_CHAT_POLL_THROTTLE_RATE)

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        return f"throttle_web_poll_{self.get_ident(request)}"


class WebChatApi(JsonApi):
    """The web chat at ``/``: one customer message in, the agent's reply out.

    The browser keeps its conversation's ``session_id`` in ``localStorage`` (so a reload keeps the
    conversation); the first message goes without one and the server issues a random id.
    """

    authentication_classes: list[Any] = []
    permission_classes: list[Any] = []
    throttle_classes = [WebChatThrottle]

    class InputSerializer(serializers.Serializer[Any]):
        message = serializers.CharField(min_length=1, max_length=2000)
        session_id = serializers.RegexField(WEB_SESSION_RE, required=False)

    @extend_schema(exclude=True)
    def post(self, request: Request) -> Response:
        _check_body_size(request)
        _enforce_csrf(request)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        session_id = serializer.validated_data.get("session_id") or secrets.token_urlsafe(24)
        outcome = conversation_turn_handle(
            channel="web", external_id=session_id, text=serializer.validated_data["message"]
        )
        return Response(render_outcome(outcome))


class _WebSessionInput(serializers.Serializer[Any]):
    session_id = serializers.RegexField(WEB_SESSION_RE)
    after = serializers.IntegerField(min_value=0, required=False, default=0)


class WebChatHistoryApi(JsonApi):
    """The open conversation of the browser's session, for the page to redraw after a reload."""

    authentication_classes: list[Any] = []
    permission_classes: list[Any] = []
    throttle_classes = [WebPollThrottle]

    @extend_schema(exclude=True)
    def get(self, request: Request) -> Response:
        serializer = _WebSessionInput(data=request.query_params)
        serializer.is_valid(raise_exception=True)
        session_id = serializer.validated_data["session_id"]
        conversation = conversation_open_get(channel="web", external_id=session_id)
        if conversation is None:
            return Response({"session_id": session_id, "messages": [], "bot_paused": False})
        state = conversation.state or {}
        return Response(
            {
                "session_id": session_id,
                "messages": conversation_history(conversation_id=conversation.pk),
                "bot_paused": conversation.status == Conversation.Status.HANDOFF,
                "step": conversation.step,
                "next_action": state.get("next_action", ""),
            }
        )


class WebChatMessagesApi(JsonApi):
    """The web chat polls here for advisors' messages and notices newer than ``after``."""

    authentication_classes: list[Any] = []
    permission_classes: list[Any] = []
    throttle_classes = [WebPollThrottle]

    @extend_schema(exclude=True)
    def get(self, request: Request) -> Response:
        serializer = _WebSessionInput(data=request.query_params)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        return Response(_feed(channel="web", session_id=data["session_id"], after=data["after"]))


class WebAmortizationCsvApi(AmortizationApi):
    """The plan's amortisation table as CSV for the web chat's "Descargar tabla (CSV)" link."""

    authentication_classes: list[Any] = []
    permission_classes: list[Any] = []
    throttle_classes = [WebChatThrottle]

    @extend_schema(exclude=True)
    def get(self, request: Request) -> Response | HttpResponse:
        serializer = self.InputSerializer(data=request.query_params)
        serializer.is_valid(raise_exception=True)
        plan = financing_plan(
            price=serializer.validated_data["price"],
            down_payment=serializer.validated_data["down_payment"],
            annual_rate=settings.FINANCING_ANNUAL_RATE,
            term_months=int(serializer.validated_data["term_months"]),
        )
        return amortization_csv_response(
            plan_rows=amortization_table(plan),
            filename=f"kavak-plan-{plan.term_months}-meses.csv",
        )


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    """Documents ``Authorization: Bearer <key>`` in the OpenAPI schema."""

    target_class = "conversations.apis.ApiKeyAuthentication"
    name = "ApiKeyBearer"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "Clave creada con `manage.py create_api_key NOMBRE`.",
        }
