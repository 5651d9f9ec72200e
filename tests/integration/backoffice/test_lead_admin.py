"""The lead pages staff use: list, filters, search, detail, status changes, notes and exports."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from channels.models import WhatsAppOutbound
from leads.models import Lead, LeadEvent
from tests.support.backoffice import FINANCING, login, make_conversation, make_lead

pytestmark = pytest.mark.django_db
LIST = "/admin/leads/lead/"
# The notifications inline's management form, which the browser always sends.
INLINE = {"notifications-TOTAL_FORMS": "0", "notifications-INITIAL_FORMS": "0"}


def _csv(response: Any) -> list[list[str]]:
    assert response.streaming
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))


def test_my_leads_is_the_default_view_for_salespeople_and_all_for_supervisors(
    sales: Any, sales2: Any, supervisor: Any
) -> None:
    make_lead(assigned_to=sales, name="Lead de Ana")
    make_lead(assigned_to=sales2, name="Lead de Bruno")
    page = login(sales).get(LIST).content.decode()
    assert "Lead de Ana" in page
    assert "Lead de Bruno" not in page
    assert "Mis leads" in page
    assert "Sin asignar" not in page  # salespeople have no other views
    # Asking for someone else's list changes nothing for a salesperson.
    forced = login(sales).get(f"{LIST}?asesor={sales2.pk}").content.decode()
    assert "Lead de Bruno" not in forced

    supervision = login(supervisor)
    page = supervision.get(LIST).content.decode()
    assert "Lead de Ana" in page
    assert "Lead de Bruno" in page
    only_bruno = supervision.get(f"{LIST}?asesor={sales2.pk}").content.decode()
    assert "Lead de Ana" not in only_bruno
    assert "Lead de Bruno" in only_bruno


def test_supervisors_who_also_sell_start_on_their_own_leads(make_staff: Any, sales: Any) -> None:
    from leads.roles import SUPERVISION

    boss = make_staff("lucia", SUPERVISION, agent=True)
    make_lead(assigned_to=boss, name="Lead de Lucía")
    make_lead(assigned_to=sales, name="Lead de Ana")
    client = login(boss)
    page = client.get(LIST).content.decode()
    assert "Lead de Lucía" in page
    assert "Lead de Ana" not in page
    everyone = client.get(f"{LIST}?asesor=todos").content.decode()
    assert "Lead de Ana" in everyone
    unassigned = client.get(f"{LIST}?asesor=sin").content.decode()
    assert "Lead de Ana" not in unassigned


def test_filters_by_status_stale_car_make_and_date(supervisor: Any) -> None:
    make_lead(name="Versa nuevo")
    make_lead(
        name="Corolla contactado", status="contactado", car={"make": "Toyota", "model": "Corolla"}
    )
    old = make_lead(name="Olvidado")
    Lead.objects.filter(pk=old.pk).update(
        last_activity_at=timezone.now() - timedelta(days=10),
        created_at=timezone.now() - timedelta(days=40),
    )
    client = login(supervisor)

    def names(**query: str) -> set[str]:
        page = client.get(LIST, {"asesor": "todos", **query}).content.decode()
        return {n for n in ("Versa nuevo", "Corolla contactado", "Olvidado") if n in page}

    assert names(status__exact="contactado") == {"Corolla contactado"}
    assert names(estancados="si") == {"Olvidado"}
    assert names(marca="Toyota") == {"Corolla contactado"}
    assert names(marca="Nissan") == {"Versa nuevo", "Olvidado"}
    # What the "Últimos 7 días" link of the date filter sends.
    midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    since = str(midnight - timedelta(days=7))
    assert names(created_at__gte=since) == {"Versa nuevo", "Corolla contactado"}
    page = client.get(f"{LIST}?asesor=todos").content.decode()
    assert "⚠ 10 días" in page


@pytest.mark.parametrize(
    "term", ["55 4321 8765", "(55) 4321-8765", "+52 1 55 4321 8765", "5543218765", "8765", "Ximena"]
)
def test_search_by_name_or_phone_however_it_is_typed(supervisor: Any, term: str) -> None:
    make_lead(name="Ximena Torres", phone="+525543218765")
    make_lead(name="Otro cliente", phone="+525511112222")
    page = login(supervisor).get(LIST, {"asesor": "todos", "q": term}).content.decode()
    assert "Ximena Torres" in page
    assert "Otro cliente" not in page


def test_detail_shows_car_financing_amortization_transcript_with_delivery_and_activity(
    sales: Any, supervisor: Any
) -> None:
    conversation = make_conversation(
        channel="whatsapp",
        external_id="+525577778888",
        turns=[("Busco un Versa", "options", {}), ("quiero hablar con un asesor", "handoff", {})],
    )
    turns = list(conversation.messages.filter(direction="out").values_list("turn_id", flat=True))
    for i, (turn_id, status) in enumerate(zip(turns, ("read", "failed"), strict=True)):
        WhatsAppOutbound.objects.create(
            idempotency_key=f"k{i}",
            group=f"g{i}",
            to_address="whatsapp:+5215577778888",
            from_address="whatsapp:+14155238886",
            to_phone="+525577778888",
            body="x",
            conversation=conversation,
            turn_id=turn_id,
            status=status,
            error_code="63016" if status == "failed" else "",
        )
    lead = make_lead(assigned_to=sales, name="Ximena", conversation=conversation)
    lead_note = "Prefiere que le llamen en la tarde"
    LeadEvent.objects.create(lead=lead, kind="note", author=supervisor, text=lead_note)
    page = login(sales).get(reverse("admin:leads_lead_change", args=[lead.pk])).content.decode()
    assert "Nissan Versa 2020" in page
    assert "$239,999.00" in page
    assert "$4,869.59" in page  # monthly payment
    assert "Ver los 48 pagos" in page
    assert "amortizacion.csv" in page
    assert "Busco un Versa" in page
    assert "Leído" in page
    assert "Fallido (63016)" in page
    assert lead_note in page
    assert "Sofía" in page  # the note's author
    assert "Responder por WhatsApp" in page
    assert "Ver conversación" in page


def test_changing_status_with_a_note_goes_through_services_and_is_logged(sales: Any) -> None:
    lead = make_lead(assigned_to=sales)
    client = login(sales)
    url = reverse("admin:leads_lead_change", args=[lead.pk])
    response = client.post(url, {**INLINE, "status": "perdido", "lost_reason": "", "new_note": ""})
    assert response.status_code == 200  # form error: a lost lead needs a reason
    assert "Indica el motivo de pérdida" in response.content.decode()
    response = client.post(
        url,
        {**INLINE, "status": "contactado", "lost_reason": "", "new_note": "Le marqué, le interesa"},
    )
    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.status == "contactado"
    kinds = list(LeadEvent.objects.filter(lead=lead).values_list("kind", "author__username"))
    assert ("status", "ana") in kinds
    assert ("note", "ana") in kinds
    assert LogEntry.objects.filter(object_id=str(lead.pk), user=sales).exists()


def test_salespeople_cannot_reassign_but_supervisors_can(
    sales: Any, sales2: Any, supervisor: Any
) -> None:
    lead = make_lead(assigned_to=sales)
    url = reverse("admin:leads_lead_change", args=[lead.pk])
    login(sales).post(url, {**INLINE, "status": "nuevo", "assigned_to": sales2.pk, "new_note": ""})
    lead.refresh_from_db()
    assert lead.assigned_to == sales
    login(supervisor).post(
        url, {**INLINE, "status": "nuevo", "assigned_to": sales2.pk, "new_note": ""}
    )
    lead.refresh_from_db()
    assert lead.assigned_to == sales2


def test_bulk_actions_mark_contacted_assign_and_reassign(
    sales: Any, sales2: Any, supervisor: Any
) -> None:
    leads = [make_lead() for _ in range(2)]
    ids = [str(lead.pk) for lead in leads]
    client = login(supervisor)
    client.post(f"{LIST}?asesor=todos", {"action": "assign_round_robin", "_selected_action": ids})
    assert set(Lead.objects.filter(pk__in=ids).values_list("assigned_to", flat=True)) == {
        sales.pk,
        sales2.pk,
    }
    client.post(f"{LIST}?asesor=todos", {"action": "mark_contacted", "_selected_action": ids})
    assert set(Lead.objects.filter(pk__in=ids).values_list("status", flat=True)) == {"contactado"}
    confirm = client.post(f"{LIST}?asesor=todos", {"action": "reassign", "_selected_action": ids})
    assert "Reasignar" in confirm.content.decode()
    client.post(
        f"{LIST}?asesor=todos",
        {"action": "reassign", "_selected_action": ids, "assignee": sales2.pk, "confirmar": "1"},
    )
    assert set(Lead.objects.filter(pk__in=ids).values_list("assigned_to", flat=True)) == {sales2.pk}
    # Salespeople do not even see the assignment actions.
    make_lead(assigned_to=sales)
    page = login(sales).get(LIST).content.decode()
    assert "assign_round_robin" not in page
    assert "mark_contacted" in page


def test_leads_export_streams_the_filtered_list_and_is_recorded(
    sales: Any, supervisor: Any
) -> None:
    make_lead(assigned_to=sales, name='=HYPERLINK("http://x")', phone="+525500001111")
    make_lead(name="Perdido", status="perdido", lost_reason="Precio")
    client = login(supervisor)
    rows = _csv(client.get(reverse("admin:leads_lead_export") + "?asesor=todos"))
    header, body = rows[0], rows[1:]
    assert header[:5] == ["id", "creado", "nombre", "teléfono", "estado"]
    assert len(body) == 2
    by_name = {row[2]: row for row in body}
    assert '\'=HYPERLINK("http://x")' in by_name  # formula neutralised
    assert by_name['\'=HYPERLINK("http://x")'][3] == "+525500001111"  # phones left intact
    assert by_name["Perdido"][4:6] == ["Perdido", "Precio"]
    assert by_name['\'=HYPERLINK("http://x")'][6] == "Ana"
    assert by_name["Perdido"][12].startswith("Enganche $47999.80, 48 meses")
    assert by_name["Perdido"][8] == "Chat web"  # the channel's label, not its code
    only_lost = _csv(
        client.get(reverse("admin:leads_lead_export") + "?asesor=todos&status__exact=perdido")
    )
    assert [row[2] for row in only_lost[1:]] == ["Perdido"]
    entry = LogEntry.objects.filter(user=supervisor, object_repr__startswith="Exportación").first()
    assert entry is not None
    assert "status__exact=perdido" in LogEntry.objects.latest("action_time").change_message


def test_a_large_export_is_streamed_in_chunks(supervisor: Any) -> None:
    Lead.objects.bulk_create(
        Lead(name=f"L{i}", phone="", channel="api", financing_snapshot=FINANCING)
        for i in range(4500)
    )
    response = login(supervisor).get(reverse("admin:leads_lead_export") + "?asesor=todos")
    assert response.streaming
    chunks = list(response.streaming_content)
    assert len(chunks) == 4501  # one piece per line, produced as rows are read
    assert len(b"".join(chunks).decode().splitlines()) == 4501


def test_conversation_export_has_one_row_per_conversation(sales: Any, supervisor: Any) -> None:
    with_lead = make_conversation(
        turns=[("Versa", "options", {}), ("asesor", "handoff", {})], channel="whatsapp"
    )
    make_lead(assigned_to=sales, conversation=with_lead, status="contactado")
    make_conversation(turns=[("hola", "need", {})])
    rows = _csv(login(supervisor).get(reverse("admin:conversations_conversation_export")))
    header, body = rows[0], rows[1:]
    assert header == [
        "conversación", "canal", "inicio", "último mensaje", "paso más avanzado", "paso actual",
        "estado", "auto", "financiamiento", "lead", "estado del lead", "asesor", "pasó a asesor",
    ]  # fmt: skip
    assert len(body) == 2
    by_id = {row[0]: row for row in body}
    row = by_id[str(with_lead.pk)]
    assert row[1] == "WhatsApp"
    assert row[4] == "Opciones"
    assert row[7] == "Nissan Versa 2020"
    assert row[8].startswith("Enganche $47999.80")
    assert row[10:13] == ["Contactado", "Ana", "sí"]
    other = next(r for r in body if r[0] != str(with_lead.pk))
    assert other[9:13] == ["", "", "", "no"]


def test_conversation_page_shows_transcript_and_links_to_its_lead(
    sales: Any, supervisor: Any
) -> None:
    conversation = make_conversation(turns=[("Busco un Versa", "options", {})])
    lead = make_lead(assigned_to=sales, conversation=conversation)
    page = login(supervisor).get(
        reverse("admin:conversations_conversation_change", args=[conversation.pk])
    )
    body = page.content.decode()
    assert "Busco un Versa" in body
    assert "Respondido en la sesión" in body
    assert reverse("admin:leads_lead_change", args=[lead.pk]) in body
    assert 'name="_save"' not in body  # read-only


def test_return_to_bot_needs_the_change_permission(sales: Any, supervisor: Any) -> None:
    conversation = make_conversation(turns=[("asesor", "handoff", {})])
    make_lead(assigned_to=sales, conversation=conversation)
    url = reverse("admin:conversations_conversation_changelist")
    data = {"action": "return_to_bot", "_selected_action": [conversation.pk]}
    login(sales).post(url, data)
    conversation.refresh_from_db()
    assert conversation.status == "handoff"
    login(supervisor).post(url, data)
    conversation.refresh_from_db()
    assert conversation.status == "active"


def test_sales_agent_list_shows_load_against_capacity(sales: Any, supervisor: Any) -> None:
    make_lead(assigned_to=sales)
    make_lead(assigned_to=sales, status="vendido")
    page = login(supervisor).get(reverse("admin:leads_salesagent_changelist")).content.decode()
    assert "1 / 30" in page


def test_exports_respect_what_the_user_may_see(sales: Any, sales2: Any) -> None:
    from django.contrib.auth.models import Permission

    # A salesperson given the export permission still exports only their own leads.
    sales.user_permissions.add(Permission.objects.get(codename="export_leads"))
    mine = make_conversation(turns=[("hola", "need", {})])
    make_lead(assigned_to=sales, name="Mía", conversation=mine)
    make_lead(assigned_to=sales2, name="Ajena", conversation=make_conversation(turns=[]))
    client = login(sales)
    leads = _csv(client.get(reverse("admin:leads_lead_export") + "?asesor=todos"))
    assert [row[2] for row in leads[1:]] == ["Mía"]
    conversations = _csv(client.get(reverse("admin:conversations_conversation_export")))
    assert [row[0] for row in conversations[1:]] == [str(mine.pk)]


def test_an_export_with_bad_filters_goes_back_to_the_list(supervisor: Any) -> None:
    client = login(supervisor)
    response = client.get(reverse("admin:leads_lead_export") + "?created_at__gte=ayer")
    assert response.status_code == 302
    assert response["Location"].endswith("?e=1")
    response = client.get(reverse("admin:conversations_conversation_export") + "?started_at__gte=x")
    assert response.status_code == 302


def test_conversation_list_queries_do_not_grow_with_rows(
    supervisor: Any, sales: Any, django_assert_max_num_queries: Any
) -> None:
    for _ in range(15):
        make_lead(assigned_to=sales, conversation=make_conversation(turns=[("hola", "need", {})]))
    client = login(supervisor)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("admin:conversations_conversation_changelist")).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(LIST + "?asesor=todos").status_code == 200


def test_whatsapp_conversation_admin_shows_salespeople_only_their_customers(
    sales: Any, sales2: Any
) -> None:
    theirs = make_conversation(channel="whatsapp", external_id="+525500009999", turns=[])
    make_lead(assigned_to=sales2, conversation=theirs)
    page = login(sales).get(reverse("admin:channels_whatsappconversation_changelist"))
    assert "+525500009999" not in page.content.decode()


def test_a_lead_of_a_salesperson_who_left_can_still_be_saved_and_reassigned(
    sales: Any, sales2: Any, supervisor: Any
) -> None:
    from leads.models import SalesAgent

    lead = make_lead(assigned_to=sales)
    SalesAgent.objects.filter(user=sales).update(active=False)
    client = login(supervisor)
    url = reverse("admin:leads_lead_change", args=[lead.pk])
    page = client.get(url).content.decode()
    assert f'<option value="{sales.pk}" selected>Ana</option>' in page
    response = client.post(url, {**INLINE, "status": "contactado", "assigned_to": sales.pk})
    assert response.status_code == 302
    client.post(url, {**INLINE, "status": "contactado", "assigned_to": sales2.pk})
    lead.refresh_from_db()
    assert (lead.status, lead.assigned_to) == ("contactado", sales2)


def test_supervisors_change_capacity_but_not_who_is_a_salesperson(
    sales: Any, supervisor: Any
) -> None:
    agent = sales.sales_agent
    client = login(supervisor)
    url = reverse("admin:leads_salesagent_change", args=[agent.pk])
    response = client.post(
        url, {"user": supervisor.pk, "active": "on", "capacity": 5, "whatsapp_number": ""}
    )
    assert response.status_code == 302
    agent.refresh_from_db()
    assert (agent.user, agent.capacity) == (sales, 5)
