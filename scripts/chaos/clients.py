"""The load: a keep-alive HTTP client, scripted /chat conversations, WhatsApp customers."""

from __future__ import annotations

import contextlib
import http.client
import json
import random
import threading
import time
import uuid
from collections.abc import Iterator

from scripts.chaos import config
from scripts.chaos.config import (
    CHAT_RETRY_S,
    CHAT_THINK_S,
    REPLY_WAIT_S,
    WA_SCRIPT,
    WA_THINK_S,
    WEBHOOK_RETRY_S,
)
from scripts.chaos.records import ChatAck, Recorder, Sample, WaSend
from tests.support import whatsapp_harness as h
from tests.support.whatsapp_harness import CHAT_SCRIPT


class Http:
    """One keep-alive connection; reconnects after any failure. Returns (status, body, seconds)."""

    def __init__(self, port: int, timeout: float = 15.0) -> None:
        self.port = port
        self.timeout = timeout
        self.conn: http.client.HTTPConnection | None = None

    def post(self, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        try:
            self.conn.request("POST", path, body=body, headers=headers)
            response = self.conn.getresponse()
            data = response.read()
            if response.getheader("Connection", "").lower() == "close":
                self.close()
            return response.status, data
        except TimeoutError:
            self.close()
            return -1, b""
        except (http.client.HTTPException, OSError):
            self.close()
            return 0, b""

    def get(self, path: str) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            return response.status, response.read()
        except (http.client.HTTPException, OSError):
            return 0, b""
        finally:
            conn.close()

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


RETRYABLE = {0, -1, 502, 503, 504}


def chat_client(rec: Recorder, index: int, key: str, port: int, think_s: float) -> None:
    """Scripted conversations on /chat, one after another, until told to stop."""
    client = Http(port)
    rng = random.Random(index)
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {key}"}
    n = 0
    while not rec.stop.is_set():
        n += 1
        session = f"chaos-{index}-{n}-{rng.getrandbits(32):x}"
        phone = f"55{rng.randrange(10**7, 10**8)}"
        for number, step in enumerate(CHAT_SCRIPT):
            if rec.stop.is_set():
                return
            text = step.format(phone=phone)
            body = json.dumps({"session_id": session, "message": text}).encode()
            # One key per message, kept across its retries: a turn committed while the client
            # timed out is answered again, not taken twice (docs/AGENT_CONTRACT.md).
            sent = {**headers, "Idempotency-Key": f"{session}-{number}"}
            phase = rec.phase
            deadline = time.monotonic() + 60
            attempt = 0
            while True:
                started = time.monotonic()
                status, data = client.post("/chat", body, sent)
                rec.add(Sample(rec.phase, "chat", started, time.monotonic(), status, attempt))
                if status == 200:
                    answer = json.loads(data)
                    lead = answer.get("lead") or {}
                    with rec.lock:
                        rec.chat_acks.append(
                            ChatAck(
                                phase, session, text, answer["turn_id"], attempt > 0,
                                lead.get("phone") or "", answer["reply"], time.monotonic(),
                            )
                        )  # fmt: skip
                    break
                if status not in (*RETRYABLE, 409) or time.monotonic() > deadline:
                    with rec.lock:
                        rec.chat_given_up.append((phase, session, text))
                    break
                attempt += 1
                time.sleep(CHAT_RETRY_S)
            time.sleep(think_s)


def wa_customer(rec: Recorder, index: int, port: int, fake, think_s: float) -> None:  # type: ignore[no-untyped-def]
    """A WhatsApp customer: each message is delivered (signed, redelivered until a 200 like
    Twilio) and the next one waits for the agent's reply."""
    poster = Http(port)
    n = 0
    while not rec.stop.is_set():
        n += 1
        address = f"whatsapp:+521{5600000000 + index * 10_000 + n}"
        phone = f"55{random.randrange(10**7, 10**8)}"
        for step in WA_SCRIPT:
            if rec.stop.is_set():
                return
            text = step.format(phone=phone)
            replies_before = sum(1 for m in list(fake.created) if m["to"] == address)
            send = WaSend(rec.phase, "SM" + uuid.uuid4().hex, address, text, time.monotonic())
            with rec.lock:
                rec.wa_sends.append(send)
            form = h.inbound_form(sid=send.sid, from_address=address, body=text)
            body, signature = h.signed_body(form)
            headers = {
                "Content-Type": "application/x-www-form-urlencoded",
                "X-Twilio-Signature": signature,
                "Host": "127.0.0.1",
            }
            attempt = 0
            while time.monotonic() - send.sent < 120:
                started = time.monotonic()
                status, _ = poster.post(h.WEBHOOK, body, headers)
                rec.add(Sample(rec.phase, "webhook", started, time.monotonic(), status, attempt))
                if status == 200:
                    send.acked = time.monotonic()
                    break
                attempt += 1
                time.sleep(WEBHOOK_RETRY_S)
            if send.acked is None:
                continue
            deadline = send.acked + REPLY_WAIT_S
            while time.monotonic() < deadline and not (
                rec.stop.is_set() and time.monotonic() > send.acked + 5
            ):
                if sum(1 for m in list(fake.created) if m["to"] == address) > replies_before:
                    send.replied = time.monotonic()
                    break
                time.sleep(0.05)
            if send.replied is None:
                break  # no answer: this customer starts a new conversation
            time.sleep(think_s)


@contextlib.contextmanager
def load(rec: Recorder, *, key: str, fake, chat_clients: int, wa_customers: int) -> Iterator[None]:  # type: ignore[no-untyped-def]
    threads = [
        threading.Thread(
            target=chat_client, args=(rec, i, key, config.PORT, CHAT_THINK_S), daemon=True
        )
        for i in range(chat_clients)
    ] + [
        threading.Thread(
            target=wa_customer, args=(rec, i, config.PORT, fake, WA_THINK_S), daemon=True
        )
        for i in range(wa_customers)
    ]
    for t in threads:
        t.start()
    try:
        yield
    finally:
        rec.stop.set()
        for t in threads:
            t.join(timeout=REPLY_WAIT_S + 10)
