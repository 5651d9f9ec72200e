"""Roles: migrations leave exactly the documented matrix; each role reaches only its pages."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from knowledge.services import knowledge_question_record
from leads.roles import CONTENT, ROLE_PERMISSIONS, SALES, SUPERVISION
from tests.support.backoffice import login, make_conversation, make_lead

pytestmark = pytest.mark.django_db

PHONE = "+525598765432"


def _granted(group: str) -> dict[str, set[str]]:
    grants: dict[str, set[str]] = {}
    for app_label, codename in Group.objects.get(name=group).permissions.values_list(
        "content_type__app_label", "codename"
    ):
        grants.setdefault(app_label, set()).add(codename)
    return grants


@pytest.mark.parametrize("group", [SALES, SUPERVISION, CONTENT])
def test_migrations_leave_each_group_with_exactly_the_role_matrix(group: str) -> None:
    assert _granted(group) == ROLE_PERMISSIONS[group]


def test_content_staff_have_no_permission_on_customer_data() -> None:
    apps = set(_granted(CONTENT))
    assert apps == {"knowledge", "catalog"}  # no leads, conversations, channels, auth, axes


def test_sales_cannot_export_assign_see_the_dashboard_or_raw_deliveries() -> None:
    sales = _granted(SALES)
    assert "export_leads" not in sales["leads"]
    assert "assign_lead" not in sales["leads"]
    assert "view_all_leads" not in sales["leads"]
    assert "backoffice" not in sales  # the funnel dashboard is the back office's only entry
    assert sales["channels"] == {"view_whatsappconversation", "reply_whatsapp"}
    assert not any(code.startswith("delete_") for codes in sales.values() for code in codes)


def test_nobody_but_superusers_can_delete_leads_or_conversations() -> None:
    for group in (SALES, SUPERVISION, CONTENT):
        granted = _granted(group)
        assert not {c for c in granted.get("leads", set()) if c.startswith(("delete_", "add_"))}
        assert not {c for c in granted.get("conversations", set()) if c.startswith("delete_")}


def test_sales_see_only_their_leads_and_the_conversations_behind_them(
    sales: Any, sales2: Any
) -> None:
    mine_conv = make_conversation(turns=[("hola", "need", {})])
    other_conv = make_conversation(turns=[("hola", "need", {})])
    mine = make_lead(assigned_to=sales, name="Mía", conversation=mine_conv)
    other = make_lead(assigned_to=sales2, name="Ajena", conversation=other_conv)
    unassigned = make_lead(name="Nadie")
    client = login(sales)

    page = client.get(reverse("admin:leads_lead_changelist")).content.decode()
    assert "Mía" in page
    assert "Ajena" not in page
    assert "Nadie" not in page
    assert client.get(reverse("admin:leads_lead_change", args=[mine.pk])).status_code == 200
    for lead in (other, unassigned):
        # Another salesperson's lead does not exist for them (302 back to the list).
        response = client.get(reverse("admin:leads_lead_change", args=[lead.pk]))
        assert response.status_code == 302
        assert client.get(f"/admin/leads/lead/{lead.pk}/amortizacion.csv").status_code == 404
    conversations = client.get(reverse("admin:conversations_conversation_changelist"))
    assert conversations.status_code == 200
    assert (
        client.get(
            reverse("admin:conversations_conversation_change", args=[mine_conv.pk])
        ).status_code
        == 200
    )
    assert (
        client.get(
            reverse("admin:conversations_conversation_change", args=[other_conv.pk])
        ).status_code
        == 302
    )
    assert client.get(reverse("admin:leads_lead_export")).status_code == 403
    assert client.get(reverse("admin:conversations_conversation_export")).status_code == 403
    assert client.get(reverse("admin:backoffice_funneldashboard_changelist")).status_code == 403
    assert client.get(reverse("admin:leads_salesagent_changelist")).status_code == 403
    assert client.get(reverse("admin:channels_whatsappinbound_changelist")).status_code == 403


def test_supervisors_see_all_leads_exports_and_the_dashboard(
    supervisor: Any, sales: Any, sales2: Any
) -> None:
    make_lead(assigned_to=sales, name="Mía")
    make_lead(assigned_to=sales2, name="Ajena")
    make_lead(name="Nadie")
    client = login(supervisor)
    page = client.get(reverse("admin:leads_lead_changelist")).content.decode()
    for name in ("Mía", "Ajena", "Nadie"):
        assert name in page
    assert "Exportar CSV" in page
    assert client.get(reverse("admin:leads_lead_export")).status_code == 200
    assert client.get(reverse("admin:backoffice_funneldashboard_changelist")).status_code == 200
    assert client.get(reverse("admin:leads_salesagent_changelist")).status_code == 200
    assert client.get(reverse("admin:conversations_conversation_export")).status_code == 200


def test_content_staff_reach_knowledge_tools_but_no_customer_data_or_phone_numbers(
    editor: Any, sales: Any
) -> None:
    conversation = make_conversation(turns=[("hola", "need", {})], external_id=PHONE)
    make_lead(assigned_to=sales, phone=PHONE, conversation=conversation)
    knowledge_question_record(
        question=f"¿me pueden llamar al {PHONE} para lo del seguro de moto?",
        confidence=0.05,
        channel="whatsapp",
        conversation_ref=str(conversation.pk),
    )
    client = login(editor)
    allowed = [
        reverse("admin:index"),
        reverse("admin:knowledge_article_changelist"),
        reverse("admin:knowledge_unansweredquestion_changelist"),
        reverse("admin:knowledge_article_try") + "?q=garantia",
        reverse("admin:catalog_car_changelist"),
    ]
    for url in allowed:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert "98765432" not in body, url
        assert "9876 5432" not in body, url
    forbidden = [
        reverse("admin:leads_lead_changelist"),
        reverse("admin:leads_lead_export"),
        reverse("admin:backoffice_funneldashboard_changelist"),
        reverse("admin:conversations_conversation_changelist"),
        reverse("admin:channels_whatsappconversation_changelist"),
        reverse("admin:channels_whatsappcontact_changelist"),
    ]
    for url in forbidden:
        assert client.get(url).status_code == 403, url


def test_superusers_see_everything(make_staff: Any, sales: Any) -> None:
    root = make_staff("root", superuser=True)
    make_lead(assigned_to=sales, name="Mía")
    client = login(root)
    for name in (
        "leads_lead_changelist",
        "leads_lead_export",
        "backoffice_funneldashboard_changelist",
        "leads_salesagent_changelist",
        "conversations_conversation_changelist",
        "conversations_conversation_export",
        "channels_whatsappinbound_changelist",
        "knowledge_article_changelist",
        "axes_accessattempt_changelist",
    ):
        assert client.get(reverse(f"admin:{name}")).status_code == 200, name
    assert (
        "Mía"
        in client.get(reverse("admin:leads_lead_changelist") + "?asesor=todos").content.decode()
    )


def test_the_old_dashboard_address_leads_to_the_back_office(make_staff: Any) -> None:
    client = login(make_staff("supervisora", SUPERVISION))
    response = client.get("/admin/leads/funneldashboard/")
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:backoffice_funneldashboard_changelist")
    assert client.get(response["Location"]).status_code == 200
