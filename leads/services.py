"""Lead writes: sales notifications (exactly once per lead and reason)."""

from __future__ import annotations

import logging
import smtplib

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from kavak.exceptions import TransientError
from leads.models import Lead, LeadNotification

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
    if fin:
        lines.append(
            f"Financiamiento: enganche ${fin.get('down_payment')}, {fin.get('term_months')} meses, "
            f"mensualidad ${fin.get('monthly_payment')}"
        )
    lines.append(
        f"Lead #{lead.pk} en el back office: /{settings.ADMIN_URL}leads/lead/{lead.pk}/change/"
    )
    return "\n".join(lines)


def lead_notify_sales(*, lead_id: int, reason: str) -> bool:
    """Email the assigned salesperson (or the sales inbox) once per lead and reason.

    Idempotent: a notification row (unique per lead, reason and channel) is claimed before sending
    and marked sent after, so Celery redeliveries and retries never send twice once it is sent.
    Returns True when an email was sent by this call.
    """
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
            send_mail(subject, _body(lead, reason), settings.DEFAULT_FROM_EMAIL, recipients)
        except (smtplib.SMTPException, OSError) as exc:
            notification.attempts += 1
            notification.last_error = str(exc)[:200]
            notification.save(update_fields=["attempts", "last_error"])
            raise TransientError(f"email failed: {exc}") from exc
        now = timezone.now()
        notification.sent_at = now
        notification.attempts += 1
        notification.save(update_fields=["sent_at", "attempts"])
        Lead.objects.filter(pk=lead.pk, notified_at__isnull=True).update(notified_at=now)
        logger.info("lead_notified lead_id=%s reason=%s", lead_id, reason)
        return True
