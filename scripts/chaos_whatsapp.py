"""`make chaos-whatsapp`: exactly-once WhatsApp under duplicate storms, Redis flushes, dead workers.

The production shape: three gunicorn instances (different ports, 2 gthread workers each) share one
PostgreSQL database (``kavak_chaos_<provider>_<pid>``, created and dropped) and Redis (database
11, a key prefix of this run);
two Celery workers with thread pools consume the run's ``turns`` queue and a prefork worker its
``messages`` queue (acks late); the LLM is on, against the local OpenAI stand-in with a log-normal
latency (median 0.8 s, p95 1.8 s; CHAOS_WHATSAPP_LLM=false turns it off), so turns wait on the model
while workers die; Celery beat runs the product's pending-work sweep (interval shortened to 5 s);
the provider's REST API is a stand-in in this process. The same scenario runs once per provider
(``--provider twilio|meta|both``, default both): Twilio (form posts signed with
X-Twilio-Signature, replies to the fake Messages API) and Meta's WhatsApp Cloud API (JSON posts
signed with X-Hub-Signature-256 to /channels/whatsapp/meta/webhook, replies to the Graph API
stand-in, which posts a signed "sent" status back for every message, as Meta does). Each phase
sends 200 distinct message ids from 200 customers, every delivery 5 times at the same instant,
spread over the three instances. Expected per phase: 200 stored messages, 200 turns, one reply per
customer sent once, nothing lost.

Phases: (1) baseline; (2) Redis flushed while the copies are still arriving; (3) one worker killed
(SIGKILL of the whole process group) while it holds unacknowledged tasks, replaced once the broker's
visibility timeout has passed (as ECS replaces a dead task). A task the broker lost in the kill
(kombu pops with BRPOP before recording the message as unacknowledged) is recovered by the sweep.
Bounded: about 1–2 minutes.
"""

from __future__ import annotations

import os
import random
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from typing import Any

from tests.support import whatsapp_harness as h
from tests.support.whatsapp_harness import Environment

PORTS = (18611, 18612, 18613)
PHASE_SIZE = 200
COPIES = 5
BATCH = 10  # message ids fired together: BATCH × COPIES concurrent requests
VISIBILITY_TIMEOUT_S = 15
SWEEP_INTERVAL_S = 5  # production: 60 s
SWEEP_AFTER_S = 20  # production: 120 s
PHASE_TIMEOUT_S = 90
BODIES = (
    "Hola, busco un auto familiar",
    "Hola, tengo 250 mil de presupuesto",
    "Busco un Corolla automático",
    "¿Qué SUV tienen por 350 mil?",
    "Hola, quiero un sedán económico",
)


@dataclass(frozen=True)
class Delivery:
    """One customer message as the provider posts it to our webhook."""

    sid: str
    recipient: str  # the customer as the provider's API stand-in records replies to them
    from_address: str  # the customer as stored (whatsapp:+521…)
    to_address: str  # our business number as stored
    body: str
    path: str
    wire: bytes
    headers: tuple[tuple[str, str], ...]


class Provider:
    """What differs between Twilio and Meta in this scenario: payloads, signatures, the stand-in."""

    name = ""

    def delivery(self, *, sid: str, address: str, body: str) -> Delivery:
        raise NotImplementedError

    def new_sid(self) -> str:
        raise NotImplementedError

    def recipient(self, address: str) -> str:
        raise NotImplementedError

    def start_fake(self) -> Any:
        raise NotImplementedError

    def environment(self, fake: Any) -> dict[str, str]:
        return {}


class TwilioProvider(Provider):
    name = "twilio"

    def new_sid(self) -> str:
        return "SM" + uuid.uuid4().hex

    def recipient(self, address: str) -> str:
        return address

    def delivery(self, *, sid: str, address: str, body: str) -> Delivery:
        form = h.inbound_form(sid=sid, from_address=address, body=body)
        wire, signature = h.signed_body(form)
        return Delivery(
            sid=sid,
            recipient=address,
            from_address=address,
            to_address=h.OUR_NUMBER,
            body=body,
            path=h.WEBHOOK,
            wire=wire,
            headers=(
                ("Content-Type", "application/x-www-form-urlencoded"),
                ("X-Twilio-Signature", signature),
            ),
        )

    def start_fake(self) -> Any:
        from tests.support.fake_twilio import FakeTwilio

        return FakeTwilio(account_sid=h.ACCOUNT_SID).start()


class MetaProvider(Provider):
    name = "meta"

    def new_sid(self) -> str:
        from tests.support.fake_meta import new_wamid

        return new_wamid()

    def recipient(self, address: str) -> str:
        return address.removeprefix("whatsapp:+")  # Meta's wa_id: digits only

    def delivery(self, *, sid: str, address: str, body: str) -> Delivery:
        from tests.support.fake_meta import encode, inbound_payload, sign

        wa_id = self.recipient(address)
        wire = encode(
            inbound_payload(
                phone_number_id=h.META_PHONE_NUMBER_ID,
                display_phone=h.META_NUMBER,
                wa_id=wa_id,
                body=body,
                message_id=sid,
            )
        )
        return Delivery(
            sid=sid,
            recipient=wa_id,
            from_address=address,
            to_address="whatsapp:" + h.META_NUMBER,
            body=body,
            path=h.META_WEBHOOK,
            wire=wire,
            headers=(
                ("Content-Type", "application/json"),
                ("X-Hub-Signature-256", sign(wire, h.META_APP_SECRET)),
            ),
        )

    def start_fake(self) -> Any:
        from tests.support.fake_meta import FakeGraph

        # Like Meta, the stand-in posts a signed "sent" status for every accepted message.
        return FakeGraph(
            access_token=h.META_ACCESS_TOKEN,
            webhook_url=f"http://127.0.0.1:{PORTS[0]}{h.META_WEBHOOK}",
            app_secret=h.META_APP_SECRET,
            display_phones={h.META_PHONE_NUMBER_ID: h.META_NUMBER},
        ).start()

    def environment(self, fake: Any) -> dict[str, str]:
        return h.meta_variables(fake.base_url)


PROVIDERS: dict[str, Provider] = {"twilio": TwilioProvider(), "meta": MetaProvider()}


def deliver_all(deliveries: list[Delivery], *, midway: threading.Event | None = None) -> Counter:
    """Fire every delivery COPIES times at once, copy k to instance k % 3; returns status counts."""
    statuses: Counter = Counter()
    lock = threading.Lock()
    posters = {port: [h.Poster(port) for _ in range(BATCH * COPIES)] for port in PORTS}
    for start in range(0, len(deliveries), BATCH):
        if midway is not None and start >= len(deliveries) // 2:
            midway.set()
        batch = deliveries[start : start + BATCH]
        jobs = [(d, copy) for d in batch for copy in range(COPIES)]
        barrier = threading.Barrier(len(jobs))

        def fire(index: int, d: Delivery, copy: int, barrier: threading.Barrier) -> None:
            barrier.wait()
            port = PORTS[copy % len(PORTS)]
            try:
                status, _ = posters[port][index].send(d.path, d.wire, dict(d.headers))
            except OSError:
                status = 0
            with lock:
                statuses[status] += 1

        threads = [
            threading.Thread(target=fire, args=(i, d, copy, barrier))
            for i, (d, copy) in enumerate(jobs)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
    return statuses


def phase_deliveries(provider: Provider, offset: int) -> tuple[list[Delivery], list[str]]:
    """Deliveries of one phase and the customers' recipient keys at the provider's stand-in."""
    addresses = h.customers(PHASE_SIZE, offset=offset)
    deliveries = [
        provider.delivery(sid=provider.new_sid(), address=a, body=random.choice(BODIES))
        for a in addresses
    ]
    return deliveries, [d.recipient for d in deliveries]


def store_without_task(
    provider: Provider, n: int, *, offset: int
) -> tuple[list[Delivery], list[str]]:
    """Messages stored but whose task never reached a worker: what a broker outage at enqueue
    time leaves, and what kombu's BRPOP-then-record window leaves when a worker dies in it."""
    from django.utils import timezone

    from channels.models import WhatsAppInbound
    from channels.phones import phone_normalise

    deliveries, recipients = phase_deliveries(provider, offset)
    deliveries, recipients = deliveries[:n], recipients[:n]
    for d in deliveries:
        WhatsAppInbound.objects.create(
            message_sid=d.sid,
            from_address=d.from_address,
            to_address=d.to_address,
            phone=phone_normalise(d.from_address),
            body=d.body,
            payload={"script": "chaos_whatsapp", "provider": provider.name},
            received_at=timezone.now(),
        )
    return deliveries, recipients


def wait_replies(fake, addresses: list[str], timeout: float) -> float:  # type: ignore[no-untyped-def]
    wanted = set(addresses)
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if wanted <= {m["to"] for m in fake.created}:
            return time.monotonic() - started
        time.sleep(0.1)
    return float("nan")


def count(fake, deliveries: list[Delivery], addresses: list[str]) -> dict[str, int]:  # type: ignore[no-untyped-def]
    from channels.models import WhatsAppInbound, WhatsAppOutbound
    from channels.phones import phone_normalise
    from conversations.models import Message

    phones = [phone_normalise(d.from_address) for d in deliveries]
    sids = [d.sid for d in deliveries]
    wanted = set(addresses)
    sent = [m for m in fake.created if m["to"] in wanted]
    per_message = Counter((m["to"], m["body"]) for m in sent)
    parts = WhatsAppOutbound.objects.filter(to_phone__in=phones)
    return {
        "stored": WhatsAppInbound.objects.filter(message_sid__in=sids).count(),
        "turns": Message.objects.filter(
            direction="in",
            conversation__channel="whatsapp",
            conversation__external_id__in=phones,
        ).count(),
        "reply_parts": parts.count(),
        "sends": len(sent),
        "duplicates": sum(n - 1 for n in per_message.values() if n > 1),
        "customers_without_reply": len(wanted - {m["to"] for m in sent}),
        "parts_not_accepted": parts.exclude(
            status__in=["queued", "sent", "delivered", "read"]
        ).count(),
        "pending_messages": WhatsAppInbound.objects.filter(
            message_sid__in=sids, status="received"
        ).count(),
    }


def diagnose(deliveries: list[Delivery]) -> None:
    """For a failed phase: where did the tasks of the unanswered messages go?"""
    from channels.models import WhatsAppInbound

    sids = [d.sid for d in deliveries]
    pending = WhatsAppInbound.objects.filter(message_sid__in=sids, status="received")
    logs = sorted(h.LOG_DIR.glob("chaos-worker-*.log"))
    for inbound in pending:
        print(f"  pending inbound_id={inbound.pk} received_at={inbound.received_at:%H:%M:%S.%f}")
        needle = f'"args": "({inbound.pk},)"'
        for log in logs:
            for line in log.read_text(errors="replace").splitlines():
                if needle in line:
                    print(f"    {log.name}: {line[:160]}")


def report(name: str, statuses: Counter, figures: dict[str, int], elapsed: float) -> bool:
    ok = (
        figures["stored"] == PHASE_SIZE
        and figures["turns"] == PHASE_SIZE
        and figures["duplicates"] == 0
        and figures["customers_without_reply"] == 0
        and figures["parts_not_accepted"] == 0
        and figures["sends"] == figures["reply_parts"]
    )
    print(f"\n== {name}")
    print(
        f"  deliveries: {sum(statuses.values())} ({PHASE_SIZE} message ids × "
        f"{sum(statuses.values()) // PHASE_SIZE}), "
        f"HTTP {dict(sorted(statuses.items()))}"
    )
    print(
        f"  stored={figures['stored']} turns={figures['turns']} "
        f"reply_parts={figures['reply_parts']} "
        f"sends={figures['sends']} duplicates={figures['duplicates']} "
        f"lost={figures['customers_without_reply']} not_accepted={figures['parts_not_accepted']} "
        f"pending={figures['pending_messages']}"
    )
    print(
        f"  all replies sent {elapsed:.1f} s after the last delivery  →  {'OK' if ok else 'FAIL'}"
    )
    return ok


TURN_THREADS = 16


def turn_worker(env: h.Environment, name: str) -> h.Proc:
    return h.start_worker(
        env,
        name=name,
        concurrency=TURN_THREADS,
        queues=env.turn_queue,
        pool="threads",
        extra={"DATABASE_POOL_MAX_SIZE": "8"},
    )


def main() -> int:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--provider", choices=("twilio", "meta", "both"), default="both")
    chosen = parser.parse_args().provider
    if chosen == "both":
        # One process per provider: this script configures Django once per process (its own
        # database and settings for the run).
        import subprocess

        codes = {}
        for name in ("twilio", "meta"):
            print(f"\n######## provider: {name}", flush=True)
            codes[name] = subprocess.run(
                [sys.executable, __file__, "--provider", name], check=False
            ).returncode
        verdicts = ", ".join(f"{n} {'PASS' if c == 0 else 'FAIL'}" for n, c in codes.items())
        print(f"\nchaos-whatsapp: {verdicts}")
        return 0 if all(c == 0 for c in codes.values()) else 1
    if os.environ.get("CHAOS_WHATSAPP_LLM", "true").lower() in ("0", "false", "no", "off"):
        return run(PROVIDERS[chosen], {})
    return run_with_model(PROVIDERS[chosen])


def run_with_model(provider: Provider) -> int:
    import math

    from tests.support.stub_llm_server import stub_model_server

    sigma = math.log(1.8 / 0.8) / 1.6449

    def latency() -> float:
        return random.lognormvariate(math.log(0.8), sigma)

    with stub_model_server(latency=latency) as model:
        code = run(
            provider,
            {
                "LLM_ENABLED": "true",
                "OPENAI_API_KEY": "sk-chaos-not-a-real-key",
                "OPENAI_BASE_URL": model.url,
                "LLM_USES": "faq,slots,smooth",  # a model call on every turn
            },
        )
        print(f"  the model stand-in answered {model.calls} calls")
        return code


def run(provider: Provider, llm: dict[str, str]) -> int:
    fake = provider.start_fake()
    env = Environment(
        database=f"kavak_chaos_{provider.name}_{os.getpid()}",  # parallel runs never collide
        redis_db=11,
        fake_url=fake.base_url,
        extra={
            "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT_S),
            "WHATSAPP_SWEEP_INTERVAL_S": str(SWEEP_INTERVAL_S),
            "WHATSAPP_SWEEP_AFTER_S": str(SWEEP_AFTER_S),
            **provider.environment(fake),
            **llm,
        },
    )
    started = time.monotonic()
    print(f"chaos-whatsapp: database {env.database}, Redis db {env.redis_db} prefix {env.prefix}")
    print("  preparing the database (migrate + demo catalogue)…")
    results: list[bool] = []
    try:
        h.recreate_database(env)
        h.django_setup(env)
        with h.processes() as procs:
            for i, port in enumerate(PORTS):
                procs.append(h.start_gunicorn(env, port=port, workers=2, name=f"chaos-web-{i}"))
            # The production shape: turns on thread-pool workers, everything else on prefork.
            workers = [turn_worker(env, f"chaos-turns-{i}") for i in (1, 2)]
            procs.extend(workers)
            procs.append(
                h.start_worker(env, name="chaos-messages", concurrency=2, queues=env.message_queue)
            )
            procs.append(h.start_beat(env, name="chaos-beat"))
            print(
                f"  3 gunicorn instances on {PORTS} (2 gthread workers each), 2 turn workers "
                f"(thread pool, {TURN_THREADS} threads each), 1 messages worker (2 processes), "
                f"visibility timeout {VISIBILITY_TIMEOUT_S} s, burst window "
                f"{env.burst_window_s} s, Celery beat running the pending-work sweep"
            )

            forms, addresses = phase_deliveries(provider, 0)
            statuses = deliver_all(forms)
            elapsed = wait_replies(fake, addresses, PHASE_TIMEOUT_S)
            time.sleep(3)
            results.append(report("1. baseline", statuses, count(fake, forms, addresses), elapsed))
            if not results[-1]:
                diagnose(forms)

            forms, addresses = phase_deliveries(provider, 1000)
            midway = threading.Event()
            flushed: list[int] = []

            def flush_when_midway() -> None:
                midway.wait(60)
                flushed.append(h.redis_flush_app_keys(env))

            flusher = threading.Thread(target=flush_when_midway)
            flusher.start()
            statuses = deliver_all(forms, midway=midway)
            flusher.join()
            # Redeliver everything once more now that Redis has forgotten every message id.
            again = deliver_all(forms)
            statuses.update(again)
            elapsed = wait_replies(fake, addresses, PHASE_TIMEOUT_S)
            time.sleep(3)
            name = (
                f"2. Redis flushed midway ({flushed[0] if flushed else 0} keys) "
                f"and every message id redelivered 5 more times"
            )
            results.append(report(name, statuses, count(fake, forms, addresses), elapsed))
            if not results[-1]:
                diagnose(forms)

            forms, addresses = phase_deliveries(provider, 2000)
            victim = workers[0]
            killed_at: list[float] = []

            def kill_when_busy() -> None:
                wanted = set(addresses)
                deadline = time.monotonic() + 60
                while time.monotonic() < deadline:
                    if len({m["to"] for m in fake.created} & wanted) >= PHASE_SIZE // 4:
                        break
                    time.sleep(0.02)
                victim.kill_group()
                killed_at.append(time.monotonic())

            killer = threading.Thread(target=kill_when_busy)
            killer.start()
            statuses = deliver_all(forms)
            killer.join()
            lost_forms, lost_addresses = store_without_task(provider, 3, offset=3000)
            sent_at_kill = len({m["to"] for m in fake.created} & set(addresses))
            wait = VISIBILITY_TIMEOUT_S + 1 - (time.monotonic() - killed_at[0])
            if wait > 0:
                time.sleep(wait)
            replacement = turn_worker(env, "chaos-turns-1b")
            procs.append(replacement)
            elapsed = wait_replies(fake, addresses + lost_addresses, PHASE_TIMEOUT_S)
            time.sleep(3)
            redelivered = sum(
                "channels.inbound_message_process[" in line and "received" in line
                for line in replacement.log.read_text(errors="replace").splitlines()
            )
            print(
                f"\n  turn worker 1 killed (SIGKILL, whole process group) with {sent_at_kill}/"
                f"{PHASE_SIZE} replies sent; its unacknowledged tasks came back after the "
                f"visibility timeout: the replacement worker received {redelivered} of them"
            )
            sweeps = [
                line
                for log in h.LOG_DIR.glob("chaos-worker-*.log")
                for line in log.read_text(errors="replace").splitlines()
                if "whatsapp_sweep_requeued" in line
            ]
            lost = count(fake, lost_forms, lost_addresses)
            recovered_ok = (
                lost["turns"] == len(lost_forms)
                and lost["duplicates"] == 0
                and lost["customers_without_reply"] == 0
            )
            print(
                f"  beat sweep (every {SWEEP_INTERVAL_S} s, work pending > {SWEEP_AFTER_S} s) "
                f"re-enqueued stale work {len(sweeps)} time(s); {len(lost_forms)} messages stored "
                f"with their task lost: turns={lost['turns']} sends={lost['sends']} "
                f"duplicates={lost['duplicates']}  →  {'OK' if recovered_ok else 'FAIL'}"
            )
            results.append(recovered_ok)
            recovered = time.monotonic() - killed_at[0]
            results.append(
                report(
                    f"3. worker killed mid-run (all replies out {recovered:.1f} s after the kill)",
                    statuses,
                    count(fake, forms, addresses),
                    elapsed,
                )
            )
            if not results[-1]:
                diagnose(forms)
    finally:
        fake.stop()
        h.redis_cleanup(env)
        from django.db import connections

        connections.close_all()
        h.drop_database(env)
    total = time.monotonic() - started
    verdict = "PASS" if all(results) else "FAIL"
    print(f"\nchaos-whatsapp ({provider.name}): {verdict} in {total:.0f} s")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
