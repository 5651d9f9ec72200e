"""The read-only blocks of the lead change form: customer, car, appointments, financing, transcript,
satisfaction and activity."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from backoffice.admin.display import (
    CHANNEL_LABELS,
    local_datetime,
    money,
    returned_html,
    transcript_html,
    user_label,
)
from backoffice.satisfaction import satisfaction_for_lead
from backoffice.selectors import (
    lead_amortization,
)
from leads.admin import appointment_when
from leads.models import (
    Lead,
    LeadEvent,
)
from leads.selectors import (
    lead_events,
)


class LeadCardsMixin:
    """The detail blocks of ``LeadAdmin`` (its ``readonly_fields``)."""

    # --- Detail blocks ----------------------------------------------------------------------------
    @admin.display(description="cliente")
    def customer(self, obj: Lead) -> SafeString:
        rows = [
            ("Nombre", obj.name or "(sin nombre)"),
            ("Teléfono", obj.phone or "(sin teléfono)"),
            ("Horario preferido", obj.preferred_contact_time or "—"),
            ("Origen", obj.get_source_display()),
            ("Canal", CHANNEL_LABELS.get(obj.channel, obj.channel)),
            ("Creado", local_datetime(obj.created_at)),
            ("Última actividad", local_datetime(obj.last_activity_at)),
        ]
        return format_html(
            '<table class="lead-facts"><tbody>{}</tbody></table>',
            format_html_join("", "<tr><th>{}</th><td>{}</td></tr>", rows),
        )

    @admin.display(description="auto")
    def car_card(self, obj: Lead) -> SafeString | str:
        car = obj.car_snapshot or {}
        if not car:
            return "El cliente no eligió un auto."
        rows = [
            ("Auto", " ".join(str(car[k]) for k in ("make", "model", "year") if car.get(k))),
            ("Versión", car.get("version") or "—"),
            ("Precio", money(car.get("price"))),
            ("Kilometraje", f"{int(car['km']):,} km" if car.get("km") is not None else "—"),
            ("Stock id", car.get("stock_id") or obj.car_stock_id or "—"),
        ]
        return format_html(
            '<table class="lead-facts"><tbody>{}</tbody></table>',
            format_html_join("", "<tr><th>{}</th><td>{}</td></tr>", rows),
        )

    @admin.display(description="citas")
    def appointments_card(self, obj: Lead) -> SafeString | str:
        appointments = list(obj.appointments.order_by("-created_at")[:5])
        if not appointments:
            return "Sin citas."
        rows = [
            (
                appointment_when(a),
                a.branch or "Sucursal por confirmar",
                a.get_status_display(),
                reverse("admin:leads_appointment_change", args=[a.pk]),
            )
            for a in appointments
        ]
        return format_html(
            '<table class="lead-facts"><tbody>{}</tbody></table>',
            format_html_join(
                "", '<tr><th>{}</th><td>{} · <a href="{}">{}</a></td></tr>',
                ((when, branch, url, status) for when, branch, status, url in rows),
            ),
        )  # fmt: skip

    @admin.display(description="plan")
    def financing_card(self, obj: Lead) -> SafeString | str:
        fin = obj.financing_snapshot or {}
        if not fin:
            return "Sin simulación de financiamiento."
        if fin.get("cash_purchase"):
            return f"Compra de contado: {money(fin.get('price'))}"
        rate = fin.get("annual_rate")
        rows = [
            ("Precio", money(fin.get("price"))),
            ("Enganche", money(fin.get("down_payment"))),
            ("Monto financiado", money(fin.get("financed_amount"))),
            ("Plazo", f"{fin.get('term_months', '—')} meses"),
            ("Tasa anual", f"{Decimal(str(rate)):.2%}" if rate else "—"),
            ("Mensualidad", money(fin.get("monthly_payment"))),
            ("Intereses totales", money(fin.get("total_interest"))),
            ("Total pagado", money(fin.get("total_paid"))),
        ]
        return format_html(
            '<table class="lead-facts"><tbody>{}</tbody></table>',
            format_html_join("", "<tr><th>{}</th><td>{}</td></tr>", rows),
        )

    @admin.display(description="tabla de amortización")
    def amortization_table(self, obj: Lead) -> SafeString | str:
        rows = lead_amortization(lead=obj) if obj.pk else []
        if not rows:
            return "—"
        url = reverse("admin:leads_lead_amortization", args=[obj.pk])
        body = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    r.month,
                    money(r.payment),
                    money(r.interest),
                    money(r.principal),
                    money(r.balance),
                )
                for r in rows
            ),
        )
        return format_html(
            '<a class="button" href="{}">Descargar CSV</a>'
            "<details style='margin-top:.6em'><summary>Ver los {} pagos</summary>"
            "<table><thead><tr><th>Mes</th><th>Pago</th><th>Interés</th><th>Capital</th>"
            "<th>Saldo</th></tr></thead><tbody>{}</tbody></table></details>",
            url,
            len(rows),
            body,
        )

    @admin.display(description="transcripción")
    def transcript(self, obj: Lead) -> SafeString | str:
        if obj.conversation is None:
            return "Este lead no tiene conversación registrada."
        return transcript_html(conversation=obj.conversation)

    @admin.display(description="calificación del cliente")
    def satisfaction_card(self, obj: Lead) -> SafeString:
        answers = satisfaction_for_lead(lead=obj)
        if not answers:
            return format_html("<em>{}</em>", "El cliente no ha calificado la atención.")
        rows = format_html_join(
            "",
            "<tr class='satisfaction-answer' data-score='{}'><td style='white-space:nowrap'>{}"
            "</td><td><b>{} / 5</b> {}</td><td>{}</td><td style='white-space:pre-wrap'>{}</td>"
            "</tr>",
            (
                (
                    a.score,
                    local_datetime(a.created_at),
                    a.score,
                    "★" * a.score,
                    user_label(a.salesperson) if a.salesperson_id else "solo el agente",
                    a.comment or "—",
                )
                for a in answers
            ),
        )
        return format_html(
            "<table><thead><tr><th>Fecha</th><th>Calificación</th><th>Atendió</th>"
            "<th>Comentario</th></tr></thead><tbody>{}</tbody></table>",
            rows,
        )

    @admin.display(description="actividad")
    def activity_log(self, obj: Lead) -> SafeString:
        lines: list[tuple[str, str, str, str]] = [
            (local_datetime(obj.created_at), "Lead creado", "el agente", obj.get_source_display())
        ]
        statuses = dict(Lead.Status.choices)
        for event in lead_events(lead=obj):
            if event.kind == LeadEvent.Kind.STATUS:
                what = (
                    f"{statuses.get(event.from_status, event.from_status)} → "
                    f"{statuses.get(event.to_status, event.to_status)}"
                )
                detail = f"Motivo: {event.text}" if event.text else ""
            elif event.kind == LeadEvent.Kind.CONVERSATION:
                what = returned_html(event)
                detail = event.text
            elif event.kind == LeadEvent.Kind.ASSIGNED:
                what = (
                    f"Asignado a {user_label(event.assignee)}"
                    if event.assignee_id
                    else ("Sin asignar")
                )
                detail = event.text
            else:
                what, detail = "Nota", event.text
            lines.append((local_datetime(event.created_at), what, user_label(event.author), detail))
        return format_html(
            '<table class="lead-activity"><thead><tr><th>Fecha</th><th>Qué</th><th>Quién</th>'
            "<th>Detalle</th></tr></thead><tbody>{}</tbody></table>",
            format_html_join(
                "",
                "<tr><td>{}</td><td>{}</td><td>{}</td>"
                "<td style='white-space:pre-wrap'>{}</td></tr>",
                lines,
            ),
        )
