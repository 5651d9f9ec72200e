"""Fault (e) of `make chaos`: clients that send their request body at 1 byte/s (issue 18).

The probe found three such clients held every sync gunicorn worker for 30 s: nobody else was
answered. The web tier now runs gthread workers (GUNICORN_WORKERS x GUNICORN_THREADS, Terraform
sets 2 x 32): a slow client holds one thread, not a process. This scenario starts gunicorn the way
production does (``kavak.settings.production``, 2 workers x 16 threads, behind an "ALB" that is
this script sending ``X-Forwarded-Proto: https``), runs ordinary ``/chat`` turns from 4 clients,
and opens 3 and then 12 slow clients; the ordinary turns must keep their latency. The same
server then gets bodies nested 1,000 and 5,000 levels deep on /chat and /web/chat (a JSON 400).
For contrast (printed, not checked) the same 3 slow clients against 3 sync workers, the
configuration the probe measured.

Loopback only, every loop bounded in time; run alone with
``make chaos-slow-clients`` (it touches neither PostgreSQL nor Redis beyond
its own database and key prefix).
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

from tests.support import whatsapp_harness as h
from tests.support.whatsapp_harness import Environment, percentile

ORDINARY_CLIENTS = 4
ORDINARY_SCRIPT = ("hola", "busco un sedán automático", "tengo 350 mil")
WORKERS, THREADS = 2, 16
BASELINE_S = 10.0
SLOW_PHASE_S = 15.0
SLOW_COUNTS = (3, 12)
SYNC_WORKERS = 3
SLOW_BODY_BYTES = 60  # longer than any phase: at 1 byte/s the body never completes within it
# Ordinary turns during a slow-client phase: no error, p95 within 3x the baseline's + 100 ms.
P95_FACTOR, P95_SLACK_MS, MAX_MS = 3.0, 100.0, 2000.0


def production_environment(port: int) -> dict[str, str]:
    """What kavak.settings.production requires, for loopback (nothing here is contacted)."""
    return {
        "DJANGO_SETTINGS_MODULE": "kavak.settings.production",
        "DJANGO_SECRET_KEY": "slow-clients-only-" + "k" * 40,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_CSRF_TRUSTED_ORIGINS": f"https://127.0.0.1:{port}",
        "LEAD_EMAIL_NOTIFICATIONS": "false",  # the script's turns never capture a lead
        "WHATSAPP_ENABLED": "false",
        "CHAT_THROTTLE_RATE": "100000/min",
        "DJANGO_LOG_LEVEL": "WARNING",
    }


@dataclass
class PhaseFigures:
    """Ordinary requests in flight at any time during the phase's window (a request blocked
    behind slow clients counts with its whole wait, even if it was answered after the phase)."""

    title: str
    started: float = 0.0
    ended: float = 0.0
    slow_clients: int = 0
    slow_held_s: list[float] = field(default_factory=list)
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0

    def collect(self, samples: list[tuple[float, float, bool]]) -> None:
        for started, ended, ok in samples:
            if started < self.ended and ended > self.started:
                if ok:
                    self.latencies_ms.append((ended - started) * 1000)
                else:
                    self.errors += 1

    def line(self) -> str:
        lat = self.latencies_ms
        seconds = self.ended - self.started
        rate = len(lat) / seconds if seconds else 0.0
        held = f", each held {min(self.slow_held_s):.0f} s or more" if self.slow_held_s else ""
        return (
            f"  {self.title}: {len(lat)} ordinary /chat turns in flight ({rate:.0f}/s), "
            f"errors {self.errors}, p50 {percentile(lat, 50):.0f} ms, "
            f"p95 {percentile(lat, 95):.0f} ms, max {max(lat, default=float('nan')):.0f} ms; "
            f"slow clients {self.slow_clients}{held}"
        )


def _ordinary_client(
    port: int, key: str, index: int, stop: threading.Event, samples: list[tuple[float, float, bool]]
) -> None:
    """Short /chat conversations, one request at a time: (start, end, answered 200) each."""
    import http.client

    headers = {
        "Content-Type": "application/json",
        "Authorization": f"Bearer {key}",
        "X-Forwarded-Proto": "https",  # what the ALB adds; production redirects plain HTTP
        "Host": "127.0.0.1",
    }
    n = 0
    while not stop.is_set():
        n += 1
        session = f"slow-ordinary-{index}-{n}"
        for text in ORDINARY_SCRIPT:
            if stop.is_set():
                return
            body = json.dumps({"session_id": session, "message": text}).encode()
            started = time.monotonic()
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                conn.request("POST", "/chat", body=body, headers=headers)
                status = conn.getresponse().status
                conn.close()
            except OSError:
                status = 0
            samples.append((started, time.monotonic(), status == 200))
            time.sleep(0.02)


def _slow_client(port: int, key: str, index: int, stop: threading.Event, held: list[float]) -> None:
    """Headers at once, then the body at 1 byte/s until the phase ends (bounded)."""
    message = "hola " + "a" * SLOW_BODY_BYTES
    body = json.dumps({"session_id": f"slow-{index}", "message": message}).encode()
    head = (
        "POST /chat HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Forwarded-Proto: https\r\n"
        f"Authorization: Bearer {key}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()
    started = time.monotonic()
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 5) as sock:
        sock.sendall(head)
        for byte in body:
            if stop.wait(1.0):
                break
            sock.sendall(bytes([byte]))
    held.append(time.monotonic() - started)


@contextlib.contextmanager
def _threads(targets: list[tuple[object, tuple[object, ...]]]) -> Iterator[None]:
    threads = [threading.Thread(target=t, args=a, daemon=True) for t, a in targets]  # type: ignore[arg-type]
    for thread in threads:
        thread.start()
    try:
        yield
    finally:
        for thread in threads:
            thread.join(timeout=70)


def _measure(port: int, key: str, plan: list[tuple[str, int, float]]) -> list[PhaseFigures]:
    """Ordinary load through every phase of ``plan`` (title, slow clients, seconds)."""
    samples: list[tuple[float, float, bool]] = []
    phases: list[PhaseFigures] = []
    stop_ordinary = threading.Event()
    ordinary = [
        (_ordinary_client, (port, key, i, stop_ordinary, samples)) for i in range(ORDINARY_CLIENTS)
    ]
    with _threads(ordinary):
        time.sleep(2.0)  # warm-up
        for title, slow, seconds in plan:
            phase = PhaseFigures(title, slow_clients=slow)
            stop_slow = threading.Event()
            slow_targets = [
                (_slow_client, (port, key, i, stop_slow, phase.slow_held_s)) for i in range(slow)
            ]
            with _threads(slow_targets):
                time.sleep(1.0 if slow else 0.0)  # every slow client has sent its headers
                phase.started = time.monotonic()
                time.sleep(seconds)
                phase.ended = time.monotonic()
                stop_slow.set()
            phases.append(phase)
            time.sleep(2.0)  # requests blocked during the phase are answered now
        stop_ordinary.set()
    for phase in phases:
        phase.collect(samples)
    return phases


def nested_json_checks(port: int, key: str) -> list[tuple[str, bool]]:
    """Bodies nested 1,000 and 5,000 levels deep on /chat and /web/chat (with its session cookie
    and CSRF token, as the page sends them): a JSON 400 ``json_too_deep``, never a 500."""
    import http.client
    from http.cookies import SimpleCookie

    Answer = tuple[int, bytes, str]

    def request(method: str, path: str, body: bytes = b"", **headers: str) -> Answer:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        base = {"Host": "127.0.0.1", "X-Forwarded-Proto": "https"}
        conn.request(method, path, body=body or None, headers={**base, **headers})
        response = conn.getresponse()
        data, cookies = response.read(), response.getheader("Set-Cookie") or ""
        conn.close()
        return response.status, data, cookies

    _, _, set_cookie = request("GET", "/")
    token = SimpleCookie(set_cookie).get("csrftoken")
    csrf = token.value if token else ""
    results = []
    for depth in (1_000, 5_000):
        body = ("[" * depth + "]" * depth).encode()
        for path, extra in (
            ("/chat", {"Authorization": f"Bearer {key}"}),
            (
                "/web/chat",
                {
                    "Cookie": f"csrftoken={csrf}",
                    "X-CSRFToken": csrf,
                    "Origin": "https://127.0.0.1",
                    "Referer": "https://127.0.0.1/",
                },
            ),
        ):
            status, data, _ = request(
                "POST", path, body, **{"Content-Type": "application/json", **extra}
            )
            answer = data.decode(errors="replace")
            ok = status == 400 and '"json_too_deep"' in answer
            results.append((f"JSON nested {depth:,} levels on {path}: {status} {answer[:60]}", ok))
    return results


def scenario_slow_clients(env: Environment, key: str) -> bool:
    """Run the scenario against a database already migrated (``env``); print figures; True if
    every check passed."""
    print(f"\n== (e) slow clients: body at 1 byte/s, {ORDINARY_CLIENTS} ordinary /chat clients")
    ok = True
    port = _free_port()
    extra = production_environment(port)
    saved = dict(env.extra)
    env.extra.update(extra)
    try:
        env.extra["GUNICORN_THREADS"] = str(THREADS)
        with h.processes() as procs:
            procs.append(h.start_gunicorn(env, port=port, workers=WORKERS, name="slow-gthread"))
            plan = [("baseline", 0, BASELINE_S)] + [
                (f"{n} slow clients", n, SLOW_PHASE_S) for n in SLOW_COUNTS
            ]
            gthread = _measure(port, key, plan)
            nested = nested_json_checks(port, key)
        print(f"  gunicorn gthread, production settings: {WORKERS} workers x {THREADS} threads")
        for phase in gthread:
            print(phase.line())
        base = percentile(gthread[0].latencies_ms, 95)
        for phase in gthread[1:]:
            p95 = percentile(phase.latencies_ms, 95)
            checks = [
                (f"{phase.title}: no ordinary request failed", phase.errors == 0),
                (
                    f"{phase.title}: p95 {p95:.0f} ms <= {P95_FACTOR:.0f} x baseline "
                    f"{base:.0f} ms + {P95_SLACK_MS:.0f} ms",
                    p95 <= P95_FACTOR * base + P95_SLACK_MS,
                ),
                (
                    f"{phase.title}: slowest ordinary turn under {MAX_MS:.0f} ms",
                    max(phase.latencies_ms, default=float("inf")) < MAX_MS,
                ),
                (f"{phase.title}: ordinary turns kept flowing", len(phase.latencies_ms) > 20),
            ]
            for label, passed in checks:
                print(f"  [{'ok' if passed else 'FAIL'}] {label}")
                ok &= passed
        for label, passed in nested:
            print(f"  [{'ok' if passed else 'FAIL'}] {label}")
            ok &= passed
        env.extra.pop("GUNICORN_THREADS", None)
        sync_port = _free_port()
        env.extra.update(production_environment(sync_port))
        with h.processes() as procs:
            procs.append(
                h.start_gunicorn(env, port=sync_port, workers=SYNC_WORKERS, name="slow-sync")
            )
            sync = _measure(
                sync_port, key, [("baseline", 0, 5.0), ("3 slow clients", 3, SLOW_PHASE_S)]
            )
        print(f"  for contrast, {SYNC_WORKERS} sync workers (the probe's set-up; not checked):")
        for phase in sync:
            print(phase.line())
    finally:
        env.extra.clear()
        env.extra.update(saved)
    return ok


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
