"""WhatsApp through Twilio or Meta: contacts, every delivery in and out, and delivery status events.

The database is the truth for exactly-once: an inbound message is unique on Twilio's
``MessageSid`` (Redis only answers duplicates faster) and an outbound message is unique on its
idempotency key and is written ``pending`` before Twilio is called.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from conversations.models import Conversation


class WhatsAppContact(models.Model):
    """One customer number. Its row lock serialises the processing of that customer's messages."""

    phone = models.CharField("teléfono", max_length=16, unique=True)
    wa_id = models.CharField("WhatsApp id", max_length=32, blank=True)
    profile_name = models.CharField("nombre de perfil", max_length=120, blank=True)
    last_from = models.CharField("última dirección del cliente", max_length=40, blank=True)
    last_to = models.CharField("último número de Kavak", max_length=40, blank=True)
    last_inbound_at = models.DateTimeField("último mensaje del cliente", null=True, blank=True)
    opted_out_at = models.DateTimeField("pidió baja", null=True, blank=True)
    created_at = models.DateTimeField("creado", auto_now_add=True)
    updated_at = models.DateTimeField("actualizado", auto_now=True)

    class Meta:
        verbose_name = "contacto de WhatsApp"
        verbose_name_plural = "contactos de WhatsApp"

    def __str__(self) -> str:
        return f"WhatsApp ***{self.phone[-4:]}"


class WhatsAppInbound(models.Model):
    """A message Twilio delivered to the webhook, stored once per ``MessageSid``."""

    class Kind(models.TextChoices):
        TEXT = "text", "Texto"
        MEDIA = "media", "Archivo"
        LOCATION = "location", "Ubicación"
        EMPTY = "empty", "Vacío"

    class Status(models.TextChoices):
        RECEIVED = "received", "Recibido (por procesar)"
        PROCESSED = "processed", "Procesado"
        THROTTLED = "throttled", "Límite de mensajes (sin respuesta)"
        OPTED_OUT = "opted_out", "Cliente dado de baja (sin respuesta)"
        FAILED = "failed", "Error al procesar (sin respuesta)"

    # Twilio's MessageSid (34 characters) or Meta's message id (``wamid.…``, up to ~100).
    message_sid = models.CharField("MessageSid", max_length=128, unique=True)
    account_sid = models.CharField("AccountSid", max_length=64, blank=True)
    messaging_service_sid = models.CharField("MessagingServiceSid", max_length=64, blank=True)
    from_address = models.CharField("From", max_length=40)
    to_address = models.CharField("To", max_length=40)
    phone = models.CharField("teléfono", max_length=16)
    wa_id = models.CharField("WaId", max_length=32, blank=True)
    profile_name = models.CharField("nombre de perfil", max_length=120, blank=True)
    body = models.TextField("texto", blank=True)
    kind = models.CharField("tipo", max_length=10, choices=Kind.choices, default=Kind.TEXT)
    media = models.JSONField("archivos", default=list, blank=True)
    location = models.JSONField("ubicación", default=dict, blank=True)
    payload = models.JSONField("payload de Twilio", default=dict, blank=True)
    # Voice notes (issue 20): what the customer said, and how transcribing went: "" not tried yet,
    # "ok", "disabled" (LLM or voice notes off, or the conversation outside the model's rollout),
    # or why it failed (too_large, timeout, …). The media reference stays in ``media``.
    transcription = models.TextField("transcripción", blank=True)
    transcription_status = models.CharField("transcripción (resultado)", max_length=24, blank=True)
    status = models.CharField(
        "estado", max_length=12, choices=Status.choices, default=Status.RECEIVED
    )
    rate_notice = models.BooleanField("aviso de límite", default=False)
    conversation = models.ForeignKey(
        Conversation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="whatsapp_inbound",
        verbose_name="conversación",
    )
    turn_id = models.CharField("turno", max_length=32, blank=True)
    reply_group = models.CharField("respuesta", max_length=48, blank=True)
    received_at = models.DateTimeField("recibido", db_index=True)
    processed_at = models.DateTimeField("procesado", null=True, blank=True)
    anonymized_at = models.DateTimeField("datos personales borrados", null=True, blank=True)

    class Meta:
        verbose_name = "mensaje recibido (WhatsApp)"
        verbose_name_plural = "mensajes recibidos (WhatsApp)"
        indexes = [
            models.Index(
                fields=["phone", "received_at"],
                condition=Q(status="received"),
                name="wa_inbound_pending",
            ),
            models.Index(fields=["phone", "received_at"], name="wa_inbound_phone"),
            models.Index(
                fields=["received_at"],
                condition=Q(anonymized_at__isnull=True),
                name="wa_inbound_not_anonymized",
            ),
        ]

    def __str__(self) -> str:
        return self.message_sid


class WhatsAppOutbound(models.Model):
    """One message we send. Written ``pending`` before Twilio is called; unique per key.

    ``group`` ties the parts of one answer (a turn's reply split at 1,600 characters, a notice, a
    staff reply) so they are sent in ``seq`` order.
    """

    class Kind(models.TextChoices):
        REPLY = "reply", "Respuesta del agente"
        NOTICE = "notice", "Aviso del canal"
        STAFF = "staff", "Asesor"
        TEMPLATE = "template", "Plantilla"
        SALES = "sales", "Aviso a ventas"

    class Status(models.TextChoices):
        PENDING = "pending", "Por enviar"
        IN_FLIGHT = "in_flight", "Enviando"
        UNKNOWN = "unknown", "Sin confirmar (verificando)"
        QUEUED = "queued", "Aceptado por Twilio"
        SENT = "sent", "Enviado"
        DELIVERED = "delivered", "Entregado"
        READ = "read", "Leído"
        UNDELIVERED = "undelivered", "No entregado"
        FAILED = "failed", "Fallido"
        SUPPRESSED = "suppressed", "No enviado (baja)"
        TWIML = "twiml", "Respondido en TwiML"

    idempotency_key = models.CharField("clave de idempotencia", max_length=120, unique=True)
    group = models.CharField("grupo", max_length=100, db_index=True)
    seq = models.PositiveSmallIntegerField("parte", default=0)
    kind = models.CharField("tipo", max_length=10, choices=Kind.choices, default=Kind.REPLY)
    to_address = models.CharField("To", max_length=40)
    from_address = models.CharField("From", max_length=40)
    to_phone = models.CharField("teléfono", max_length=16, db_index=True)
    body = models.TextField("texto", blank=True)
    content_sid = models.CharField("plantilla (ContentSid)", max_length=64, blank=True)
    content_variables = models.JSONField("variables", default=dict, blank=True)
    # A question to answer by tapping an option (``channels.messages.Choices.to_json``; {} for
    # plain text): the CSAT question. Provider-neutral: the sender's adapter renders it.
    choices = models.JSONField("opciones de respuesta", default=dict, blank=True)
    bypass_opt_out = models.BooleanField("ignora la baja", default=False)
    conversation = models.ForeignKey(
        Conversation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="whatsapp_outbound",
        verbose_name="conversación",
    )
    turn_id = models.CharField("turno", max_length=32, blank=True, db_index=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="enviado por",
    )
    status = models.CharField(
        "estado", max_length=12, choices=Status.choices, default=Status.PENDING
    )
    provider_sid = models.CharField(
        "MessageSid", max_length=128, null=True, blank=True, unique=True
    )
    attempts = models.PositiveSmallIntegerField("intentos", default=0)
    error_code = models.CharField("código de error", max_length=16, blank=True)
    last_error = models.CharField("último error", max_length=300, blank=True)
    created_at = models.DateTimeField("creado", auto_now_add=True)
    attempt_started_at = models.DateTimeField("último intento", null=True, blank=True)
    sent_at = models.DateTimeField("aceptado por Twilio", null=True, blank=True)
    delivered_at = models.DateTimeField("entregado", null=True, blank=True)
    read_at = models.DateTimeField("leído", null=True, blank=True)
    updated_at = models.DateTimeField("actualizado", auto_now=True)
    anonymized_at = models.DateTimeField("datos personales borrados", null=True, blank=True)

    class Meta:
        verbose_name = "mensaje enviado (WhatsApp)"
        verbose_name_plural = "mensajes enviados (WhatsApp)"
        ordering = ["created_at", "seq"]
        indexes = [
            models.Index(fields=["to_phone", "status"], name="wa_outbound_phone_status"),
            models.Index(
                fields=["created_at"],
                condition=Q(anonymized_at__isnull=True),
                name="wa_outbound_not_anonymized",
            ),
        ]

    def __str__(self) -> str:
        return self.idempotency_key


class WhatsAppStatusEvent(models.Model):
    """Every status callback as the provider sent it (it may arrive before we know the SID)."""

    provider_sid = models.CharField("MessageSid", max_length=128, db_index=True)
    status = models.CharField("estado", max_length=16)
    # Meta echoes the key we sent (biz_opaque_callback_data): it ties a status to a part whose
    # send answer was lost, as the Graph API has no list of sent messages to reconcile against.
    callback_key = models.CharField("clave de envío", max_length=120, blank=True, db_index=True)
    error_code = models.CharField("código de error", max_length=16, blank=True)
    payload = models.JSONField("payload de Twilio", default=dict, blank=True)
    received_at = models.DateTimeField("recibido")

    class Meta:
        verbose_name = "estado de entrega"
        verbose_name_plural = "estados de entrega"
        # The retention run deletes callbacks older than RETENTION_DELIVERY_DAYS by this date.
        indexes = [models.Index(fields=["received_at"], name="wa_status_event_received")]

    def __str__(self) -> str:
        return f"{self.provider_sid}:{self.status}"


class WhatsAppConversation(Conversation):
    """WhatsApp conversations as sales staff see them: transcript, reply, return to bot."""

    class Meta:
        proxy = True
        verbose_name = "conversación de WhatsApp"
        verbose_name_plural = "conversaciones de WhatsApp"
        permissions = [("reply_whatsapp", "Puede responder a clientes por WhatsApp")]
