"""Back office for WhatsApp: conversations with their transcript, staff replies, raw deliveries.

Admin is an interface: reading is free, every change goes through a service (reply, template,
return to bot). Deliveries in and out are read-only records.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from channels.models import (
    WhatsAppContact,
    WhatsAppConversation,
    WhatsAppInbound,
    WhatsAppOutbound,
    WhatsAppStatusEvent,
)
from channels.selectors import whatsapp_transcript, whatsapp_window, window_from
from channels.services import (
    staff_reply_send,
    staff_template_send,
    whatsapp_conversation_return_to_bot,
)
from channels.wiring import whatsapp_default_address, whatsapp_template, whatsapp_template_setting
from conversations.models import Conversation
from conversations.staff import conversation_visible_queryset
from kavak.admin_site import admin_user
from kavak.exceptions import ApplicationError
from kavak.formatting import bold_html
from kavak.labels import step_label


class _ReadOnlyAdmin(admin.ModelAdmin[Any]):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AssignedToMeFilter(admin.SimpleListFilter):
    title = "asignación"
    parameter_name = "asignadas"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("mias", "Mis leads")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "mias":
            return queryset.filter(leads__assigned_to=request.user).distinct()
        return queryset


class StaffReplyForm(forms.Form):
    text = forms.CharField(
        label="Mensaje para el cliente",
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
        required=False,
        max_length=4000,
    )


@admin.register(WhatsAppConversation)
class WhatsAppConversationAdmin(_ReadOnlyAdmin):
    list_display = (
        "id", "customer", "status", "step_label", "window", "last_message_at", "reply_link",
    )  # fmt: skip
    list_filter = ("status", AssignedToMeFilter)
    search_fields = ("external_id",)
    date_hierarchy = "started_at"
    fields = (
        "customer", "status", "step_label", "handoff_at", "last_message_at", "window", "transcript",
    )  # fmt: skip
    readonly_fields = fields
    actions = ["return_to_bot"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        contacts = WhatsAppContact.objects.filter(phone=OuterRef("external_id"))
        inbound = WhatsAppInbound.objects.filter(phone=OuterRef("external_id"))
        queryset: QuerySet[Any] = (
            super()
            .get_queryset(request)
            .filter(channel=Conversation.Channel.WHATSAPP)
            # A salesperson sees (and replies to) only the customers behind their own leads.
            .filter(pk__in=conversation_visible_queryset(user=request.user).values("pk"))
            .annotate(
                wa_profile_name=Subquery(contacts.values("profile_name")[:1]),
                wa_last_inbound_at=Subquery(
                    inbound.order_by("-received_at").values("received_at")[:1]
                ),
            )
        )
        return queryset

    def has_reply_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("channels.reply_whatsapp")

    @admin.display(description="cliente")
    def customer(self, obj: Conversation) -> str:
        name = getattr(obj, "wa_profile_name", "") or ""
        return f"{name} ({obj.external_id})" if name else obj.external_id

    @admin.display(description="paso", ordering="step")
    def step_label(self, obj: Conversation) -> str:
        return step_label(obj.step)

    @admin.display(description="ventana de 24 h")
    def window(self, obj: Conversation) -> str:
        window = window_from(getattr(obj, "wa_last_inbound_at", None), now=timezone.now())
        if window.open and window.closes_at:
            return f"Abierta hasta {timezone.localtime(window.closes_at):%d/%m %H:%M}"
        return "Cerrada: solo plantilla aprobada"

    @admin.display(description="transcripción")
    def transcript(self, obj: Conversation) -> str:
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td><b>{}</b></td><td style='white-space:pre-wrap'>{}</td>"
            "<td>{}</td></tr>",
            (
                (
                    f"{timezone.localtime(line.at):%d/%m %H:%M:%S}",
                    line.who,
                    bold_html(line.text),
                    line.delivery,
                )
                for line in whatsapp_transcript(conversation=obj)
            ),
        )
        return format_html(
            "<table><thead><tr><th>Hora</th><th>Quién</th><th>Mensaje</th><th>Entrega</th>"
            "</tr></thead><tbody>{}</tbody></table>",
            rows,
        )

    @admin.display(description="")
    def reply_link(self, obj: Conversation) -> str:
        url = reverse("admin:channels_whatsappconversation_reply", args=[obj.pk])
        return format_html('<a href="{}">Responder</a>', url)

    def get_urls(self) -> list[Any]:
        return [
            path(
                "<int:conversation_id>/reply/",
                self.admin_site.admin_view(self.reply_view),
                name="channels_whatsappconversation_reply",
            ),
            *super().get_urls(),
        ]

    def reply_view(self, request: HttpRequest, conversation_id: int) -> HttpResponse:
        conversation = get_object_or_404(self.get_queryset(request), pk=conversation_id)
        if not request.user.has_perm("channels.view_whatsappconversation"):
            raise PermissionDenied
        can_reply = self.has_reply_permission(request)
        window = whatsapp_window(phone=conversation.external_id, now=timezone.now())
        # The template of the provider of the number the customer wrote to (Twilio or Meta).
        contact = WhatsAppContact.objects.filter(phone=conversation.external_id).first()
        business = (contact.last_to if contact else "") or whatsapp_default_address()
        template = whatsapp_template(purpose="staff", business_address=business)
        template_setting = whatsapp_template_setting(purpose="staff", business_address=business)
        form = StaffReplyForm(request.POST or None)
        user = admin_user(request)
        if request.method == "POST":
            if not can_reply:
                raise PermissionDenied
            action = request.POST.get("action", "reply")
            try:
                if action == "return_to_bot":
                    whatsapp_conversation_return_to_bot(
                        conversation_id=conversation.pk, user=request.user
                    )
                    self.message_user(request, "La conversación regresó al bot.", messages.SUCCESS)
                elif action == "template":
                    staff_template_send(
                        conversation_id=conversation.pk,
                        user_id=user.id,
                        staff_name=user.get_short_name() or user.get_username(),
                    )
                    self.message_user(request, "Plantilla enviada.", messages.SUCCESS)
                elif form.is_valid():
                    staff_reply_send(
                        conversation_id=conversation.pk,
                        user_id=user.id,
                        text=form.cleaned_data["text"],
                    )
                    self.message_user(request, "Mensaje enviado al cliente.", messages.SUCCESS)
            except ApplicationError as exc:
                self.message_user(request, exc.message, messages.ERROR)
            return HttpResponseRedirect(request.path)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Responder por WhatsApp · {self.customer(conversation)}",
            "opts": self.model._meta,
            "conversation": conversation,
            "paused": conversation.status == Conversation.Status.HANDOFF,
            "window": window,
            "template_configured": bool(template),
            "template_sid": template,
            "template_setting": template_setting,
            "can_reply": can_reply,
            "form": form,
            "transcript": self.transcript(conversation),
        }
        return TemplateResponse(request, "admin/channels/whatsapp_reply.html", context)

    @admin.action(description="Regresar la conversación al bot", permissions=["reply"])
    def return_to_bot(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        count = 0
        for conversation in queryset.filter(status=Conversation.Status.HANDOFF):
            whatsapp_conversation_return_to_bot(conversation_id=conversation.pk, user=request.user)
            count += 1
        self.message_user(request, f"{count} conversación(es) regresadas al bot.", messages.SUCCESS)


@admin.register(WhatsAppInbound)
class WhatsAppInboundAdmin(_ReadOnlyAdmin):
    list_display = (
        "received_at",
        "phone",
        "kind",
        "short_body",
        "status",
        "transcription_status",
        "message_sid",
    )
    list_filter = ("status", "kind", "transcription_status")
    search_fields = ("phone", "message_sid")
    date_hierarchy = "received_at"

    @admin.display(description="texto")
    def short_body(self, obj: WhatsAppInbound) -> str:
        return (obj.body or obj.transcription)[:80]


@admin.register(WhatsAppOutbound)
class WhatsAppOutboundAdmin(_ReadOnlyAdmin):
    list_display = ("created_at", "to_phone", "kind", "seq", "status", "error_code", "attempts")
    list_filter = ("status", "kind")
    search_fields = ("to_phone", "provider_sid", "idempotency_key")
    date_hierarchy = "created_at"


@admin.register(WhatsAppContact)
class WhatsAppContactAdmin(_ReadOnlyAdmin):
    list_display = ("phone", "profile_name", "last_inbound_at", "opted_out_at")
    list_filter = (("opted_out_at", admin.EmptyFieldListFilter),)
    search_fields = ("phone", "profile_name")


@admin.register(WhatsAppStatusEvent)
class WhatsAppStatusEventAdmin(_ReadOnlyAdmin):
    list_display = ("received_at", "provider_sid", "status", "error_code")
    list_filter = ("status",)
    search_fields = ("provider_sid",)
