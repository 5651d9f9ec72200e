"""Sales notifications of a lead, exactly once per lead and reason: the email to the assigned
salesperson (or the sales inbox), the approved WhatsApp template to their phone, and the sweep
that re-enqueues emails a lost task never sent."""

from __future__ import annotations

import logging
import smtplib
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from kavak.exceptions import TransientError
from leads.models import Lead, LeadNotification
from leads.wiring import lead_notifier

logger = logging.getLogger(__name__)

_SUBJECTS = {
    "lead_captured": "Nuevo lead: {name}",
    "handoff": "Cliente pide un asesor: {name}",
}


def _recipients(lead: Lead) -> list[str]:
    if lead.assigned_to_id and lead.assigned_to and lead.assigned_to.email:
        return [lead.assigned_to.email]
    return list(settings.SALES_NOTIFICATION_EMAILS)


def _body(lead: Lead, reason: str) -> str:
    car = lead.car_snapshot or {}
    fin = lead.financing_snapshot or {}
    lines = [
        "Motivo: "
        + ("datos de contacto capturados" if reason == "lead_captured" else "pidió asesor"),
        f"Nombre: {lead.name or '(sin nombre)'}",
        f"Teléfono: {lead.phone or '(sin teléfono)'}",
        f"Horario preferido: {lead.preferred_contact_time or '(sin horario)'}",
        f"Canal: {lead.channel}",
    ]
    if car:
        lines.append(
            f"Auto: {car.get('make')} {car.get('model')} {car.get('year')} "
            f"(stock {car.get('stock_id')}) — ${car.get('price')}"
        )
    if fin.get("cash_purchase"):
        lines.append("Financiamiento: ninguno, compra de contado")
    elif fin:
        lines.append(
            f"Financiamiento: enganche ${fin.get('down_payment')}, {fin.get('term_months')} meses, "
            f"mensualidad ${fin.get('monthly_payment')}"
        )
    appointment = lead.appointments.filter(status__in=("solicitada", "confirmada")).first()
    if appointment is not None:
        when = (
            timezone.localtime(appointment.scheduled_at).strftime("%d/%m/%Y %H:%M")
            if appointment.scheduled_at
            else appointment.requested or "por definir"
        )
        lines.append(f"Cita: {when} en {appointment.branch or 'sucursal por confirmar'}")
    lines.append(
        f"Lead #{lead.pk} en el back office: /{settings.ADMIN_URL}leads/lead/{lead.pk}/change/"
    )
    return "\n".join(lines)


def lead_notify_sales_email_enabled() -> bool:
    """The sales email is on unless turned off explicitly (``LEAD_EMAIL_NOTIFICATIONS=false``)."""
    return bool(settings.LEAD_EMAIL_NOTIFICATIONS)


def _email_backend_errors() -> tuple[type[BaseException], ...]:
    """What a delivering backend raises when it could not hand the message over: SMTP and socket
    errors, and botocore's when SES (django-ses) is the backend. All are retried."""
    errors: tuple[type[BaseException], ...] = (smtplib.SMTPException, OSError)
    try:
        from botocore.exceptions import BotoCoreError, ClientError
    except ImportError:  # pragma: no cover - django-ses (and botocore) are always installed
        return errors
    return (*errors, BotoCoreError, ClientError)


def lead_notify_sales(*, lead_id: int, reason: str) -> bool:
    """Email the assigned salesperson (or the sales inbox) once per lead and reason.

    Idempotent: a notification row (unique per lead, reason and channel) is claimed before sending
    and marked sent only after the backend accepted the message (Django's count of messages sent),
    so Celery redeliveries and retries never send twice once it is sent, and a backend that took
    nothing leaves it for the next retry or the sweep. The body (the customer's phone is in it) is
    never logged. Returns True when an email was sent by this call; False when there is nothing to
    send or the sales email is turned off.
    """
    if not lead_notify_sales_email_enabled():
        logger.info("lead_notify_skipped reason=email_off lead_id=%s", lead_id)
        return False
    with transaction.atomic():
        lead = Lead.objects.select_related("assigned_to").filter(pk=lead_id).first()
        if lead is None:
            logger.warning("lead_notify_skipped reason=missing_lead lead_id=%s", lead_id)
            return False
        try:
            with transaction.atomic():
                notification, _ = LeadNotification.objects.get_or_create(
                    lead=lead, reason=reason, channel=LeadNotification.Channel.EMAIL
                )
        except IntegrityError:
            notification = LeadNotification.objects.get(
                lead=lead, reason=reason, channel=LeadNotification.Channel.EMAIL
            )
        notification = LeadNotification.objects.select_for_update().get(pk=notification.pk)
        if notification.sent_at is not None:
            return False
        recipients = _recipients(lead)
        if not recipients:
            logger.warning("lead_notify_skipped reason=no_recipients lead_id=%s", lead_id)
            return False
        subject = _SUBJECTS.get(reason, "Lead: {name}").format(name=lead.name or f"#{lead.pk}")
        try:
            accepted = send_mail(
                subject, _body(lead, reason), settings.DEFAULT_FROM_EMAIL, recipients
            )
            if accepted != 1:
                raise smtplib.SMTPException(f"the email backend accepted {accepted} of 1 message")
        except _email_backend_errors() as exc:
            # Recorded in this transaction (it commits); the retry is raised after it.
            notification.attempts += 1
            notification.last_error = f"{type(exc).__name__}: {exc}"[:200]
            notification.save(update_fields=["attempts", "last_error"])
            failure: BaseException = exc
        else:
            now = timezone.now()
            notification.sent_at = now
            notification.attempts += 1
            notification.save(update_fields=["sent_at", "attempts"])
            Lead.objects.filter(pk=lead.pk, notified_at__isnull=True).update(notified_at=now)
            logger.info("lead_notified lead_id=%s reason=%s", lead_id, reason)
            return True
    logger.warning(
        "lead_notify_failed lead_id=%s reason=%s error=%s", lead_id, reason, type(failure).__name__
    )
    raise TransientError(f"email failed: {type(failure).__name__}") from failure


# --- WhatsApp template to the assigned salesperson (issue 6) -------------------------------------
_REASON_LABELS = {"lead_captured": "dejó sus datos", "handoff": "pidió un asesor"}


def _salesperson_whatsapp(lead: Lead) -> str:
    user = lead.assigned_to
    agent = getattr(user, "sales_agent", None) if user is not None else None
    if agent is None or not agent.active:
        return ""
    return agent.whatsapp_number or ""


def lead_notify_sales_whatsapp_enabled() -> bool:
    """The WhatsApp notification is on when the channel is on and a template is approved."""
    return lead_notifier().enabled()


def lead_notify_sales_whatsapp(*, lead_id: int, reason: str) -> bool:
    """Send the approved template to the assigned salesperson's WhatsApp, once per lead and reason.

    Idempotent twice over: the notification row (unique per lead, reason and channel) records the
    send, and the channel's outbound row (unique key per lead and reason) guarantees Twilio is asked
    at most once even when two workers race. Retries (``TransientError``) come from the channel:
    connection errors, 429, 5xx. No salesperson number → nothing to send (the email still goes).
    Returns True when the template was handed to Twilio by this call.
    """
    notifier = lead_notifier()
    if not notifier.enabled():
        return False
    lead = Lead.objects.select_related("assigned_to__sales_agent").filter(pk=lead_id).first()
    if lead is None:
        logger.warning("lead_notify_whatsapp_skipped reason=missing_lead lead_id=%s", lead_id)
        return False
    number = _salesperson_whatsapp(lead)
    if not number:
        logger.info("lead_notify_whatsapp_skipped reason=no_salesperson_number lead_id=%s", lead_id)
        return False
    notification, _ = LeadNotification.objects.get_or_create(
        lead=lead, reason=reason, channel=LeadNotification.Channel.WHATSAPP
    )
    if notification.sent_at is not None:
        return False
    car = lead.car_snapshot or {}
    variables = {
        "1": lead.name or f"Lead #{lead.pk}",
        "2": _REASON_LABELS.get(reason, reason),
        "3": lead.phone or "(sin teléfono)",
        "4": " ".join(str(car.get(k)) for k in ("make", "model", "year") if car.get(k)) or "-",
        "5": str(lead.pk),
    }
    LeadNotification.objects.filter(pk=notification.pk).update(attempts=F("attempts") + 1)
    try:
        status = notifier.send(key=f"lead-{lead.pk}-{reason}", to_phone=number, variables=variables)
    except TransientError as exc:
        LeadNotification.objects.filter(pk=notification.pk).update(last_error=str(exc)[:200])
        raise
    except ValueError as exc:  # the salesperson's number is not a phone number: fix it in admin
        LeadNotification.objects.filter(pk=notification.pk).update(last_error=str(exc)[:200])
        logger.error("lead_notify_whatsapp_failed lead_id=%s reason=invalid_number", lead_id)
        return False
    if status in ("failed", "suppressed"):
        LeadNotification.objects.filter(pk=notification.pk).update(last_error=f"whatsapp {status}")
        logger.error("lead_notify_whatsapp_failed lead_id=%s status=%s", lead_id, status)
        return False
    updated = LeadNotification.objects.filter(pk=notification.pk, sent_at__isnull=True).update(
        sent_at=timezone.now(), last_error=""
    )
    logger.info("lead_notified_whatsapp lead_id=%s reason=%s", lead_id, reason)
    return bool(updated)


def lead_notify_sales_whatsapp_schedule(*, lead_id: int, reason: str) -> bool:
    """Enqueue the WhatsApp notification (after commit) when it is configured."""
    if not lead_notify_sales_whatsapp_enabled():
        return False
    from leads.tasks import lead_notify_sales_whatsapp as lead_notify_sales_whatsapp_task

    transaction.on_commit(lambda: lead_notify_sales_whatsapp_task.delay(lead_id, reason))
    return True


def lead_notify_pending(
    *, older_than_s: float, now: datetime | None = None
) -> list[tuple[int, str]]:
    """Leads of the last day whose sales email was never sent: (lead id, reason) to enqueue again.

    The turn enqueues the notification after commit; if the broker was down (or lost the queued
    task) nothing else would ever send it. ``lead_notify_sales`` is idempotent, so enqueuing a
    notification that is merely slow is harmless.
    """
    if not lead_notify_sales_email_enabled():
        return []
    now = now or timezone.now()
    sent = LeadNotification.objects.filter(
        lead=OuterRef("pk"), channel=LeadNotification.Channel.EMAIL, sent_at__isnull=False
    )
    rows = (
        Lead.objects.filter(
            notified_at__isnull=True,
            created_at__lte=now - timedelta(seconds=older_than_s),
            created_at__gte=now - timedelta(days=1),
        )
        .exclude(Exists(sent))
        .values_list("pk", "source")[:500]
    )
    return [
        (pk, "handoff" if source == Lead.Source.HANDOFF else "lead_captured") for pk, source in rows
    ]
