"""Twilio's form payloads → channel DTOs. Twilio adds parameters without notice: keep them all."""

from __future__ import annotations

from collections.abc import Mapping

from channels.messages import InboundMessage, Media, StatusUpdate
from channels.phones import InvalidPhone, phone_normalise

MAX_MEDIA = 10


class PayloadError(ValueError):
    """The payload lacks what every Twilio message carries (MessageSid, From, To)."""


def _get(form: Mapping[str, str], name: str) -> str:
    return (form.get(name) or "").strip()


def inbound_from_twilio(form: Mapping[str, str]) -> InboundMessage:
    """Parse an incoming-message webhook (text, media, location, Messaging Service payloads)."""
    sid = _get(form, "MessageSid") or _get(form, "SmsMessageSid")
    from_address, to_address = _get(form, "From"), _get(form, "To")
    if not sid or not from_address or not to_address:
        raise PayloadError("MessageSid, From and To are required")
    try:
        phone = phone_normalise(from_address)
    except InvalidPhone as exc:
        raise PayloadError(str(exc)) from exc
    try:
        num_media = min(int(_get(form, "NumMedia") or 0), MAX_MEDIA)
    except ValueError:
        num_media = 0
    media = tuple(
        Media(url=_get(form, f"MediaUrl{i}"), content_type=_get(form, f"MediaContentType{i}"))
        for i in range(num_media)
        if _get(form, f"MediaUrl{i}")
    )
    location = {
        key: _get(form, name)
        for key, name in (
            ("latitude", "Latitude"),
            ("longitude", "Longitude"),
            ("address", "Address"),
            ("label", "Label"),
        )
        if _get(form, name)
    }
    body = (form.get("Body") or "").strip()
    if "latitude" in location:
        kind = "location"
    elif media:
        kind = "media"
    elif body:
        kind = "text"
    else:
        kind = "empty"
    return InboundMessage(
        message_sid=sid,
        from_address=from_address,
        to_address=to_address,
        phone=phone,
        body=body,
        account_sid=_get(form, "AccountSid"),
        messaging_service_sid=_get(form, "MessagingServiceSid"),
        wa_id=_get(form, "WaId"),
        profile_name=_get(form, "ProfileName")[:120],
        kind=kind,
        media=media,
        location=location,
        payload={str(k): str(v) for k, v in form.items()},
    )


def status_from_twilio(form: Mapping[str, str]) -> StatusUpdate:
    """Parse a status callback (queued, sent, delivered, read, failed, undelivered…)."""
    sid = _get(form, "MessageSid") or _get(form, "SmsSid")
    status = (_get(form, "MessageStatus") or _get(form, "SmsStatus")).lower()
    if not sid or not status:
        raise PayloadError("MessageSid and MessageStatus are required")
    return StatusUpdate(
        provider_sid=sid,
        status=status,
        error_code=_get(form, "ErrorCode"),
        payload={str(k): str(v) for k, v in form.items()},
    )
