"""Prometheus metrics, correct under several gunicorn workers (multiprocess mode).

With ``PROMETHEUS_MULTIPROC_DIR`` set (gunicorn config and the Celery worker set it in
production), every process writes its samples to files in that directory and ``/metrics``
aggregates them; without it (tests, ``make run``) the default in-process registry is used.

``/metrics`` is served only to requests carrying ``Authorization: Bearer <METRICS_TOKEN>`` or
coming directly (no ``X-Forwarded-For``, so not through the load balancer) from an address in
``METRICS_ALLOWED_NETWORKS``.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

# prometheus_client refuses to import metrics in multiprocess mode when the directory is missing;
# containers start with an empty /tmp, and every process type (web, worker, beat, migrate) loads us.
if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.makedirs(os.environ["PROMETHEUS_MULTIPROC_DIR"], exist_ok=True)

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client import REGISTRY as DEFAULT_REGISTRY

_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15)

HTTP_REQUEST_SECONDS = Histogram(
    "kavak_http_request_seconds",
    "HTTP request latency by route.",
    ["route", "method", "status"],
    buckets=_LATENCY_BUCKETS,
)
TURN_SECONDS = Histogram(
    "kavak_turn_seconds",
    "Conversation turn latency (lock, decide, save) by channel.",
    ["channel"],
    buckets=_LATENCY_BUCKETS,
)
FUNNEL_STEP_TOTAL = Counter(
    "kavak_funnel_step_reached_total",
    "Conversations reaching a funnel step for the first time.",
    ["step"],
)
NEXT_ACTION_TOTAL = Counter(
    "kavak_next_action_total", "Turns by the action the agent waits for next.", ["next_action"]
)
KB_ANSWERS_TOTAL = Counter(
    "kavak_kb_answers_total", "Knowledge-base answers by outcome.", ["outcome"]
)
KB_CONFIDENCE = Histogram(
    "kavak_kb_confidence",
    "Calibrated confidence of knowledge-base answers.",
    buckets=(0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0),
)
LLM_CALLS_TOTAL = Counter(
    "kavak_llm_calls_total", "LLM calls by use and outcome.", ["use", "outcome"]
)
LLM_TOKENS_TOTAL = Counter(
    "kavak_llm_tokens_total",
    "Tokens billed by the model provider, by use and kind.",
    ["use", "kind"],
)
LLM_SECONDS = Histogram(
    "kavak_llm_seconds", "LLM call latency by use.", ["use"], buckets=_LATENCY_BUCKETS
)
LLM_GUARDRAIL_REJECTIONS_TOTAL = Counter(
    "kavak_llm_guardrail_rejections_total", "LLM outputs rejected by the guardrail.", ["reason"]
)
WEBHOOK_DUPLICATES_TOTAL = Counter(
    "kavak_webhook_duplicates_total", "Twilio deliveries recognised as duplicates.", ["layer"]
)
WEBHOOK_SIGNATURE_FAILURES_TOTAL = Counter(
    "kavak_webhook_signature_failures_total",
    "Webhook requests with an invalid signature (mode: Twilio's enforce/log-only, or meta).",
    ["mode"],
)
RATE_LIMITED_SENDERS_TOTAL = Counter(
    "kavak_rate_limited_messages_total", "Inbound messages over the per-sender rate limit."
)
OUTBOUND_STATUS_TOTAL = Counter(
    "kavak_outbound_messages_total", "Outbound WhatsApp messages by status.", ["status"]
)
CELERY_TASK_SECONDS = Histogram(
    "kavak_celery_task_seconds", "Celery task run time.", ["task"], buckets=_LATENCY_BUCKETS
)
CELERY_TASK_EVENTS_TOTAL = Counter(
    "kavak_celery_task_events_total", "Celery task outcomes.", ["task", "event"]
)


def observe_request(*, route: str, method: str, status: int, seconds: float) -> None:
    HTTP_REQUEST_SECONDS.labels(route=route, method=method, status=str(status)).observe(seconds)


def metrics_access_allowed(request: HttpRequest) -> bool:
    """The metrics bearer token, or a direct request from ``METRICS_ALLOWED_NETWORKS``."""
    token = settings.METRICS_TOKEN
    header = request.headers.get("Authorization", "")
    if token and header.startswith("Bearer "):
        return hmac.compare_digest(header[7:].strip(), token)
    if request.headers.get("X-Forwarded-For"):
        return False  # came through the load balancer: the internal-network rule does not apply
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(
        address in ipaddress.ip_network(net, strict=False)
        for net in settings.METRICS_ALLOWED_NETWORKS
    )


def metrics_view(request: HttpRequest) -> HttpResponse:
    if not metrics_access_allowed(request):
        return JsonResponse(
            {"error": "forbidden", "message": "Métricas solo para la red interna o con token."},
            status=403,
        )
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = DEFAULT_REGISTRY
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)


class MetricsMiddleware:
    """Request latency by route pattern (never by raw path: bounded label values)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        route = match.route if match is not None and match.route else "unmatched"
        observe_request(
            route=route,
            method=request.method or "",
            status=response.status_code,
            seconds=time.perf_counter() - started,
        )
        return response
