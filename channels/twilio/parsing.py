"""Twilio's form payloads → channel DTOs. Twilio adds parameters without notice: keep them all.

Whatever a (validly signed) form holds, parsing either returns a DTO every column can store or
raises ``PayloadError`` (HTTP 400): NUL characters, which PostgreSQL text and jsonb refuse, are
dropped, and identifiers longer than their columns (Twilio's SIDs are 34 characters) are refused.
"""

from __future__ import annotations

from collections.abc import Mapping

from channels.messages import InboundMessage, Media, StatusUpdate, choice_answer
from channels.phones import InvalidPhone, phone_normalise

MAX_MEDIA = 10
# Column sizes of channels.models (WhatsAppInbound, WhatsAppStatusEvent).
_MAX_LENGTHS = {
    "MessageSid": 64,
    "AccountSid": 64,
    "MessagingServiceSid": 64,
    "From": 40,
    "To": 40,
    "WaId": 32,
    "MessageStatus": 16,
}


class PayloadError(ValueError):
    """The payload lacks what every Twilio message carries (MessageSid, From, To), or a field
    cannot be what Twilio sends (longer than any SID or address)."""


def _clean(form: Mapping[str, str]) -> dict[str, str]:
    """The form as one string per name (the last value, as ``QueryDict.get``), without NULs."""
    return {str(k).replace("\x00", ""): str(v).replace("\x00", "") for k, v in form.items()}


def _get(form: Mapping[str, str], name: str) -> str:
    return (form.get(name) or "").strip()


def _check_lengths(**values: str) -> None:
    for name, value in values.items():
        if len(value) > _MAX_LENGTHS[name]:
            raise PayloadError(f"{name} is longer than {_MAX_LENGTHS[name]} characters")


def _tapped(form: Mapping[str, str]) -> str:
    """A tap on a quick reply (``ButtonPayload``/``ButtonText``) or a list item (``ListId``/
    ``ListTitle``) of a Content template: one of our options (``choice:5``) reads as the answer
    it stands for ("5"); another template's button as the text the customer saw (when Twilio
    sent no ``Body``). "" when the message is no tap."""
    for id_field in ("ListId", "ButtonPayload"):
        answer = choice_answer(_get(form, id_field))
        if answer:
            return answer
    if not _get(form, "Body"):
        return _get(form, "ListTitle") or _get(form, "ButtonText")
    return ""


def inbound_from_twilio(form: Mapping[str, str]) -> InboundMessage:
    """Parse an incoming-message webhook (text, media, location, Messaging Service payloads)."""
    form = _clean(form)
    sid = _get(form, "MessageSid") or _get(form, "SmsMessageSid")
    from_address, to_address = _get(form, "From"), _get(form, "To")
    if not sid or not from_address or not to_address:
        raise PayloadError("MessageSid, From and To are required")
    ids = {name: _get(form, name) for name in ("AccountSid", "MessagingServiceSid", "WaId")}
    _check_lengths(MessageSid=sid, From=from_address, To=to_address, **ids)
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
    body = _tapped(form) or (form.get("Body") or "").strip()
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
        account_sid=ids["AccountSid"],
        messaging_service_sid=ids["MessagingServiceSid"],
        wa_id=ids["WaId"],
        profile_name=_get(form, "ProfileName")[:120],
        kind=kind,
        media=media,
        location=location,
        payload=form,
    )


def status_from_twilio(form: Mapping[str, str]) -> StatusUpdate:
    """Parse a status callback (queued, sent, delivered, read, failed, undelivered…)."""
    form = _clean(form)
    sid = _get(form, "MessageSid") or _get(form, "SmsSid")
    status = (_get(form, "MessageStatus") or _get(form, "SmsStatus")).lower()
    if not sid or not status:
        raise PayloadError("MessageSid and MessageStatus are required")
    _check_lengths(MessageSid=sid, MessageStatus=status)
    return StatusUpdate(
        provider_sid=sid,
        status=status,
        error_code=_get(form, "ErrorCode"),
        payload=form,
    )
