"""A local stand-in for Twilio's Messages REST API (stdlib only), for tests and scripts.

The real SDK talks to it (``TWILIO_API_BASE_URL``); it records every request and answers what the
test scripts: 201 (created), 429, 500, 400 (rejected), ``timeout`` (Twilio accepted the message but
the answer comes too late: the client times out, the message exists), ``timeout_lost`` (too late
and not created), ``drop`` (connection closed after reading the request, not created).
``GET …/Messages.json?To=&From=`` lists created messages, newest first, as Twilio does.

Inbound media (voice notes): ``add_media`` stores a file and returns its ``MediaUrl``. ``GET`` on
it needs the account's HTTP basic auth (401 otherwise) and answers, as Twilio does, with a redirect
to a storage URL (``/cdn/…``, no credentials needed) that serves the bytes. Per file: ``ok``,
``slow`` (waits ``slow_s`` first), ``no_length`` (no ``Content-Length``), ``endless`` (no length,
streams until the client hangs up; ``media_sent`` counts what went out).
"""

from __future__ import annotations

import base64
import json
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

BEHAVIOURS = ("201", "429", "500", "400", "timeout", "timeout_lost", "drop")


@dataclass
class Recorded:
    """One POST to the Messages API as the fake saw it."""

    at: float  # time.time() when the request arrived
    path: str
    form: dict[str, str]
    authorization: str
    behaviour: str
    sid: str = ""  # set when the fake created the message


class _Server(ThreadingHTTPServer):
    request_queue_size = 1024  # load scripts send hundreds of messages at once


@dataclass
class FakeTwilio:
    account_sid: str = "AC" + "0" * 32
    host: str = "127.0.0.1"
    port: int = 0
    slow_s: float = 3.0  # how long "timeout" answers wait (longer than the client timeout)
    default: str = "201"
    requests: list[Recorded] = field(default_factory=list)
    created: list[dict[str, Any]] = field(default_factory=list)
    next_sids: deque[str] = field(default_factory=deque)  # SIDs to hand out first (tests)
    auth_token: str = ""  # checked on media downloads when set
    media: dict[str, tuple[bytes, str, str]] = field(default_factory=dict)  # ME… → data, type, how
    media_requests: list[tuple[str, str]] = field(default_factory=list)  # (path, Authorization)
    media_sent: dict[str, int] = field(default_factory=dict)  # ME… → bytes written

    def __post_init__(self) -> None:
        self._script: deque[str] = deque()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._created_at: dict[str, list[float]] = {}  # recipient → time.time() of each message
        self._arrived = threading.Condition(self._lock)

    # -- control ---------------------------------------------------------------------------------
    def start(self) -> FakeTwilio:
        fake = self

        class Handler(_Handler):
            owner = fake

        self._server = _Server((self.host, self.port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self) -> FakeTwilio:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def add_media(
        self, data: bytes, content_type: str = "audio/ogg", *, behaviour: str = "ok"
    ) -> str:
        """Store an inbound file; its ``MediaUrl`` (the webhook's ``MediaUrl0``)."""
        media_sid = "ME" + uuid.uuid4().hex
        self.media[media_sid] = (data, content_type, behaviour)
        message_sid = "MM" + uuid.uuid4().hex
        return (
            f"{self.base_url}/2010-04-01/Accounts/{self.account_sid}/Messages/{message_sid}"
            f"/Media/{media_sid}"
        )

    def script(self, *behaviours: str) -> None:
        """Answer the next POSTs with these behaviours, then fall back to ``default``."""
        for b in behaviours:
            if b not in BEHAVIOURS:
                raise ValueError(b)
        with self._lock:
            self._script.extend(behaviours)

    def reset(self) -> None:
        with self._lock:
            self._script.clear()
            self.requests.clear()
            self.created.clear()
            self._created_at.clear()
            self.default = "201"

    def wait_for(self, *, created: int, timeout: float = 20.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.created) >= created:
                return True
            time.sleep(0.02)
        return len(self.created) >= created

    def bodies_to(self, to: str) -> list[str]:
        return [m["body"] for m in self.created if m["to"] == to]

    def wait_sent(self, to: str, *, count: int, timeout: float) -> list[float]:
        """Times (``time.time()``) of the messages created for ``to``, once there are ``count``
        of them or ``timeout`` passed (load scripts: no polling of the whole list)."""
        with self._arrived:
            self._arrived.wait_for(lambda: len(self._created_at.get(to, ())) >= count, timeout)
            return list(self._created_at.get(to, ()))

    # -- behaviour -------------------------------------------------------------------------------
    def _next_behaviour(self) -> str:
        with self._lock:
            return self._script.popleft() if self._script else self.default

    def _create(self, form: dict[str, str]) -> dict[str, Any]:
        now = datetime.now(tz=UTC)
        with self._lock:
            sid = self.next_sids.popleft() if self.next_sids else "SM" + uuid.uuid4().hex
        message: dict[str, Any] = {
            "sid": sid,
            "account_sid": self.account_sid,
            "to": form.get("To", ""),
            "from": form.get("From", ""),
            "body": form.get("Body", ""),
            "content_sid": form.get("ContentSid", ""),
            "content_variables": form.get("ContentVariables", ""),
            "status_callback": form.get("StatusCallback", ""),
            "status": "queued",
            "direction": "outbound-api",
            "api_version": "2010-04-01",
            "date_created": format_datetime(now),
            "date_updated": format_datetime(now),
            "date_sent": None,
            "num_segments": "1",
            "num_media": "0",
            "price": None,
            "price_unit": "USD",
            "error_code": None,
            "error_message": None,
            "messaging_service_sid": form.get("MessagingServiceSid"),
            "uri": "",
            "subresource_uris": {},
            "_created": now,
        }
        message["uri"] = f"/2010-04-01/Accounts/{self.account_sid}/Messages/{message['sid']}.json"
        with self._arrived:
            self.created.append(message)
            self._created_at.setdefault(message["to"], []).append(time.time())
            self._arrived.notify_all()
        return message


def _public(message: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in message.items() if not k.startswith("_")}


class _Handler(BaseHTTPRequestHandler):
    owner: FakeTwilio
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        return None

    def _send_json(self, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self) -> None:
        fake = self.owner
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode()
        form = {k: v[0] for k, v in parse_qs(raw, keep_blank_values=True).items()}
        behaviour = fake._next_behaviour()
        record = Recorded(
            at=time.time(),
            path=self.path,
            form=form,
            authorization=self.headers.get("Authorization", ""),
            behaviour=behaviour,
        )
        with fake._lock:
            fake.requests.append(record)
        if not self.path.endswith("/Messages.json"):
            self._send_json(404, {"code": 20404, "message": "Not found", "status": 404})
            return
        if behaviour == "drop":
            self.close_connection = True
            self.connection.close()
            return
        if behaviour in ("timeout", "timeout_lost"):
            if behaviour == "timeout":
                record.sid = fake._create(form)["sid"]
            fake._stopping.wait(fake.slow_s)
            self.close_connection = True
            return
        if behaviour in ("429", "500", "400"):
            status = int(behaviour)
            code = {429: 20429, 500: 20500, 400: 21211}[status]
            self._send_json(status, {"code": code, "message": "fake error", "status": status})
            return
        message = fake._create(form)
        record.sid = message["sid"]
        self._send_json(201, _public(message))

    def _media(self, parts: list[str]) -> None:
        """``…/Messages/MM…/Media/ME…`` (authenticated, redirects) and ``/cdn/ME…`` (the bytes)."""
        fake = self.owner
        authorization = self.headers.get("Authorization", "")
        with fake._lock:
            fake.media_requests.append((self.path, authorization))
        media_sid = parts[-1]
        if media_sid not in fake.media:
            self._send_json(404, {"code": 20404, "message": "Not found", "status": 404})
            return
        data, content_type, behaviour = fake.media[media_sid]
        if parts[0] != "cdn":
            expected = base64.b64encode(f"{fake.account_sid}:{fake.auth_token}".encode()).decode()
            if fake.auth_token and authorization != f"Basic {expected}":
                self._send_json(401, {"code": 20003, "message": "Authenticate", "status": 401})
                return
            self.send_response(307)
            self.send_header("Location", f"{fake.base_url}/cdn/{media_sid}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if behaviour == "slow" and fake._stopping.wait(fake.slow_s):
            return
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        if behaviour in ("no_length", "endless"):
            self.send_header("Connection", "close")
            self.close_connection = True
        else:
            self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        sent = 0
        try:
            while True:
                self.wfile.write(data)
                sent += len(data)
                if behaviour != "endless" or sent > 200 * 1024 * 1024:
                    break
        except OSError:  # the client hung up (what a size cap does)
            pass
        with fake._lock:
            fake.media_sent[media_sid] = fake.media_sent.get(media_sid, 0) + sent

    def do_GET(self) -> None:
        fake = self.owner
        parts = urlsplit(self.path)
        segments = parts.path.strip("/").split("/")
        if segments[0] == "cdn" or (len(segments) >= 2 and segments[-2] == "Media"):
            self._media(segments)
            return
        if not parts.path.endswith("/Messages.json"):
            self._send_json(404, {"code": 20404, "message": "Not found", "status": 404})
            return
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        with fake._lock:
            messages = [
                _public(m)
                for m in reversed(fake.created)
                if (not query.get("To") or m["to"] == query["To"])
                and (not query.get("From") or m["from"] == query["From"])
            ]
        page_size = int(query.get("PageSize") or 50)
        self._send_json(
            200,
            {
                "messages": messages[:page_size],
                "end": min(len(messages), page_size) - 1,
                "first_page_uri": parts.path,
                "next_page_uri": None,
                "previous_page_uri": None,
                "page": 0,
                "page_size": page_size,
                "start": 0,
                "uri": self.path,
            },
        )
