"""Leads captured by the agent: contact data, the chosen car, and the financing snapshot."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Lead(models.Model):
    """A customer who left contact details or asked for a human.

    One open lead per phone: a returning customer updates theirs instead of creating another.
    """

    class Status(models.TextChoices):
        NEW = "nuevo", "Nuevo"
        CONTACTED = "contactado", "Contactado"
        APPOINTMENT = "cita_agendada", "Cita agendada"
        FINANCING = "en_financiamiento", "En financiamiento"
        SOLD = "vendido", "Vendido"
        LOST = "perdido", "Perdido"

    CLOSED_STATUSES = (Status.SOLD, Status.LOST)

    class Source(models.TextChoices):
        LEAD_CAPTURE = "lead_capture", "Datos de contacto"
        HANDOFF = "handoff", "Pidió un asesor"
        APPOINTMENT = "appointment", "Cita"

    name = models.CharField("nombre", max_length=120, blank=True)
    phone = models.CharField("teléfono", max_length=16, blank=True, db_index=True)
    preferred_contact_time = models.CharField("horario preferido", max_length=200, blank=True)
    preferred_contact_at = models.DateTimeField("horario (interpretado)", null=True, blank=True)
    status = models.CharField(
        "estado", max_length=20, choices=Status.choices, default=Status.NEW, db_index=True
    )
    source = models.CharField(
        "origen", max_length=20, choices=Source.choices, default=Source.LEAD_CAPTURE
    )
    channel = models.CharField("canal", max_length=16)
    conversation = models.ForeignKey(
        "conversations.Conversation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="leads",
        verbose_name="conversación",
    )
    car_stock_id = models.CharField("auto (stock id)", max_length=32, blank=True)
    car_snapshot = models.JSONField("auto elegido", default=dict, blank=True)
    financing_snapshot = models.JSONField("financiamiento", default=dict, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="leads",
        verbose_name="asesor asignado",
    )
    lost_reason = models.CharField("motivo de pérdida", max_length=200, blank=True)
    notified_at = models.DateTimeField("notificado", null=True, blank=True)
    created_at = models.DateTimeField("creado", auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField("actualizado", auto_now=True)
    # Staff activity (creation, assignment, status changes, notes): drives the "stale" flag.
    last_activity_at = models.DateTimeField("última actividad", default=timezone.now, db_index=True)
    # Retention or a customer's erasure request removed its personal data (backoffice/anonymise.py).
    anonymized_at = models.DateTimeField("datos personales borrados", null=True, blank=True)

    class Meta:
        verbose_name = "lead"
        verbose_name_plural = "leads"
        constraints = [
            models.UniqueConstraint(
                fields=["phone"],
                condition=~Q(status__in=["vendido", "perdido"]) & ~Q(phone=""),
                name="lead_one_open_per_phone",
            ),
            models.CheckConstraint(
                condition=~Q(status="perdido") | ~Q(lost_reason=""),
                name="lead_lost_has_reason",
                violation_error_message="Un lead perdido necesita un motivo de pérdida.",
            ),
        ]
        permissions = [
            ("view_all_leads", "Puede ver todos los leads (no solo los asignados)"),
            ("assign_lead", "Puede asignar y reasignar leads"),
            ("export_leads", "Puede exportar leads y conversaciones a CSV"),
        ]

    def __str__(self) -> str:
        return f"Lead #{self.pk} ({self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        return self.status not in self.CLOSED_STATUSES


class LeadNotification(models.Model):
    """One sales notification per lead, reason and channel; ``sent_at`` makes sending idempotent."""

    class Channel(models.TextChoices):
        EMAIL = "email", "Correo"
        WHATSAPP = "whatsapp", "WhatsApp"

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="notifications")
    reason = models.CharField("motivo", max_length=20)
    channel = models.CharField("canal", max_length=10, choices=Channel.choices)
    attempts = models.PositiveSmallIntegerField("intentos", default=0)
    last_error = models.CharField("último error", max_length=200, blank=True)
    sent_at = models.DateTimeField("enviada", null=True, blank=True)
    created_at = models.DateTimeField("creada", auto_now_add=True)

    class Meta:
        verbose_name = "notificación de lead"
        verbose_name_plural = "notificaciones de leads"
        constraints = [
            models.UniqueConstraint(
                fields=["lead", "reason", "channel"], name="lead_notification_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.lead_id}:{self.reason}:{self.channel}"


class SalesAgent(models.Model):
    """A salesperson who receives leads: availability, capacity and where to notify them."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="sales_agent",
        verbose_name="usuario",
    )
    active = models.BooleanField("activo", default=True)
    capacity = models.PositiveSmallIntegerField(
        "capacidad (leads abiertos)", default=30, help_text="Máximo de leads abiertos asignados."
    )
    whatsapp_number = models.CharField(
        "WhatsApp para avisos", max_length=16, blank=True, help_text="Formato +52XXXXXXXXXX."
    )
    last_assigned_at = models.DateTimeField("última asignación", null=True, blank=True)

    class Meta:
        verbose_name = "asesor de ventas"
        verbose_name_plural = "asesores de ventas"

    def __str__(self) -> str:
        return self.user.get_full_name() or self.user.get_username()


class LeadEvent(models.Model):
    """One entry of a lead's activity log: who did what and when (author empty = the system)."""

    class Kind(models.TextChoices):
        ASSIGNED = "assigned", "Asignación"
        STATUS = "status", "Cambio de estado"
        NOTE = "note", "Nota"
        CONVERSATION = "conversation", "Volvió a escribir"

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField("tipo", max_length=12, choices=Kind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="autor",
    )
    from_status = models.CharField("estado anterior", max_length=20, blank=True)
    to_status = models.CharField("estado nuevo", max_length=20, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="asignado a",
    )
    text = models.TextField("texto", blank=True)
    # "conversation" events: {"from": id, "to": id, "channel": "...", "changed": ["phone", …]}.
    data = models.JSONField("datos", default=dict, blank=True)
    created_at = models.DateTimeField("fecha", default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "actividad de lead"
        verbose_name_plural = "actividad de leads"
        ordering = ["created_at", "id"]
        default_permissions = ("view",)

    def __str__(self) -> str:
        return f"{self.lead_id}:{self.kind}"


class Appointment(models.Model):
    """A visit the customer booked in the chat: when, at which branch, to see which car.

    One open appointment per lead and conversation: booking again in the same conversation
    moves it. Staff confirm, mark done or cancel it from the back office.
    """

    class Status(models.TextChoices):
        REQUESTED = "solicitada", "Por confirmar"
        CONFIRMED = "confirmada", "Confirmada"
        DONE = "realizada", "Realizada"
        CANCELLED = "cancelada", "Cancelada"

    OPEN_STATUSES = (Status.REQUESTED, Status.CONFIRMED)

    lead = models.ForeignKey(
        Lead, on_delete=models.CASCADE, related_name="appointments", verbose_name="lead"
    )
    conversation = models.ForeignKey(
        "conversations.Conversation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="appointments",
        verbose_name="conversación",
    )
    scheduled_at = models.DateTimeField("fecha y hora", null=True, blank=True, db_index=True)
    requested = models.CharField("lo que pidió el cliente", max_length=200, blank=True)
    branch = models.CharField("sucursal", max_length=120, blank=True)
    branch_city = models.CharField("ciudad", max_length=120, blank=True)
    branch_address = models.CharField("dirección", max_length=250, blank=True)
    car_stock_id = models.CharField("auto (stock id)", max_length=32, blank=True)
    car_snapshot = models.JSONField("auto", default=dict, blank=True)
    status = models.CharField(
        "estado", max_length=12, choices=Status.choices, default=Status.REQUESTED, db_index=True
    )
    created_at = models.DateTimeField("creada", auto_now_add=True)
    updated_at = models.DateTimeField("actualizada", auto_now=True)

    class Meta:
        verbose_name = "cita"
        verbose_name_plural = "citas"
        ordering = ["scheduled_at", "id"]
        default_permissions = ("view", "change")
        constraints = [
            models.UniqueConstraint(
                fields=["lead", "conversation"],
                condition=Q(status__in=["solicitada", "confirmada"]),
                name="appointment_one_open_per_conversation",
            )
        ]

    def __str__(self) -> str:
        when = (
            timezone.localtime(self.scheduled_at).strftime("%d/%m %H:%M")
            if self.scheduled_at
            else self.requested
        )
        return f"Cita {when} · {self.branch or 'sucursal por confirmar'}"


class Agenda(Appointment):
    """The agenda as an admin entry: upcoming appointments and requested call-backs by day."""

    class Meta:
        proxy = True
        verbose_name = "agenda"
        verbose_name_plural = "agenda"
        default_permissions = ("view",)


class DataErasure(models.Model):
    """The audit of personal data removed: who, when, which customer (hashed), rows per table.

    One entry per customer erased on request (a data-subject request under the LFPDPPP, from the
    back office) and one per nightly retention run that anonymised anything.
    """

    class Kind(models.TextChoices):
        REQUEST = "request", "Solicitud del cliente"
        RETENTION = "retention", "Plazo de conservación vencido"

    kind = models.CharField("tipo", max_length=10, choices=Kind.choices)
    created_at = models.DateTimeField("fecha", default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="quién",
    )
    # The username as it was: the entry still says who if the account is deleted later.
    actor_username = models.CharField("usuario", max_length=150, blank=True)
    customer_hash = models.CharField("cliente (hash)", max_length=16, blank=True, db_index=True)
    reference = models.CharField(
        "referencia de la solicitud",
        max_length=120,
        blank=True,
        help_text="Folio o correo de la solicitud del titular (derechos ARCO).",
    )
    # {"conversations.message": 12, "leads.lead": 1, ...}: rows changed per table.
    rows = models.JSONField("filas por tabla", default=dict)

    class Meta:
        verbose_name = "borrado de datos personales"
        verbose_name_plural = "borrados de datos personales"
        ordering = ["-created_at", "-id"]
        default_permissions = ("view",)
        permissions = [
            ("erase_customer_data", "Puede borrar los datos personales de un cliente (LFPDPPP)")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def total_rows(self) -> int:
        return sum(int(n) for n in self.rows.values())
