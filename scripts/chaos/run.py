"""The whole run: start the product, load it, run the scenarios in order, print the report."""

from __future__ import annotations

import contextlib
import time
from collections import Counter

from scripts.chaos import config
from scripts.chaos.clients import load
from scripts.chaos.config import (
    CHAT_CLIENTS,
    LLM_COOLDOWN_S,
    LLM_SLOW_S,
    PG_OUTAGE_S,
    REDIS_OUTAGE_S,
    SWEEP_AFTER_S,
    SWEEP_INTERVAL_S,
    VISIBILITY_TIMEOUT_S,
    WA_CUSTOMERS,
    WEB_WORKERS,
    WORKER_CONCURRENCY,
)
from scripts.chaos.control import (
    exclusive_run,
    free_port,
    pg_ensure_running,
    redis_ensure_running,
    start_product,
)
from scripts.chaos.records import Phase, Recorder
from scripts.chaos.report import accounting, drain, lead_sweep, print_phase, scrape
from scripts.chaos.scenarios import (
    end_phase,
    llm_available,
    run_phase,
    scenario_llm,
    scenario_postgres,
    scenario_redis,
    scenario_worker,
)
from tests.support import whatsapp_harness as h
from tests.support.whatsapp_harness import Environment


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m scripts.chaos", description="make chaos: faults under load, with figures"
    )
    parser.add_argument(
        "--only",
        choices=["slow-clients"],
        help="run one scenario alone (slow-clients stops neither PostgreSQL nor Redis)",
    )
    args = parser.parse_args(argv)
    with exclusive_run("chaos"):
        return run_slow_clients_only() if args.only == "slow-clients" else run()


def run_slow_clients_only() -> int:
    """Scenario (e) on a database of its own; PostgreSQL and Redis keep running throughout."""
    from scripts.slow_clients import scenario_slow_clients

    env = Environment(database="kavak_chaos_slow", redis_db=10, fake_url="http://127.0.0.1:9")
    print(f"chaos (slow clients only): database {env.database}, Redis db 10 prefix {env.prefix}")
    print("  preparing the database (migrate + demo catalogue)…", flush=True)
    try:
        h.recreate_database(env)
        h.django_setup(env)
        from rest_framework_api_key.models import APIKey

        _, key = APIKey.objects.create_key(name="chaos-slow-clients")
        ok = scenario_slow_clients(env, key)
    finally:
        with contextlib.suppress(Exception):
            h.redis_cleanup(env)
        with contextlib.suppress(Exception):
            from django.db import connections

            connections.close_all()
            h.drop_database(env)
    print(f"\nchaos (slow clients): {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


def run() -> int:
    from tests.support.fake_twilio import FakeTwilio

    config.PORT = free_port()
    started = time.monotonic()
    fake = FakeTwilio(account_sid=h.ACCOUNT_SID, slow_s=3.0).start()
    env = Environment(
        database="kavak_chaos_ops",
        redis_db=10,
        fake_url=fake.base_url,
        burst_window_s=0.3,
        extra={
            "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT_S),
            "WHATSAPP_SWEEP_INTERVAL_S": str(SWEEP_INTERVAL_S),
            "WHATSAPP_SWEEP_AFTER_S": str(SWEEP_AFTER_S),
            "CHAT_THROTTLE_RATE": "100000/min",
            "CATALOG_VOCABULARY_RECHECK_S": "1.0",
            "API_KEY_CACHE_SECONDS": "30",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        },
    )
    print(f"chaos: database {env.database}, Redis db {env.redis_db} prefix {env.prefix}")
    print("  preparing the database (migrate + demo catalogue)…", flush=True)
    rec = Recorder()
    phases = {
        "baseline": Phase("baseline", "baseline (no fault)"),
        "postgres": Phase("postgres", f"(a) PostgreSQL stopped for ~{PG_OUTAGE_S:.0f} s"),
        "redis": Phase("redis", f"(b) Redis stopped for ~{REDIS_OUTAGE_S:.0f} s"),
        "worker": Phase("worker", "(d) Celery worker killed mid-task"),
        "llm": Phase("llm", f"(c) LLM slow ({LLM_SLOW_S:.0f} s) then failing (500)"),
    }
    ok = True
    try:
        pg_ensure_running()
        redis_ensure_running()
        h.recreate_database(env)
        h.django_setup(env)
        from rest_framework_api_key.models import APIKey

        _, key = APIKey.objects.create_key(name="chaos")
        with h.processes() as procs:
            web, worker = start_product(env, procs, web_name="chaos-web")
            procs.append(h.start_beat(env, name="chaos-beat"))
            print(
                f"  gunicorn on :{config.PORT} ({WEB_WORKERS} sync workers, "
                "PROMETHEUS_MULTIPROC_DIR), "
                f"1 Celery worker ({WORKER_CONCURRENCY} processes, acks late, visibility "
                f"{VISIBILITY_TIMEOUT_S} s), beat sweep every {SWEEP_INTERVAL_S} s; load: "
                f"{CHAT_CLIENTS} /chat clients + {WA_CUSTOMERS} WhatsApp customers",
                flush=True,
            )
            skip_llm = llm_available()
            with load(
                rec, key=key, fake=fake, chat_clients=CHAT_CLIENTS, wa_customers=WA_CUSTOMERS
            ):
                time.sleep(3)
                run_phase(rec, phases["baseline"])
                time.sleep(8)
                end_phase(phases["baseline"])
                scenario_postgres(rec, phases["postgres"], web)
                scenario_redis(rec, phases["redis"], web, fake)
                worker = scenario_worker(rec, phases["worker"], env, fake, procs, worker)
                metrics_lines = scrape(
                    (
                        ("kavak_http_request_seconds_count", 'route="chat"'),
                        ("kavak_http_request_seconds_count", 'route="channels/whatsapp/webhook"'),
                        ("kavak_webhook_duplicates_total", ""),
                        ("kavak_turn_seconds_count", ""),
                    )
                )
                if skip_llm:
                    phases["llm"].skipped = skip_llm
                else:
                    ok &= _llm_phase(rec, phases["llm"], env, procs, fake, key)
                rec.phase = "drain"
            print(f"  [{time.strftime('%H:%M:%S')}] load stopped; waiting for pending replies")
            drain(rec, fake)
            figures = accounting(rec, fake)
            leads_before, leads_after = lead_sweep(rec)
        from scripts.slow_clients import scenario_slow_clients

        slow_ok = scenario_slow_clients(env, key)
    finally:
        fake.stop()
        pg_ensure_running()
        redis_ensure_running()
        with contextlib.suppress(Exception):
            h.redis_cleanup(env)
        with contextlib.suppress(Exception):
            from django.db import connections

            connections.close_all()
            h.drop_database(env)
    for name, phase in phases.items():
        ok &= print_phase(
            phase,
            rec,
            figures["lost"][name],
            figures["dups"][name],
            leads_before[name],
            leads_after[name],
        )
    others = sorted((set(figures["lost"]) | set(figures["dups"])) - set(phases))
    other_lost = sum(sum(figures["lost"][p].values()) for p in others)
    other_dups = sum(sum(figures["dups"][p].values()) for p in others)
    outside = [smp for smp in rec.samples if smp.phase not in phases]
    outside_errors = Counter(f"{smp.channel} {smp.kind}" for smp in outside if not smp.ok)
    print(
        f"\n== outside the scenarios (warm-up, restarting web and worker with the LLM on, drain): "
        f"{len(outside)} requests, errors {dict(outside_errors) or 0} (connections refused while "
        f"gunicorn restarts); messages lost {other_lost}, duplicates {other_dups}"
    )
    for p in others:
        if figures["lost"][p] or figures["dups"][p]:
            print(f"  {p}: lost {dict(figures['lost'][p])} duplicates {dict(figures['dups'][p])}")
    ok &= other_lost == 0 and other_dups == 0
    ok &= slow_ok
    print("\n/metrics after scenarios a, b, d (web processes; non-zero counters):")
    for line in metrics_lines:
        print(f"  {line}")
    total_lost = sum(sum(c.values()) for c in figures["lost"].values())
    total_dups = sum(sum(c.values()) for c in figures["dups"].values())
    total = time.monotonic() - started
    print(
        f"\nchaos: {'PASS' if ok else 'FAIL'} in {total:.0f} s — messages lost {total_lost}, "
        f"duplicates {total_dups}"
    )
    return 0 if ok else 1


def _llm_phase(rec: Recorder, phase: Phase, env: Environment, procs, fake, key: str) -> bool:  # type: ignore[no-untyped-def]
    """Restart web and worker with the LLM on (the stub), run scenario (c) under the same load."""
    from tests.support.stub_llm_server import stub_model_server

    with stub_model_server() as model:
        llm = {
            "LLM_ENABLED": "true",
            "OPENAI_API_KEY": "sk-chaos-not-a-real-key",
            "OPENAI_BASE_URL": model.url,
            "OPENAI_MODEL": "stub-model",
            "LLM_USES": "faq,slots,smooth",  # the scenario counts smoothed replies
            "LLM_CIRCUIT_COOLDOWN_S": str(LLM_COOLDOWN_S),
        }
        rec.phase = "llm-restart"
        for proc in [p for p in procs if p.name.startswith(("chaos-web", "chaos-worker"))]:
            proc.stop()
            procs.remove(proc)
        env.extra.update(llm)
        web, _ = start_product(env, procs, web_name="chaos-web-llm")
        scenario_llm(rec, phase, env, procs, web, model)
        rec.phase = "drain"
        rec.stop.set()
        drain(rec, fake)
    return True
