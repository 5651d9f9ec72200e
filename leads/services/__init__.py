"""Lead writes: sales notifications exactly once per lead and reason (``notifications``) and the
sales pipeline of the back office (``pipeline``: assignment, statuses, notes, appointments)."""

from leads.services.notifications import (
    lead_notify_pending,
    lead_notify_sales,
    lead_notify_sales_email_enabled,
    lead_notify_sales_whatsapp,
    lead_notify_sales_whatsapp_enabled,
    lead_notify_sales_whatsapp_schedule,
)
from leads.services.pipeline import (
    NOTE_MAX_CHARS,
    appointment_status_set,
    lead_assign,
    lead_assign_pending,
    lead_note_add,
    lead_reassign,
    lead_status_change,
    lead_status_validate,
)

__all__ = [
    "NOTE_MAX_CHARS",
    "appointment_status_set",
    "lead_assign",
    "lead_assign_pending",
    "lead_note_add",
    "lead_notify_pending",
    "lead_notify_sales",
    "lead_notify_sales_email_enabled",
    "lead_notify_sales_whatsapp",
    "lead_notify_sales_whatsapp_enabled",
    "lead_notify_sales_whatsapp_schedule",
    "lead_reassign",
    "lead_status_change",
    "lead_status_validate",
]
