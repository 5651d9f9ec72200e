"""TwiML answers: empty (asynchronous mode) or the reply itself (synchronous mode)."""

from __future__ import annotations

from django.http import HttpResponse
from twilio.twiml.messaging_response import MessagingResponse

_EMPTY = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


def twiml_response(parts: tuple[str, ...] = ()) -> HttpResponse:
    """One ``<Message>`` per part (already split at 1,600 characters, in order)."""
    if not parts:
        return HttpResponse(_EMPTY, content_type="text/xml; charset=utf-8")
    response = MessagingResponse()
    for part in parts:
        response.message(part)
    return HttpResponse(str(response), content_type="text/xml; charset=utf-8")
