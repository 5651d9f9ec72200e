"""The web chat at ``/``: a turn, the history after a reload and the poll for advisors' messages."""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from conversations.apis.chat import client_feed_body
from conversations.apis.outputs import render_outcome
from conversations.models import Conversation
from conversations.services import conversation_turn_handle
from conversations.staff import conversation_history, conversation_open_get
from kavak.api import JsonApi
from kavak.http_guard import WebChatThrottle, WebPollThrottle, body_size_check, csrf_enforce

WEB_SESSION_RE = r"^[A-Za-z0-9_-]{20,64}$"


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
        body_size_check(request.META, max_bytes=settings.CHAT_MAX_BODY_BYTES)
        csrf_enforce(request)
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


class _WebPollApi(JsonApi):
    """What the page's polling endpoints share: no key, the poll throttle, the session's query."""

    authentication_classes: list[Any] = []
    permission_classes: list[Any] = []
    throttle_classes = [WebPollThrottle]

    @staticmethod
    def _session_query(request: Request) -> dict[str, Any]:
        serializer = _WebSessionInput(data=request.query_params)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)


class WebChatHistoryApi(_WebPollApi):
    """The open conversation of the browser's session, for the page to redraw after a reload."""

    @extend_schema(exclude=True)
    def get(self, request: Request) -> Response:
        session_id = self._session_query(request)["session_id"]
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


class WebChatMessagesApi(_WebPollApi):
    """The web chat polls here for advisors' messages and notices newer than ``after``."""

    @extend_schema(exclude=True)
    def get(self, request: Request) -> Response:
        data = self._session_query(request)
        return Response(
            client_feed_body(channel="web", session_id=data["session_id"], after=data["after"])
        )
