"""Conversations, their versioned state, and the message log (every message in and out)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from rest_framework_api_key.models import APIKey


class Conversation(models.Model):
    """One customer conversation on one channel.

    A session idle for longer than CONVERSATION_IDLE_RESET_HOURS is closed and a new conversation
    starts for the same (channel, external_id); only one open conversation exists per pair.
    """

    class Channel(models.TextChoices):
        API = "api", "API"
        WEB = "web", "Chat web"
        WHATSAPP = "whatsapp", "WhatsApp"
        CLI = "cli", "Terminal"

    class Status(models.TextChoices):
        ACTIVE = "active", "Activa (bot)"
        HANDOFF = "handoff", "Con asesor (bot en pausa)"
        CLOSED = "closed", "Cerrada"

    channel = models.CharField("canal", max_length=16, choices=Channel.choices)
    external_id = models.CharField("id externo", max_length=128)
    status = models.CharField(
        "estado", max_length=16, choices=Status.choices, default=Status.ACTIVE
    )
    # Not indexed: ``step`` changes on most turns, and an index on it would make every turn's
    # UPDATE a non-HOT update that rewrites all of this table's indexes.
    step = models.CharField("paso", max_length=32, default="need")
    state = models.JSONField("estado del agente", default=dict)
    version = models.PositiveIntegerField("versión", default=0)
    furthest_step = models.CharField("paso más avanzado", max_length=32, default="need")
    started_at = models.DateTimeField("inicio", auto_now_add=True)
    updated_at = models.DateTimeField("actualizada", auto_now=True)
    last_message_at = models.DateTimeField("último mensaje", null=True, blank=True)
    closed_at = models.DateTimeField("cerrada", null=True, blank=True)
    handoff_at = models.DateTimeField("pasada a asesor", null=True, blank=True)
    # The one "sorry for the wait" notice of a handoff nobody answered within the SLA.
    handoff_sla_notified_at = models.DateTimeField("aviso de espera enviado", null=True, blank=True)
    # Retention or a customer's erasure request removed its personal data (backoffice/anonymise.py).
    anonymized_at = models.DateTimeField("datos personales borrados", null=True, blank=True)
    # LLM rollout, fixed when the conversation starts: the session's bucket (0-99, a hash of the
    # channel and session id) and whether it uses the model (LLM_ENABLED and bucket <
    # LLM_ROLLOUT_PERCENT then). Empty for conversations older than the rollout.
    llm_bucket = models.PositiveSmallIntegerField(
        "grupo de despliegue (0-99)", null=True, blank=True
    )
    uses_llm = models.BooleanField("con modelo de lenguaje", null=True, blank=True)

    class Meta:
        verbose_name = "conversación"
        verbose_name_plural = "conversaciones"
        permissions = [
            ("reply_conversation", "Puede responder a clientes y regresar conversaciones al bot")
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "external_id"],
                condition=Q(closed_at__isnull=True),
                name="conversation_one_open_per_session",
            )
        ]
        indexes = [
            models.Index(fields=["started_at"]),
            models.Index(fields=["channel", "external_id"]),
            # The handoff SLA sweep and the back office's "waiting for an advisor" flags. A
            # partial index: turns rewrite ``status`` with the same value, so updates stay HOT.
            models.Index(
                fields=["handoff_at"],
                condition=Q(status="handoff"),
                name="conversation_handoff_open",
            ),
            # The retention run's candidates: only rows still holding personal data.
            models.Index(
                fields=["started_at"],
                condition=Q(anonymized_at__isnull=True),
                name="conversation_not_anonymized",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} #{self.pk}"


class Message(models.Model):
    """A message in the log: what was said, in which turn, and what the agent understood."""

    class Direction(models.TextChoices):
        INBOUND = "in", "Cliente"
        OUTBOUND = "out", "Agente"
        STAFF = "staff", "Asesor"
        NOTICE = "notice", "Aviso"  # to the customer outside a turn: back to the bot, the wait

    conversation = models.ForeignKey(
        Conversation,
        on_delete=models.CASCADE,
        related_name="messages",
        verbose_name="conversación",
        db_index=False,  # the (conversation, created_at) index serves it
    )
    direction = models.CharField("dirección", max_length=8, choices=Direction.choices)
    text = models.TextField("texto", blank=True)
    turn_id = models.CharField("turno", max_length=32)
    created_at = models.DateTimeField("fecha", auto_now_add=True, db_index=True)
    step_before = models.CharField("paso antes", max_length=32, blank=True)
    step_after = models.CharField("paso después", max_length=32, blank=True)
    next_action = models.CharField("siguiente acción", max_length=40, blank=True)
    understood = models.JSONField("entendido", default=dict, blank=True)
    latency_ms = models.FloatField("latencia (ms)", null=True, blank=True)
    # Twilio MessageSid or Meta message id (wamid., longer than 64).
    provider_message_id = models.CharField("id del proveedor", max_length=128, blank=True)
    # Who wrote a staff message (or returned the conversation to the bot); empty for the agent.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="autor",
    )

    class Meta:
        verbose_name = "mensaje"
        verbose_name_plural = "mensajes"
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["conversation", "created_at"]),
            # Exact lookups only: no ``varchar_pattern_ops`` twin as ``db_index=True`` would add.
            models.Index(fields=["turn_id"], name="conversations_msg_turn_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()}: {self.text[:40]}"


class ApiClientKey(APIKey):
    """The ``/chat`` API keys as the back office shows them (in Spanish; stored hashed)."""

    class Meta:
        proxy = True
        verbose_name = "clave de API"
        verbose_name_plural = "claves de API"


class SatisfactionAnswer(models.Model):
    """A customer's answer to the one satisfaction question of a conversation (1 to 5).

    One per conversation (the question is asked at most once). ``salesperson``: who attended a
    handed-off conversation (the last staff member who wrote, else the lead's assignee), so the
    dashboard can show satisfaction per salesperson; empty when only the bot attended.
    """

    conversation = models.OneToOneField(
        Conversation,
        on_delete=models.CASCADE,
        related_name="satisfaction",
        verbose_name="conversación",
    )
    score = models.PositiveSmallIntegerField("calificación (1-5)")
    comment = models.TextField("comentario", blank=True)
    channel = models.CharField("canal", max_length=16, choices=Conversation.Channel.choices)
    handed_off = models.BooleanField("atendida por un asesor", default=False)
    salesperson = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="asesor",
    )
    created_at = models.DateTimeField("fecha", db_index=True)

    class Meta:
        verbose_name = "respuesta de satisfacción"
        verbose_name_plural = "respuestas de satisfacción"
        constraints = [
            models.CheckConstraint(
                condition=Q(score__gte=1) & Q(score__lte=5), name="satisfaction_score_1_to_5"
            )
        ]

    def __str__(self) -> str:
        return f"{self.score}/5 ({self.conversation_id})"
