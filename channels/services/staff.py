"""Staff on WhatsApp: replies from the back office (24-hour rule), templates, return to bot,
and the notices of a handoff (sent through Twilio, logged in the conversation like on any channel).
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from channels.formatting import message_split
from channels.models import WhatsAppContact, WhatsAppOutbound
from channels.selectors import whatsapp_window
from channels.services.outbound import (
    outbound_group_schedule,
    outbound_parts_create,
    outbound_reply_parts,
)
from channels.wiring import whatsapp_default_address, whatsapp_template, whatsapp_template_setting
from conversations.models import Conversation, Message
from conversations.satisfaction import satisfaction_ask_after_handoff
from conversations.staff import conversation_release
from kavak.exceptions import ApplicationError

logger = logging.getLogger(__name__)

CHANNEL = Conversation.Channel.WHATSAPP


def _staff_target(*, conversation_id: int) -> tuple[Conversation, WhatsAppContact]:
    conversation = Conversation.objects.filter(pk=conversation_id, channel=CHANNEL).first()
    if conversation is None:
        raise ApplicationError("La conversación no es de WhatsApp.")
    contact = WhatsAppContact.objects.filter(phone=conversation.external_id).first()
    if contact is None or not contact.last_from:
        raise ApplicationError("Este cliente todavía no nos ha escrito por WhatsApp.")
    if contact.opted_out_at is not None:
        raise ApplicationError(
            "El cliente pidió no recibir mensajes (escribió BAJA). No se le puede escribir."
        )
    return conversation, contact


def _staff_rows(
    *,
    conversation: Conversation,
    contact: WhatsAppContact,
    user_id: int,
    kind: str,
    bodies: list[str],
    log_text: str,
    content_sid: str = "",
    variables: dict[str, str] | None = None,
) -> str:
    turn_id = uuid.uuid4().hex
    group = f"staff-{turn_id}"
    with transaction.atomic():
        Message.objects.create(
            conversation=conversation,
            direction=Message.Direction.STAFF,
            text=log_text,
            turn_id=turn_id,
            step_before=conversation.step,
            step_after=conversation.step,
            author_id=user_id,
        )
        outbound_parts_create(
            group=group,
            bodies=bodies,
            kind=kind,
            to_address=contact.last_from,
            from_address=contact.last_to or whatsapp_default_address(),
            to_phone=contact.phone,
            content_sid=content_sid,
            content_variables=variables or {},
            conversation=conversation,
            turn_id=turn_id,
            sent_by_id=user_id,
        )
        outbound_group_schedule(group=group)
    return group


def staff_reply_send(
    *, conversation_id: int, user_id: int, text: str, now: datetime | None = None
) -> str:
    """A salesperson writes to the customer from the back office (free text).

    WhatsApp allows free-form business messages only within 24 hours of the customer's last
    message; outside it only an approved template may be sent (``staff_template_send``).
    """
    now = now or timezone.now()
    text = text.strip()  # any length: long replies are split into WhatsApp-sized parts
    if not text:
        raise ApplicationError("Escribe el mensaje para el cliente.")
    conversation, contact = _staff_target(conversation_id=conversation_id)
    window = whatsapp_window(phone=contact.phone, now=now)
    if not window.open:
        raise ApplicationError(
            "Han pasado más de 24 horas desde el último mensaje del cliente: WhatsApp solo "
            "permite enviarle una plantilla aprobada."
        )
    group = _staff_rows(
        conversation=conversation,
        contact=contact,
        user_id=user_id,
        kind=WhatsAppOutbound.Kind.STAFF,
        bodies=message_split(text),
        log_text=text,
    )
    logger.info("whatsapp_staff_reply conversation_id=%s user_id=%s", conversation_id, user_id)
    return group


def staff_template_send(*, conversation_id: int, user_id: int, staff_name: str) -> str:
    """Outside the 24-hour window: send the approved template of the provider of the number the
    customer wrote to (``TWILIO_STAFF_TEMPLATE_CONTENT_SID`` or ``META_STAFF_TEMPLATE``)."""
    conversation, contact = _staff_target(conversation_id=conversation_id)
    business = contact.last_to or whatsapp_default_address()
    content_sid = whatsapp_template(purpose="staff", business_address=business)
    if not content_sid:
        variable = whatsapp_template_setting(purpose="staff", business_address=business)
        raise ApplicationError(f"No hay una plantilla aprobada configurada ({variable}).")
    variables = {"1": (contact.profile_name or "").split(" ")[0] or "cliente", "2": staff_name}
    group = _staff_rows(
        conversation=conversation,
        contact=contact,
        user_id=user_id,
        kind=WhatsAppOutbound.Kind.TEMPLATE,
        bodies=[""],
        log_text=f"[plantilla {content_sid}]",
        content_sid=content_sid,
        variables=variables,
    )
    logger.info("whatsapp_staff_template conversation_id=%s user_id=%s", conversation_id, user_id)
    return group


def whatsapp_notice_send(*, notice: Message, now: datetime | None = None) -> str:
    """Send a notice already in the conversation's log (back to the bot, the wait for an
    advisor) to the WhatsApp customer, inside the 24-hour window; returns the outbound group.

    Outside the window, or when the customer opted out, nothing is sent (the log keeps it and
    says so in the transcript): a free-form notice is not worth a paid template.
    """
    now = now or timezone.now()
    conversation = notice.conversation
    contact = WhatsAppContact.objects.filter(phone=conversation.external_id).first()
    if contact is None or not contact.last_from or contact.opted_out_at is not None:
        logger.info("whatsapp_notice_skipped conversation_id=%s reason=no_contact", conversation.pk)
        return ""
    if not whatsapp_window(phone=contact.phone, now=now).open:
        logger.info("whatsapp_notice_skipped conversation_id=%s reason=window", conversation.pk)
        return ""
    group = f"notice-{notice.turn_id}"
    # The satisfaction question after a handoff: options to tap, where the provider allows it.
    bodies, question = outbound_reply_parts(
        notice.text, survey=bool((notice.understood or {}).get("survey"))
    )
    with transaction.atomic():
        outbound_parts_create(
            group=group,
            bodies=bodies,
            question=question,
            kind=WhatsAppOutbound.Kind.NOTICE,
            to_address=contact.last_from,
            from_address=contact.last_to or whatsapp_default_address(),
            to_phone=contact.phone,
            conversation=conversation,
            turn_id=notice.turn_id,
            sent_by_id=notice.author_id,
        )
        outbound_group_schedule(group=group)
    return group


def whatsapp_conversation_return_to_bot(*, conversation_id: int, user: object = None) -> None:
    """Staff hand the customer back to the bot; the customer is told, and the bot answers again
    from the next message."""
    notice = conversation_release(conversation_id=conversation_id, author=user)
    if notice is not None:
        whatsapp_notice_send(notice=notice)
        whatsapp_satisfaction_ask(conversation_id=conversation_id)
    logger.info("whatsapp_returned_to_bot conversation_id=%s", conversation_id)


def whatsapp_satisfaction_ask(*, conversation_id: int, now: datetime | None = None) -> str:
    """After a handoff closed: the satisfaction question, sent after the back-to-bot notice
    through the same outbound rows and send task (their order per customer is kept).

    Only to a customer who may get a free-form message: not opted out, inside the 24-hour window
    (a paid template is not worth it). Returns the outbound group, "" when nothing was sent.
    """
    now = now or timezone.now()
    conversation = Conversation.objects.filter(pk=conversation_id, channel=CHANNEL).first()
    if conversation is None:
        return ""
    contact = WhatsAppContact.objects.filter(phone=conversation.external_id).first()
    if contact is None or not contact.last_from or contact.opted_out_at is not None:
        return ""
    if not whatsapp_window(phone=contact.phone, now=now).open:
        return ""
    question = satisfaction_ask_after_handoff(conversation_id=conversation_id, now=now)
    if question is None:
        return ""
    return whatsapp_notice_send(notice=question, now=now)
