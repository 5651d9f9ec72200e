"""What the load generators record: requests, /chat answers, WhatsApp messages, phases."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field


@dataclass
class Sample:
    phase: str  # the phase when this attempt was sent (a message keeps its first phase elsewhere)
    channel: str  # chat | webhook
    started: float  # time.monotonic()
    ended: float
    status: int  # 0: connection refused/reset, -1: client timeout
    attempt: int  # 0 for the first try of a message, 1… for its retries
    step: int = -1  # index in the conversation script (soak breakdowns)

    @property
    def ok(self) -> bool:
        return self.status == 200

    @property
    def kind(self) -> str:
        return {0: "connection", -1: "timeout"}.get(self.status, str(self.status))


@dataclass
class ChatAck:
    phase: str
    session: str
    text: str
    turn_id: str
    retried: bool
    lead_phone: str
    reply: str
    at: float  # monotonic, when the answer arrived


@dataclass
class WaSend:
    phase: str
    sid: str
    address: str
    body: str
    sent: float  # first attempt, monotonic
    acked: float | None = None  # the 200
    replied: float | None = None  # first reply part at the fake after the 200


@dataclass
class Recorder:
    phase: str = "warm-up"
    samples: list[Sample] = field(default_factory=list)
    chat_acks: list[ChatAck] = field(default_factory=list)
    chat_given_up: list[tuple[str, str, str]] = field(default_factory=list)
    wa_sends: list[WaSend] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, sample: Sample) -> None:
        with self.lock:
            self.samples.append(sample)


@dataclass
class Phase:
    name: str
    title: str
    started: float = 0.0
    ended: float = 0.0
    fault_start: float | None = None
    fault_end: float | None = None
    notes: list[str] = field(default_factory=list)
    checks: list[tuple[str, bool]] = field(default_factory=list)
    skipped: str = ""

    def check(self, label: str, ok: bool) -> None:
        self.checks.append((label, ok))
