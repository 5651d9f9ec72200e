"""The funnel dashboard: conversations to leads, hand-offs, latency, the LLM roll-out and charts."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.safestring import SafeString

from backoffice import charts
from backoffice.admin.display import reply_url_for
from backoffice.dashboard import (
    DateRange,
    dashboard_daily,
    dashboard_funnel,
    dashboard_handoffs_waiting,
    dashboard_kb_fallback,
    dashboard_latency,
    dashboard_leads_by_agent,
    dashboard_llm_rollout,
)
from backoffice.models import FunnelDashboard
from backoffice.satisfaction import satisfaction_context
from kavak.admin import ViewOnlyAdmin
from leads.models import (
    Lead,
)


# --- Funnel dashboard -----------------------------------------------------------------------------
class DashboardForm(forms.Form):
    # ``<input type="date">`` only takes ISO values (2026-11-30): the localised dd/mm/aaaa left
    # the fields empty in the browser.
    desde = forms.DateField(
        label="Desde",
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    hasta = forms.DateField(
        label="Hasta",
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    canal = forms.ChoiceField(
        label="Canal",
        required=False,
        choices=[("", "Todos"), ("whatsapp", "WhatsApp"), ("web", "Chat web"), ("api", "API")],
    )

    MAX_DAYS = 366

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        first, last = data.get("desde"), data.get("hasta")
        if first and last:
            if first > last:
                raise ValidationError("La fecha inicial es posterior a la final.")
            if (last - first).days >= self.MAX_DAYS:
                raise ValidationError("El rango máximo es de un año.")
        return data


def _default_period(today: date) -> DateRange:
    return DateRange(first=today - timedelta(days=29), last=today)


@admin.register(FunnelDashboard)
class FunnelDashboardAdmin(ViewOnlyAdmin):
    """Not a list: the entry opens the dashboard (who may see it = ``view_funneldashboard``)."""

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "",
                self.admin_site.admin_view(self.dashboard_view),
                name="backoffice_funneldashboard_changelist",
            )
        ]

    def dashboard_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        period = _default_period(timezone.localdate())
        initial = {"desde": period.first, "hasta": period.last, "canal": ""}
        form = DashboardForm(request.GET if "desde" in request.GET else None, initial=initial)
        channel = ""
        if form.is_bound and form.is_valid():
            period = DateRange(first=form.cleaned_data["desde"], last=form.cleaned_data["hasta"])
            channel = form.cleaned_data["canal"]
        elif not form.is_bound:
            form = DashboardForm(initial=initial)
        context = {
            **self.admin_site.each_context(request),
            "title": "Tablero del embudo",
            "opts": self.model._meta,
            "form": form,
            "period": period,
            "waiting": [
                (w, reply_url_for(w.channel, w.conversation_id))
                for w in dashboard_handoffs_waiting(now=timezone.now())
            ],
            "sla_minutes": settings.HANDOFF_SLA_MINUTES,
            **dashboard_context(period=period, channel=channel),
            **satisfaction_context(period=period, channel=channel),
        }
        return TemplateResponse(request, "admin/leads/funnel_dashboard.html", context)


def dashboard_context(*, period: DateRange, channel: str) -> dict[str, Any]:
    """Numbers and charts of the dashboard for a period (and channel)."""
    funnel = dashboard_funnel(period=period, channel=channel)
    by_key = {stage.key: stage for stage in funnel}
    fallback = dashboard_kb_fallback(period=period, channel=channel)
    latency = dashboard_latency(period=period, channel=channel)
    agents = dashboard_leads_by_agent(period=period, channel=channel)
    daily = dashboard_daily(period=period, channel=channel)
    rollout = dashboard_llm_rollout(period=period, channel=channel)
    return {
        "funnel": funnel,
        "total_conversations": by_key["need"].conversations,
        "handoff_rate": by_key["handoff"].share,
        "lead_rate": by_key["lead"].share,
        "fallback": fallback,
        "latency": latency,
        "agents": agents,
        "rollout": rollout,
        "rollout_rows": [
            (g, "—" if g.conversion is None else f"{g.conversion:.1%}")
            for g in rollout.groups
            if g.conversations or g.key != "unrecorded"
        ],
        "rollout_note": _rollout_note(rollout),
        "llm_enabled": settings.LLM_ENABLED,
        "llm_rollout_percent": settings.LLM_ROLLOUT_PERCENT,
        "statuses": Lead.Status.choices,
        "agent_rows": [
            (agent.name, [agent.by_status[key] for key in Lead.Status.values], agent.total)
            for agent in agents
        ],
        **_dashboard_charts(
            funnel=funnel, agents=agents, daily=daily, latency=latency, fallback=fallback
        ),
    }


def _dashboard_charts(
    *, funnel: Any, agents: Any, daily: Any, latency: Any, fallback: Any
) -> dict[str, SafeString]:
    """The dashboard's SVG charts, from the figures of ``dashboard_context``."""

    def note(stage: Any) -> str:
        if stage.key == "need":
            return "conversaciones"
        if stage.key == "handoff":
            return f"({charts._percent(stage.share)} de las conversaciones)"
        return f"({charts._percent(stage.conversion)} del paso anterior)"

    markers = []
    for label, value, colour in (
        ("p50", latency.p50_ms, "#27ae60"),
        ("p95", latency.p95_ms, "#eb5757"),
    ):
        if value is not None:
            markers.append((f"{label} {value:.0f} ms", _bucket_position(value), colour))
    return {
        "funnel_chart": charts.funnel_svg(
            bars=[charts.Bar(s.key, s.label, s.conversations, note(s)) for s in funnel],
            title="Conversaciones que llegaron a cada paso",
        ),
        "agents_chart": charts.stacked_bars_svg(
            rows=[(agent.name, agent.by_status) for agent in agents],
            series=list(Lead.Status.choices),
            title="Leads por asesor y estado",
            name="agents",
        ),
        "daily_chart": charts.columns_svg(
            columns=[(f"{point.day:%d/%m}", point.conversations) for point in daily],
            title="Conversaciones iniciadas por día",
            name="daily",
            tooltips=[
                f"{point.day:%d/%m}: {point.conversations} conversaciones, {point.leads} con lead, "
                f"{point.handoffs} con asesor"
                for point in daily
            ],
        ),
        "latency_chart": charts.columns_svg(
            columns=latency.buckets,
            title="Latencia de los turnos (respuestas del agente)",
            name="latency",
            markers=markers,
        ),
        "fallback_chart": charts.ratio_svg(
            part=fallback.fallbacks,
            whole=fallback.questions,
            title="Preguntas sin respuesta confiable de la base de conocimiento",
            name="fallback",
            label=f"de {fallback.questions} preguntas sin respuesta confiable "
            f"({fallback.fallbacks} ofrecieron asesor)",
        ),
    }


def _rollout_note(rollout: Any) -> str:
    """The comparison in one sentence an operator can act on."""
    if not rollout.comparable:
        return (
            "Sin comparación en el periodo: hacen falta conversaciones con y sin modelo "
            "(LLM_ENABLED activo y LLM_ROLLOUT_PERCENT entre 1 y 99)."
        )
    model, control = rollout.groups[0], rollout.groups[1]

    def points(value: float) -> str:
        return f"{value * 100:+.1f}".replace("-", "−") + " pp"

    def rate(value: float | None) -> str:
        return "—" if value is None else f"{value:.1%}"

    text = (
        f"Conversión con modelo {rate(model.conversion)} "
        f"({model.conversations} conversaciones) contra {rate(control.conversion)} "
        f"sin modelo ({control.conversations}): diferencia {points(rollout.difference)} "
        f"(intervalo de 95 %: {points(rollout.low)} a {points(rollout.high)}). "
    )
    if rollout.conclusive:
        verdict = "mejora" if rollout.difference > 0 else "empeora"
        return text + f"Con estos tamaños, el modelo {verdict} la conversión."
    return text + (
        "Aún no concluyente: la diferencia podría ser cero; "
        f"espera al menos {rollout.MIN_GROUP} conversaciones por grupo y un intervalo sin el cero."
    )


def _bucket_position(value_ms: float) -> float:
    """Where a latency falls on the histogram's x axis (linear inside its bucket)."""
    from backoffice.dashboard import LATENCY_BUCKETS_MS

    low = 0.0
    for i, high in enumerate(LATENCY_BUCKETS_MS):
        if value_ms < high:
            return i + (value_ms - low) / (high - low)
        low = float(high)
    return len(LATENCY_BUCKETS_MS) + 0.5
