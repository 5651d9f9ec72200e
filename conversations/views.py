"""The web chat page (same service as /chat; the browser keeps its conversation's session id)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import ensure_csrf_cookie


@ensure_csrf_cookie
def chat_page(request: HttpRequest) -> HttpResponse:
    return render(
        request, "conversations/chat.html", {"poll_seconds": settings.WEB_CHAT_POLL_SECONDS}
    )
