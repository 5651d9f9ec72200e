"""``POST /chat`` (a turn, API key) and ``GET /chat/<session_id>/messages`` (advisors' messages)."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from conversations.apis.outputs import ERROR_SCHEMA, ChatOutput, MessagesOutput, render_outcome
from conversations.idempotency import (
    chat_idempotency_claim,
    chat_idempotency_release,
    chat_idempotency_store,
)
from conversations.models import Conversation
from conversations.services import conversation_turn_handle
from conversations.staff import conversation_client_feed
from kavak.api import JsonApi, error_body
from kavak.http_guard import ApiKeyAuthentication, ApiKeyRateThrottle, HasApiKey, body_size_check

# An Idempotency-Key: what clients use (UUIDs, ULIDs, "turn-42:retry") without room for abuse.
_IDEMPOTENCY_KEY = re.compile(r"[A-Za-z0-9._:-]{1,128}")


class StrictCharField(serializers.CharField):
    """A JSON string and nothing else (DRF's CharField would turn ``0`` or ``true`` into text)."""

    default_error_messages = {"invalid": "Debe ser texto (string)."}

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


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
        body_size_check(request.META, max_bytes=settings.CHAT_MAX_BODY_BYTES)
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
            400: OpenApiResponse(ERROR_SCHEMA, description="Entrada inválida (nombra el campo)."),
            409: OpenApiResponse(
                ERROR_SCHEMA, description="El mensaje con esa Idempotency-Key aún se procesa."
            ),
            422: OpenApiResponse(
                ERROR_SCHEMA, description="La Idempotency-Key ya se usó con otro mensaje."
            ),
            401: OpenApiResponse(ERROR_SCHEMA, description="Falta la clave de API o es inválida."),
            413: OpenApiResponse(ERROR_SCHEMA, description="Cuerpo mayor a 16 KB."),
            415: OpenApiResponse(ERROR_SCHEMA, description="El cuerpo debe ser JSON."),
            429: OpenApiResponse(
                ERROR_SCHEMA, description="Demasiadas peticiones (ver Retry-After)."
            ),
        },
    )
    def post(self, request: Request) -> Response:
        data = request.data  # DRF's parser (depth-limited)
        fields = chat_input_fast(data)
        if fields is None:  # anything unusual: the serializer names the problem
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
        return _idempotent_turn(
            client=str(request.auth.pk), session_id=session_id, message=message, key=key
        )


def _idempotent_turn(*, client: str, session_id: str, message: str, key: str) -> Response:
    """The turn under an ``Idempotency-Key``: the first answer replayed, a retry in flight 409."""
    if not _IDEMPOTENCY_KEY.fullmatch(key):
        raise exceptions.ValidationError(
            {"Idempotency-Key": ["De 1 a 128 caracteres: letras, números, «-», «_», «.» o «:»."]}
        )
    claim = chat_idempotency_claim(client=client, session_id=session_id, key=key, message=message)
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
            400: ERROR_SCHEMA,
            401: ERROR_SCHEMA,
            404: OpenApiResponse(ERROR_SCHEMA, description="No hay una conversación abierta."),
            429: ERROR_SCHEMA,
        },
    )
    def get(self, request: Request, session_id: str) -> Response:
        serializer = self.InputSerializer(data=request.query_params)
        serializer.is_valid(raise_exception=True)
        return Response(
            client_feed_body(
                channel="api", session_id=session_id, after=serializer.validated_data["after"]
            )
        )


def client_feed_body(*, channel: str, session_id: str, after: int) -> dict[str, Any]:
    found = conversation_client_feed(channel=channel, external_id=session_id, after=after)
    if found is None:
        raise exceptions.NotFound("No hay una conversación abierta con ese session_id.")
    conversation, messages = found
    return {
        "session_id": session_id,
        "bot_paused": conversation.status == Conversation.Status.HANDOFF,
        "messages": [m.as_dict() for m in messages],
    }


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
