"""The back office and the demo chat in headless Chromium, as staff and customers use them."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone
from playwright.sync_api import expect

from channels.models import WhatsAppOutbound
from knowledge.models import Article
from leads.models import Lead, SalesAgent
from leads.roles import CONTENT, SALES, SUPERVISION
from tests.browser.conftest import PASSWORD, log_in, shot
from tests.support.backoffice import make_conversation, make_lead, seed_known_log

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def staff(username: str, role: str, *, first: str, last: str = "", agent: bool = False) -> Any:
    user = get_user_model().objects.create_user(
        username, f"{username}@example.com", PASSWORD, first_name=first, last_name=last,
        is_staff=True,
    )  # fmt: skip
    user.groups.add(Group.objects.get(name=role))
    if agent:
        SalesAgent.objects.create(user=user)
    return user


def test_sales_agent_sees_only_their_leads_reads_the_transcript_and_works_the_lead(
    page: Any, roles: None
) -> None:
    ana = staff("ana", SALES, first="Ana", last="López", agent=True)
    bruno = staff("bruno", SALES, first="Bruno", last="Díaz", agent=True)
    conversation = make_conversation(
        channel="whatsapp",
        external_id="+525577778888",
        turns=[
            ("Hola, busco un Versa automático de unos 250 mil", "options", {}),
            ("me gusta el primero", "financing", {}),
            ("quiero hablar con un asesor", "handoff", {"handoff": "asked"}),
        ],
    )
    replies = conversation.messages.filter(direction="out").order_by("created_at")
    for i, (message, status) in enumerate(zip(replies, ("read", "delivered", "sent"), strict=True)):
        WhatsAppOutbound.objects.create(
            idempotency_key=f"browser-{i}",
            group=f"browser-{i}",
            to_address="whatsapp:+5215577778888",
            from_address="whatsapp:+14155238886",
            to_phone="+525577778888",
            body=message.text,
            conversation=conversation,
            turn_id=message.turn_id,
            status=status,
        )
    lead = make_lead(
        assigned_to=ana, name="Ximena Torres", phone="+525577778888", conversation=conversation
    )
    make_lead(assigned_to=bruno, name="Rodrigo Ajeno")

    log_in(page, "ana")
    shot(page, "ventas-01-inicio")
    page.goto("/admin/leads/lead/")
    results = page.locator("#result_list")
    expect(results).to_contain_text("Ximena Torres")
    expect(results).not_to_contain_text("Rodrigo Ajeno")
    expect(page.locator("#changelist-filter")).to_contain_text("Mis leads")
    shot(page, "ventas-02-mis-leads")

    results.get_by_role("link", name="Ximena Torres").click()
    transcript = page.locator("table.transcript")
    expect(transcript).to_contain_text("busco un Versa automático")
    expect(transcript).to_contain_text("Leído")
    expect(transcript).to_contain_text("Entregado")
    expect(page.locator("body")).to_contain_text("$4,869.59")
    expect(page.get_by_role("link", name="Responder por WhatsApp")).to_be_visible()
    shot(page, "ventas-03-detalle-del-lead")

    page.select_option("#id_status", "contactado")
    page.fill("#id_new_note", "Le llamé; quiere verlo el sábado en Santa Fe.")
    page.click("input[name=_continue]")
    expect(page.locator("ul.messagelist")).to_be_visible()
    activity = page.locator("table.lead-activity")
    expect(activity).to_contain_text("Nuevo → Contactado")
    expect(activity).to_contain_text("quiere verlo el sábado")
    expect(activity).to_contain_text("Ana López")
    shot(page, "ventas-04-estado-y-nota")

    with page.expect_download() as download:
        page.get_by_role("link", name="Descargar CSV").click()
    lines = Path(download.value.path()).read_text().strip().splitlines()
    assert lines[0] == "mes,pago,interes,capital,saldo"
    assert len(lines) == 49
    assert download.value.suggested_filename == f"amortizacion-lead-{lead.pk}.csv"
    lead.refresh_from_db()
    assert lead.status == "contactado"


def test_supervisor_opens_the_dashboard_and_sees_the_seeded_numbers(page: Any, roles: None) -> None:
    ana = staff("ana", SALES, first="Ana", agent=True)
    bruno = staff("bruno", SALES, first="Bruno", agent=True)
    staff("sofia", SUPERVISION, first="Sofía", last="Ruiz")
    seed_known_log(sales=ana, sales2=bruno)
    today = timezone.localdate()

    log_in(page, "sofia")
    expect(page.locator("#content-main")).to_contain_text("Tablero del embudo")
    page.get_by_role("link", name="Tablero del embudo").first.click()
    expect(page.locator(".bo-dashboard")).to_be_visible()
    page.fill("#id_desde", (today - timedelta(days=9)).isoformat())
    page.fill("#id_hasta", today.isoformat())
    page.click(".bo-filters input[type=submit]")
    page.wait_for_url(re.compile(r".*desde=.*"))
    funnel = page.locator('svg[data-chart="funnel"]')
    expect(funnel).to_be_visible()
    values = {
        bar.get_attribute("data-key"): bar.get_attribute("data-value")
        for bar in funnel.locator("g.bar").all()
    }
    assert values == {
        "need": "10",
        "budget": "7",
        "options": "6",
        "financing": "4",
        "lead": "2",
        "handoff": "2",
    }
    for chart in ("agents", "daily", "latency", "fallback"):
        expect(page.locator(f'svg[data-chart="{chart}"]')).to_be_visible()
    expect(page.locator('[data-kpi="handoff_rate"] .value')).to_have_text("20%")
    expect(page.locator('[data-kpi="fallback_rate"] .value')).to_have_text("50%")
    expect(page.locator('[data-kpi="p50"] .value')).to_have_text("120 ms")
    expect(page.locator('[data-kpi="p95"] .value')).to_have_text("230 ms")
    expect(page.locator("#llm-rollout")).to_contain_text("Sin comparación en el periodo")
    shot(page, "supervision-01-tablero")

    page.goto("/admin/leads/lead/")
    expect(page.get_by_role("link", name="Exportar CSV (lista filtrada)")).to_be_visible()
    shot(page, "supervision-02-todos-los-leads")


def test_supervisor_erases_a_customer_on_request_and_reads_the_audit(
    page: Any, roles: None
) -> None:
    staff("sofia", SUPERVISION, first="Sofía", last="Ruiz")
    conversation = make_conversation(turns=[("soy Luis, 5512345678", "lead_capture", {})])
    lead = make_lead(name="Luis Pérez", phone="+525512345678", conversation=conversation)

    log_in(page, "sofia")
    page.goto("/admin/leads/lead/")
    page.check(f'input[name="_selected_action"][value="{lead.pk}"]')
    page.select_option('select[name="action"]', "erase_customer")
    page.click('button[name="index"]')
    expect(page.locator("#content")).to_contain_text("Luis Pérez")
    page.fill("#id_referencia", "ARCO-2026-17")
    page.check("#id_confirmo")
    shot(page, "supervision-03-borrar-datos")
    page.click('input[name="confirmar"]')
    expect(page.locator(".messagelist")).to_contain_text("Datos personales borrados de 1 cliente")
    assert Lead.objects.get(pk=lead.pk).name == ""

    page.goto("/admin/leads/dataerasure/")
    expect(page.locator("#result_list")).to_contain_text("ARCO-2026-17")
    page.locator("#result_list tbody th a").first.click()
    expect(page.locator("#content")).to_contain_text("mensajes")
    shot(page, "supervision-04-registro-de-borrado")


def test_content_editor_edits_an_article_previews_it_and_the_agent_answers_with_it(
    page: Any, roles: None, demo_data: None
) -> None:
    staff("carlos", CONTENT, first="Carlos")
    article = Article.objects.get(slug="garantia")
    new_section = (
        "\n\n## Garantía del aire acondicionado\n\n"
        "El aire acondicionado queda cubierto por la garantía durante los primeros 6 meses, "
        "sin costo adicional."
    )

    log_in(page, "carlos")
    expect(page.locator("#content-main")).not_to_contain_text("Leads")
    shot(page, "contenido-01-inicio")
    page.goto(f"/admin/knowledge/article/{article.pk}/change/")
    body = page.locator("#id_body")
    body.fill(body.input_value() + new_section)
    page.click("#kb-preview-button")
    preview = page.locator("#kb-live-preview")
    expect(preview).to_contain_text("queda cubierto por la garantía durante los primeros 6 meses")
    shot(page, "contenido-02-vista-previa")
    page.click("input[name=_continue]")
    expect(page.locator("ul.messagelist")).to_be_visible()
    shot(page, "contenido-03-guardado")

    page.get_by_role("link", name="Probar una pregunta").first.click()
    page.fill("input[name=q]", "la garantia cubre el aire acondicionado?")
    page.click("input[type=submit][value=Probar]")
    answer = page.locator(".kb-answer")
    expect(answer).to_contain_text("primeros 6 meses")
    expect(page.locator("span.kb-ok")).to_have_text("responde con el artículo")
    shot(page, "contenido-04-probar-pregunta")


def test_customer_completes_a_conversation_on_the_demo_chat_and_the_lead_is_assigned(
    page: Any, roles: None, demo_data: None
) -> None:
    ana = staff("ana", SALES, first="Ana", agent=True)
    page.goto("/?debug=1")  # step and next action on screen only in debug mode
    script = [
        ("Kia Rio 260 mil", "choose_option"),
        ("el 2", "ask_down_payment"),
        ("25%", "ask_term"),
        ("60 meses", "offer_appointment"),
        ("va", "ask_name"),
        ("Soy Paty, mi cel es 33 1234 5678", "ask_contact_time"),
        ("cuando puedan", "offer_help"),
    ]
    for turn, (text, next_action) in enumerate(script, start=1):
        page.fill("#text", text)
        page.click("#send")
        expect(page.locator("#log .meta")).to_have_count(turn)
        expect(page.locator("#log .meta").last).to_have_attribute("data-next-action", next_action)
        if turn == 1:
            expect(page.locator("#log .bubble.bot").first).to_contain_text("¡Hola!")
            shot(page, "cliente-01-opciones")
    expect(page.locator("#log .meta").last).to_have_attribute("data-step", "done")
    shot(page, "cliente-02-conversacion-completa")
    lead = Lead.objects.get(phone="+523312345678")
    assert lead.name == "Paty"
    assert lead.assigned_to == ana
    assert lead.financing_snapshot["term_months"] == 60
