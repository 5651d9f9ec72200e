"""Staff roles: the final permission matrix of the back office (least privilege).

Groups are created by ``leads.0001_staff_groups``; catalog, knowledge and channels grant their own
permissions in their migrations, and ``leads.0005_backoffice_data`` sets every group to exactly
this matrix (a frozen copy: migrations never import app code). ``tests/integration/backoffice``
proves the database after migrations equals this matrix, and the pages each role can open.

- Ventas: the leads assigned to them (row-level: ``leads.selectors.lead_visible_queryset``) and the
  conversations behind them; change status, add notes, answer the customer on any channel (web
  chat, API, WhatsApp) and return the conversation to the bot. No exports, no dashboard,
  no other customers' raw WhatsApp deliveries.
- Supervisión: every lead and conversation, assignment, exports, the funnel dashboard, salespeople's
  availability and capacity, erasing a customer's personal data on request (and its audit);
  reads the catalogue and the knowledge base.
- Contenido: articles, golden questions and the unanswered-questions queue (phones masked there),
  and the catalogue. Nothing with customers' phone numbers: no leads, conversations or channels.
- Superusers have every permission.
"""

from __future__ import annotations

from typing import Any

SALES = "Ventas"
SUPERVISION = "Supervisión"
CONTENT = "Contenido"

_CATALOG_READ = {"view_car", "view_carmodelreference", "view_catalogalias"}
_KNOWLEDGE_EDIT = {
    "add_article", "change_article", "delete_article", "view_article",
    "add_goldenquestion", "change_goldenquestion", "delete_goldenquestion", "view_goldenquestion",
    "view_revision",
    "change_unansweredquestion", "view_unansweredquestion",
}  # fmt: skip

ROLE_PERMISSIONS: dict[str, dict[str, set[str]]] = {
    SALES: {
        "leads": {
            "view_lead", "change_lead", "view_leadnotification", "view_appointment",
            "change_appointment", "view_agenda",
        },
        "conversations": {"view_conversation", "reply_conversation"},
        "channels": {"view_whatsappconversation", "reply_whatsapp"},
        "catalog": set(_CATALOG_READ),
    },
    SUPERVISION: {
        "leads": {
            "view_lead", "change_lead", "view_all_leads", "assign_lead", "export_leads",
            "view_leadnotification", "view_salesagent", "change_salesagent",
            "view_appointment", "change_appointment", "view_agenda",
            "view_dataerasure", "erase_customer_data",
        },
        "backoffice": {"view_funneldashboard"},
        # change_conversation only unlocks "return to the bot"; the conversation is read-only.
        "conversations": {"view_conversation", "change_conversation", "reply_conversation"},
        "channels": {
            "view_whatsappconversation", "reply_whatsapp", "view_whatsappinbound",
            "view_whatsappoutbound", "view_whatsappcontact", "view_whatsappstatusevent",
        },
        "catalog": {*_CATALOG_READ, "view_catalogimport"},
        "knowledge": {
            "view_article", "view_goldenquestion", "view_revision", "view_unansweredquestion",
        },
    },
    CONTENT: {
        "knowledge": set(_KNOWLEDGE_EDIT),
        "catalog": {
            "add_car", "change_car", "view_car",
            "add_carmodelreference", "change_carmodelreference", "delete_carmodelreference",
            "view_carmodelreference",
            "add_catalogalias", "change_catalogalias", "delete_catalogalias", "view_catalogalias",
            "view_catalogimport",
        },
    },
}  # fmt: skip


def roles_sync(*, group_model: Any = None, permission_model: Any = None) -> None:
    """Set every staff group's permissions to exactly ``ROLE_PERMISSIONS`` (creating groups).

    Idempotent. Used by the browser tests (a transactional test flushes the groups the migrations
    created); permissions must exist (they do after ``migrate``).
    """
    from django.contrib.auth.models import Group, Permission

    group_model = group_model or Group
    permission_model = permission_model or Permission
    for name, grants in ROLE_PERMISSIONS.items():
        group, _ = group_model.objects.get_or_create(name=name)
        wanted = []
        for app_label, codenames in grants.items():
            found = list(
                permission_model.objects.filter(
                    content_type__app_label=app_label, codename__in=codenames
                )
            )
            missing = codenames - {p.codename for p in found}
            if missing:
                raise LookupError(f"missing permissions {app_label}: {sorted(missing)}")
            wanted.extend(found)
        group.permissions.set(wanted)
