"""Meta's webhook JSON → the channel's neutral ``InboundMessage`` and ``StatusUpdate``.

One POST may carry several entries, changes, messages and statuses. The envelope must be what Meta
sends (``object: whatsapp_business_account`` and a list of entries) or the request is refused
(``PayloadError``, HTTP 400). Inside a valid envelope, an item we cannot use (no id, an id longer
than our columns, a number for a phone number id that is not ours) is skipped and counted, so one
odd item never makes Meta redeliver, and block, the good ones next to it.

Addresses take Twilio's shape (``whatsapp:+<digits>``) so that everything after the adapter (the
contact, the 24-hour window, the reply's ``From``) is provider-neutral: the customer is
``whatsapp:+<wa_id>`` and our side is the configured business number of the phone number id.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from channels.messages import InboundMessage, Media, StatusUpdate, choice_answer
from channels.phones import InvalidPhone, phone_normalise, whatsapp_address

MAX_ID = 128  # channels.models: message_sid / provider_sid
MAX_MEDIA = 10
_MEDIA_TYPES = ("image", "audio", "video", "document", "sticker")
_DEFAULT_MIME = {
    "image": "image/jpeg",
    "audio": "audio/ogg",
    "video": "video/mp4",
    "document": "application/octet-stream",
    "sticker": "image/webp",
}
# Not a customer message to answer: a reaction to one of ours, a number change notice.
_IGNORED_TYPES = frozenset({"reaction", "system", "ephemeral"})


class PayloadError(ValueError):
    """The body is not a WhatsApp Business Account webhook."""


@dataclass
class MetaEvents:
    messages: list[InboundMessage] = field(default_factory=list)
    statuses: list[StatusUpdate] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)

    def skip(self, reason: str) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + 1


def _clean(value: Any) -> Any:
    """Drop NUL characters everywhere (PostgreSQL text and jsonb refuse them)."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, dict):
        return {_clean(str(k)): _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def _str(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _content(message: dict[str, Any]) -> tuple[str, str, tuple[Media, ...], dict[str, str]]:
    """(kind, body, media, location) of one message object."""
    kind = _str(message.get("type"))
    if kind == "text":
        body = _str(_dict(message.get("text")).get("body"))
        return ("text" if body else "empty"), body, (), {}
    if kind == "button":  # a quick-reply button of one of our templates
        body = _str(_dict(message.get("button")).get("text"))
        return ("text" if body else "empty"), body, (), {}
    if kind == "interactive":
        # A tap on a list row or a reply button: one of our options (``choice:5``) reads as the
        # answer it stands for ("5"), anything else as the title the customer saw.
        interactive = _dict(message.get("interactive"))
        reply = _dict(interactive.get("button_reply")) or _dict(interactive.get("list_reply"))
        body = choice_answer(_str(reply.get("id"))) or _str(reply.get("title"))
        return ("text" if body else "empty"), body, (), {}
    if kind in _MEDIA_TYPES:
        obj = _dict(message.get(kind))
        media_id = _str(obj.get("id"))
        mime = _str(obj.get("mime_type")).split(";", 1)[0].strip() or _DEFAULT_MIME[kind]
        media: tuple[Media, ...] = (
            (Media(url=f"meta-media:{media_id}", content_type=mime),) if media_id else ()
        )
        caption = _str(obj.get("caption"))
        return ("media" if media else ("text" if caption else "empty")), caption, media, {}
    if kind == "contacts":
        count = min(len(_list(message.get("contacts"))), MAX_MEDIA)
        media = tuple(
            Media(url=f"meta-contact:{i}", content_type="text/vcard") for i in range(count)
        )
        return ("media" if media else "empty"), "", media, {}
    if kind == "location":
        loc = _dict(message.get("location"))
        location = {
            key: str(loc.get(name)).strip()
            for key, name in (
                ("latitude", "latitude"),
                ("longitude", "longitude"),
                ("address", "address"),
                ("label", "name"),
            )
            if loc.get(name) not in (None, "")
        }
        return ("location" if "latitude" in location else "empty"), "", (), location
    return "empty", "", (), {}  # unsupported, order, … : answered with the "text only" notice


def _message(
    *,
    message: dict[str, Any],
    business: str,
    phone_number_id: str,
    profiles: dict[str, str],
    events: MetaEvents,
) -> None:
    message_id, sender = _str(message.get("id")), _str(message.get("from"))
    if _str(message.get("type")) in _IGNORED_TYPES:
        events.skip("ignored_type")
        return
    if not message_id or not sender:
        events.skip("missing_id_or_from")
        return
    if len(message_id) > MAX_ID or len(sender) > 20:
        events.skip("too_long")
        return
    try:
        phone = phone_normalise("+" + sender.lstrip("+"))
    except InvalidPhone:
        events.skip("invalid_phone")
        return
    kind, body, media, location = _content(message)
    events.messages.append(
        InboundMessage(
            message_sid=message_id,
            from_address=whatsapp_address("+" + sender.lstrip("+")),
            to_address=whatsapp_address(business),
            phone=phone,
            body=body,
            wa_id=sender.lstrip("+")[:32],
            profile_name=profiles.get(sender, "")[:120],
            kind=kind,
            media=media[:MAX_MEDIA],
            location=location,
            payload={"provider": "meta", "phone_number_id": phone_number_id, "message": message},
        )
    )


def _status(*, status: dict[str, Any], events: MetaEvents) -> None:
    message_id, value = _str(status.get("id")), _str(status.get("status")).lower()
    if not message_id or not value:
        events.skip("status_missing_id_or_status")
        return
    if len(message_id) > MAX_ID or len(value) > 16:
        events.skip("too_long")
        return
    errors = [_dict(e) for e in _list(status.get("errors"))]
    code = str(errors[0].get("code", "")) if errors else ""
    events.statuses.append(
        StatusUpdate(
            provider_sid=message_id,
            status=value,
            error_code=code[:16],
            payload={"provider": "meta", "status": status},
            callback_key=_str(status.get("biz_opaque_callback_data"))[:120],
        )
    )


def events_from_meta(data: Any, *, business_phone: Callable[[str], str | None]) -> MetaEvents:
    """Parse a webhook POST. ``business_phone(phone_number_id)`` is our number for one of our
    phone number ids, None for anybody else's (their events are skipped)."""
    data = _clean(data)
    if not isinstance(data, dict) or data.get("object") != "whatsapp_business_account":
        raise PayloadError("expected object=whatsapp_business_account")
    if not isinstance(data.get("entry"), list):
        raise PayloadError("expected a list of entries")
    events = MetaEvents()
    for entry in _list(data["entry"]):
        for change in _list(_dict(entry).get("changes")):
            change = _dict(change)
            if change.get("field") != "messages":
                events.skip("other_field")
                continue
            value = _dict(change.get("value"))
            phone_number_id = _str(_dict(value.get("metadata")).get("phone_number_id"))
            business = business_phone(phone_number_id) if phone_number_id else None
            if business is None:
                events.skip("unknown_phone_number_id")
                continue
            profiles = {
                _str(c.get("wa_id")): _str(_dict(c.get("profile")).get("name"))
                for c in map(_dict, _list(value.get("contacts")))
            }
            for message in map(_dict, _list(value.get("messages"))):
                _message(
                    message=message,
                    business=business,
                    phone_number_id=phone_number_id,
                    profiles=profiles,
                    events=events,
                )
            for status in map(_dict, _list(value.get("statuses"))):
                _status(status=status, events=events)
    return events
