"""What several back-office screens show of a lead or conversation: dates, money, people, links,
the transcript."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from backoffice.selectors import (
    conversation_transcript,
)
from conversations.models import Conversation
from conversations.staff import conversation_visible_queryset
from kavak.formatting import bold_html
from leads.models import (
    LeadEvent,
)

CHANNEL_LABELS = dict(Conversation.Channel.choices)


def money(value: Any) -> str:
    try:
        return f"${Decimal(str(value)):,.2f}"
    except (InvalidOperation, ValueError):
        return "—"


def local_datetime(value: Any) -> str:
    return timezone.localtime(value).strftime("%d/%m/%Y %H:%M") if value else "—"


def short_datetime(value: Any) -> str:
    """Compact date for list columns: the year only when it is not this year."""
    local = timezone.localtime(value)
    return local.strftime("%d/%m %H:%M" if local.year == timezone.localdate().year else "%d/%m/%Y")


def user_label(user: Any) -> str:
    if user is None:
        return "el sistema"
    return str(user.get_full_name() or user.get_username())


def sales_users() -> QuerySet[Any]:
    return get_user_model().objects.filter(sales_agent__active=True, is_active=True)


def returned_html(event: LeadEvent) -> SafeString:
    """ "Volvió a escribir" with links to the conversation before and the new one."""
    data = event.data or {}

    def link(conversation_id: Any) -> SafeString | str:
        if not conversation_id:
            return "—"
        url = reverse("admin:conversations_conversation_change", args=[conversation_id])
        return format_html('<a href="{}">#{}</a>', url, conversation_id)

    return format_html(
        "Volvió a escribir ({}): conversación {} → {}",
        CHANNEL_LABELS.get(data.get("channel", ""), data.get("channel", "")),
        link(data.get("from")),
        link(data.get("to")),
    )


def transcript_html(*, conversation: Any) -> SafeString:
    """The conversation as staff read it: time, who, message and delivery status."""
    if getattr(conversation, "anonymized_at", None):
        # The rows stay (the funnel counts them), their texts are gone: say so, not "empty".
        return format_html(
            "<em>{}</em>",
            "Datos personales borrados el "
            f"{timezone.localtime(conversation.anonymized_at):%d/%m/%Y %H:%M} (plazo de "
            "conservación vencido o solicitud del cliente): los mensajes ya no se muestran.",
        )
    lines = conversation_transcript(conversation=conversation)
    if not lines:
        return format_html("<em>{}</em>", "Sin mensajes.")
    rows = format_html_join(
        "",
        "<tr class='transcript-{}'><td style='white-space:nowrap'>{}</td><td><b>{}</b></td>"
        "<td style='white-space:pre-wrap;max-width:48em'>{}</td><td>{}</td></tr>",
        (
            (
                line.who.split(" ")[0].lower(),
                timezone.localtime(line.at).strftime("%d/%m %H:%M:%S"),
                line.who,
                bold_html(line.text),
                line.delivery or "—",
            )
            for line in lines
        ),
    )
    return format_html(
        '<table class="transcript"><thead><tr><th>Hora</th><th>Quién</th><th>Mensaje</th>'
        "<th>Entrega</th></tr></thead><tbody>{}</tbody></table>",
        rows,
    )


def reply_url(conversation: Any) -> str:
    return reply_url_for(conversation.channel, conversation.pk)


def reply_url_for(channel: str, conversation_id: int) -> str:
    if channel == "whatsapp":
        return reverse("admin:channels_whatsappconversation_reply", args=[conversation_id])
    return reverse("admin:conversations_conversation_reply", args=[conversation_id])


def conversation_links(request: HttpRequest, conversation: Any) -> dict[str, str]:
    """Links from a lead to its conversation (and to the WhatsApp reply page) when allowed."""
    links: dict[str, str] = {}
    user = request.user
    if conversation_visible_queryset(user=user).filter(pk=conversation.pk).exists():
        links["conversation_url"] = reverse(
            "admin:conversations_conversation_change", args=[conversation.pk]
        )
    if conversation.channel == "whatsapp" and user.has_perm("channels.reply_whatsapp"):
        links["reply_url"] = reverse(
            "admin:channels_whatsappconversation_reply", args=[conversation.pk]
        )
        links["reply_label"] = "Responder por WhatsApp"
    elif conversation.channel != "whatsapp" and user.has_perm("conversations.reply_conversation"):
        links["reply_url"] = reverse(
            "admin:conversations_conversation_reply", args=[conversation.pk]
        )
        links["reply_label"] = (
            "Responder en el chat web" if conversation.channel == "web" else "Responder al cliente"
        )
    return links
