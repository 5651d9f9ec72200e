"""The demo web chat page (same service as /chat, the browser session is the conversation)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import ensure_csrf_cookie


@ensure_csrf_cookie
def chat_page(request: HttpRequest) -> HttpResponse:
    return render(request, "conversations/chat.html")
