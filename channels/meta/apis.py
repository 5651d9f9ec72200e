"""Meta's webhook: the subscription handshake (GET) and signed event POSTs (messages, statuses).

The POST checks ``X-Hub-Signature-256`` over the raw body before anything else is read (403,
nothing stored, when it fails), parses the envelope into channel DTOs, hands each message to the
same intake service as Twilio's webhook (exactly once on Meta's message id, the turn enqueued on
commit) and each status to the same status service, and answers 200 at once. Meta redelivers
anything not answered 200 for up to seven days, so duplicates get a 200 too.
"""

from __future__ import annotations

import logging

import orjson
from django.conf import settings
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from channels.meta.parsing import PayloadError, events_from_meta
from channels.meta.signature import SIGNATURE_HEADER, signature_valid, verify_token_matches
from channels.services import inbound_message_receive, outbound_status_record
from channels.wiring import whatsapp_meta_enabled, whatsapp_meta_route
from kavak import metrics
from kavak.http_guard import body_read
from kavak.logging import log_context
from kavak.parsers import json_depth_check

logger = logging.getLogger(__name__)

# A message body is at most 4,096 characters (about 50 KB as escaped emoji); Meta batches a few
# messages and statuses per POST. Anything bigger is refused before its signature is computed.
MAX_BODY_BYTES = 256 * 1024


def _business_phone(phone_number_id: str) -> str | None:
    route = whatsapp_meta_route(phone_number_id)
    return route.phone if route is not None else None


@extend_schema(
    parameters=[
        OpenApiParameter("hub.mode", str, description="subscribe"),
        OpenApiParameter("hub.verify_token", str, description="META_VERIFY_TOKEN"),
        OpenApiParameter("hub.challenge", str, description="echoed back"),
    ],
    responses={
        (200, "text/plain"): OpenApiResponse(description="hub.challenge, echoed"),
        400: OpenApiResponse(description="No hub.challenge"),
        403: OpenApiResponse(description="Wrong mode or verify token"),
        404: OpenApiResponse(description="No Meta number configured"),
    },
    summary="Meta webhook verification (subscription handshake)",
    methods=["GET"],
)
@extend_schema(
    request={"application/json": OpenApiTypes.OBJECT},
    responses={
        200: OpenApiResponse(description="Received (duplicates included)"),
        400: OpenApiResponse(description="Not JSON, or not a WhatsApp Business Account webhook"),
        403: OpenApiResponse(description="Invalid X-Hub-Signature-256"),
        404: OpenApiResponse(description="No Meta number configured"),
        413: OpenApiResponse(description="Body over 256 KB"),
    },
    summary="Meta WhatsApp Cloud API events (messages and statuses)",
    methods=["POST"],
)
class MetaWebhookApi(APIView):
    """Signed by Meta (POST) or checked by the verify token (GET); no session or API key."""

    authentication_classes: list[type] = []
    permission_classes: list[type] = []

    def initial(self, request: Request, *args: object, **kwargs: object) -> None:
        super().initial(request, *args, **kwargs)
        if not settings.WHATSAPP_ENABLED or not whatsapp_meta_enabled():
            raise exceptions.NotFound("El canal de WhatsApp por Meta no está activo.")

    def get(self, request: Request) -> HttpResponse:
        params = request.query_params
        if not verify_token_matches(
            mode=params.get("hub.mode", ""),
            token=params.get("hub.verify_token", ""),
            verify_token=settings.META_VERIFY_TOKEN,
        ):
            logger.warning("meta_webhook_verification_refused mode=%s", params.get("hub.mode", ""))
            raise exceptions.PermissionDenied("Token de verificación de Meta inválido.")
        challenge = params.get("hub.challenge", "")
        if not challenge or len(challenge) > 256:
            raise exceptions.ValidationError({"hub.challenge": ["Falta hub.challenge."]})
        logger.info("meta_webhook_verified")
        return HttpResponse(challenge, content_type="text/plain; charset=utf-8")

    def post(self, request: Request) -> Response:
        # The raw bytes Meta signed (DRF never parses them), refused over the limit before reading.
        body = body_read(request._request, max_bytes=MAX_BODY_BYTES)
        header = request.headers.get(SIGNATURE_HEADER, "")
        if not signature_valid(body=body, header=header, app_secret=settings.META_APP_SECRET):
            # Nothing else is logged from an unsigned request: it may be anybody's payload.
            metrics.WEBHOOK_SIGNATURE_FAILURES_TOTAL.labels(mode="meta").inc()
            reason = "missing_signature" if not header else "mismatch"
            logger.warning("meta_signature_invalid reason=%s path=%s", reason, request.path)
            raise exceptions.PermissionDenied("Firma de Meta inválida.")
        json_depth_check(body)
        try:
            data = orjson.loads(body)
        except orjson.JSONDecodeError as exc:
            raise exceptions.ParseError("El cuerpo no es JSON válido.") from exc
        try:
            events = events_from_meta(data, business_phone=_business_phone)
        except PayloadError as exc:
            raise exceptions.ValidationError({"payload": [str(exc)]}) from exc
        duplicates = 0
        with log_context(channel="whatsapp", provider="meta"):
            for message in events.messages:
                result = inbound_message_receive(message=message, reply_inline=False)
                duplicates += result.duplicate
            for update in events.statuses:
                outbound_status_record(update=update)
            if events.skipped:
                logger.warning(
                    "meta_items_skipped %s",
                    " ".join(f"{k}={v}" for k, v in sorted(events.skipped.items())),
                )
        return Response(
            {
                "messages": len(events.messages),
                "duplicates": duplicates,
                "statuses": len(events.statuses),
                "skipped": sum(events.skipped.values()),
            }
        )
