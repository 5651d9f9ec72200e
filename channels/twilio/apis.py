"""Twilio's webhooks: incoming WhatsApp messages and delivery status callbacks.

Both verify ``X-Twilio-Signature`` first (403, nothing stored, when it fails in enforce mode), parse
the form into a channel DTO, call one service and answer at once. Twilio allows 15 s and retries
on connection failures; duplicates therefore get a plain 200 (a 4xx/5xx would make it retry or
fall back).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import TypeVar

from django.conf import settings
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions
from rest_framework.parsers import FormParser
from rest_framework.request import Request
from rest_framework.views import APIView

from channels.services import inbound_message_receive, outbound_status_record
from channels.twilio.parsing import PayloadError, inbound_from_twilio, status_from_twilio
from channels.twilio.signature import webhook_signature_check
from channels.twilio.twiml import twiml_response
from kavak.http_guard import body_size_check
from kavak.logging import log_context

logger = logging.getLogger(__name__)

_Dto = TypeVar("_Dto")


# Twilio's largest form (a 4,096-character WhatsApp body, every character a percent-encoded
# 4-byte emoji) is about 50 KB: anything bigger is refused before its signature is even computed.
MAX_BODY_BYTES = 128 * 1024


class _TwilioApi(APIView):
    """Form-encoded, signed by Twilio, no session or API key."""

    parser_classes = [FormParser]
    authentication_classes: list[type] = []
    permission_classes: list[type] = []

    def initial(self, request: Request, *args: object, **kwargs: object) -> None:
        super().initial(request, *args, **kwargs)
        if not settings.WHATSAPP_ENABLED:
            raise exceptions.NotFound("El canal de WhatsApp no está activo.")
        body_size_check(request.META, max_bytes=MAX_BODY_BYTES)
        check = webhook_signature_check(request._request)
        if not check.ok:
            raise exceptions.PermissionDenied("Firma de Twilio inválida.")

    @staticmethod
    def _parsed(request: Request, parse: Callable[[Mapping[str, str]], _Dto]) -> _Dto:
        """The form as ``parse`` reads it; a ``PayloadError`` is a 400 naming the payload."""
        try:
            # Django's form parse, already done for the signature (DRF would parse it again).
            return parse(request._request.POST)
        except PayloadError as exc:
            raise exceptions.ValidationError({"payload": [str(exc)]}) from exc


# The answers both webhooks give before their own: a bad signature, the channel off, a huge body.
_SIGNED_FORM_ERRORS = {
    403: OpenApiResponse(description="Invalid X-Twilio-Signature"),
    404: OpenApiResponse(description="WhatsApp channel disabled"),
    413: OpenApiResponse(description="Body over 128 KB"),
}


@extend_schema(
    request={"application/x-www-form-urlencoded": OpenApiTypes.OBJECT},
    responses={
        200: OpenApiResponse(description="TwiML (empty in async mode)"),
        400: OpenApiResponse(description="Payload without MessageSid/From/To, or unusable"),
        **_SIGNED_FORM_ERRORS,
    },
    summary="Twilio incoming WhatsApp message",
)
class WhatsAppInboundWebhookApi(_TwilioApi):
    def post(self, request: Request) -> HttpResponse:
        message = self._parsed(request, inbound_from_twilio)
        with log_context(channel="whatsapp"):
            result = inbound_message_receive(message=message)
        return twiml_response(result.reply_parts)


@extend_schema(
    request={"application/x-www-form-urlencoded": OpenApiTypes.OBJECT},
    responses={
        204: OpenApiResponse(description="Recorded"),
        400: OpenApiResponse(description="Payload without MessageSid/MessageStatus"),
        **_SIGNED_FORM_ERRORS,
    },
    summary="Twilio message status callback",
)
class WhatsAppStatusCallbackApi(_TwilioApi):
    def post(self, request: Request) -> HttpResponse:
        update = self._parsed(request, status_from_twilio)
        outbound_status_record(update=update)
        return HttpResponse(status=204)
