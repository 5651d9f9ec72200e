"""A local stand-in for Meta's WhatsApp Cloud API (Graph API), stdlib only, for tests, scripts
and the demo; the twin of ``fake_twilio.py``.

``POST /{version}/{phone_number_id}/messages`` with ``Authorization: Bearer <token>`` answers
what the test scripts: 200 (accepted, ``{"messages": [{"id": "wamid…"}]}``), 429, 500, 400
(rejected, Graph error JSON), ``timeout`` (Meta accepted the message but the answer comes too late:
the client times out, the message exists), ``timeout_lost`` (too late and not created), ``drop``
(connection closed after reading the request, not created). A wrong token gets Meta's 401
(OAuthException, code 190). Text, template and interactive list messages are accepted and recorded
(``created``: a list's question is its ``body``, the whole object in ``interactive``); a list
that breaks Meta's limits gets its 400 (code 131009).

With ``webhook_url`` and ``app_secret`` set it also behaves as Meta does after accepting a
message: it POSTs a signed ``sent`` status (with our ``biz_opaque_callback_data``) to the app's
webhook. The module also builds the signed webhook payloads Meta sends (``inbound_payload``,
``status_payload``, ``list_reply``, ``sign``), used by the tests, the chaos script and
``scripts/meta_standin.py``.

Inbound media (voice notes): ``add_media`` stores a file under a numeric media id. As on Meta,
``GET /{version}/{media_id}`` (bearer token) answers its ``url``, ``mime_type`` and ``file_size``,
and ``GET`` on that url, with the bearer token too, serves the bytes.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import struct
import threading
import time
import urllib.request
import uuid
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

BEHAVIOURS = ("200", "429", "500", "400", "timeout", "timeout_lost", "drop")
WABA_ID = "102290129340398"


def new_wamid() -> str:
    """Meta's message ids: ``wamid.`` + base64 of an opaque blob (about 60 characters)."""
    return "wamid.HBgN" + uuid.uuid4().hex.upper() + "FQIAERgSQUI0RjE5QjE2QjM1NUZFRTA2AA=="


def sign(body: bytes, app_secret: str) -> str:
    """``X-Hub-Signature-256`` for ``body`` as Meta computes it."""
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def _envelope(phone_number_id: str, display_phone: str, value: dict[str, Any]) -> dict[str, Any]:
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": WABA_ID,
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": display_phone.lstrip("+"),
                                "phone_number_id": phone_number_id,
                            },
                            **value,
                        },
                    }
                ],
            }
        ],
    }


def inbound_payload(
    *,
    phone_number_id: str,
    display_phone: str,
    wa_id: str,
    body: str = "",
    message_id: str = "",
    name: str = "Cliente de prueba",
    message: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A captured-style ``messages`` webhook: one text message (or ``message`` as given)."""
    msg = message or {"type": "text", "text": {"body": body}}
    msg = {"from": wa_id, "id": message_id or new_wamid(), "timestamp": str(int(time.time()))} | msg
    return _envelope(
        phone_number_id,
        display_phone,
        {"contacts": [{"profile": {"name": name}, "wa_id": wa_id}], "messages": [msg]},
    )


def status_payload(
    *,
    phone_number_id: str,
    display_phone: str,
    message_id: str,
    recipient: str,
    status: str = "sent",
    callback_data: str = "",
    error_code: int | None = None,
) -> dict[str, Any]:
    """A ``statuses`` webhook for one message we sent."""
    item: dict[str, Any] = {
        "id": message_id,
        "status": status,
        "timestamp": str(int(time.time())),
        "recipient_id": recipient,
    }
    if callback_data:
        item["biz_opaque_callback_data"] = callback_data
    if error_code is not None:
        item["errors"] = [{"code": error_code, "title": "Message failed to send"}]
    return _envelope(phone_number_id, display_phone, {"statuses": [item]})


def voice_note_ogg(seconds: float, *, size: int = 4_000) -> bytes:
    """A minimal OGG/Opus file as WhatsApp records voice notes: the ``OpusHead`` page, filler and
    a last page whose granule position tells the length (what the duration check reads). No real
    audio: the transcription stand-in answers whatever text it was given."""
    pre_skip = 312

    def page(granule: int, header_type: int, payload: bytes) -> bytes:
        head = b"OggS" + struct.pack("<BBqIII", 0, header_type, granule, 7, 0, 0)
        return head + bytes([1, len(payload)]) + payload

    opus_head = b"OpusHead" + struct.pack("<BBHIhB", 1, 1, pre_skip, 48_000, 0, 0)
    filler = b"\x00" * max(size - 100, 0)
    last = page(int(seconds * 48_000) + pre_skip, 4, b"\x01" * 20)
    return page(0, 2, opus_head) + filler + last


def encode(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False).encode()


@dataclass
class Recorded:
    """One POST to the Graph API as the stand-in saw it."""

    at: float
    path: str
    json: dict[str, Any]
    authorization: str
    behaviour: str
    id: str = ""  # set when the stand-in created the message


class _Server(ThreadingHTTPServer):
    request_queue_size = 1024

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client killed mid-connection (the chaos script SIGKILLs workers): not our error.
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@dataclass
class FakeGraph:
    access_token: str = "test-meta-access-token"
    host: str = "127.0.0.1"
    port: int = 0
    slow_s: float = 3.0
    default: str = "200"
    webhook_url: str = ""  # where to POST signed "sent" statuses (empty: none)
    app_secret: str = ""
    display_phones: dict[str, str] = field(default_factory=dict)  # phone_number_id → number
    status_delay_s: float = 0.05
    requests: list[Recorded] = field(default_factory=list)
    created: list[dict[str, Any]] = field(default_factory=list)
    statuses_delivered: int = 0
    media: dict[str, tuple[bytes, str]] = field(default_factory=dict)  # media id → data, mime
    media_requests: list[tuple[str, str]] = field(default_factory=list)  # (path, Authorization)

    def __post_init__(self) -> None:
        self._script: deque[str] = deque()
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._created_at: dict[str, list[float]] = {}

    # -- control ---------------------------------------------------------------------------------
    def start(self) -> FakeGraph:
        fake = self

        class Handler(_Handler):
            owner = fake

        self._server = _Server((self.host, self.port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self) -> FakeGraph:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def add_media(self, data: bytes, mime_type: str = "audio/ogg; codecs=opus") -> str:
        """Store an inbound file; its media id (what the webhook's ``audio.id`` carries)."""
        media_id = str(uuid.uuid4().int)[:16]
        self.media[media_id] = (data, mime_type)
        return media_id

    def script(self, *behaviours: str) -> None:
        for b in behaviours:
            if b not in BEHAVIOURS:
                raise ValueError(b)
        with self._lock:
            self._script.extend(behaviours)

    def bodies_to(self, to: str) -> list[str]:
        return [m["body"] for m in self.created if m["to"] == to]

    def wait_for(self, *, created: int, timeout: float = 20.0) -> bool:
        with self._arrived:
            return self._arrived.wait_for(lambda: len(self.created) >= created, timeout)

    def wait_sent(self, to: str, *, count: int, timeout: float) -> list[float]:
        with self._arrived:
            self._arrived.wait_for(lambda: len(self._created_at.get(to, ())) >= count, timeout)
            return list(self._created_at.get(to, ()))

    # -- behaviour -------------------------------------------------------------------------------
    def _next_behaviour(self) -> str:
        with self._lock:
            return self._script.popleft() if self._script else self.default

    def _create(self, phone_number_id: str, data: dict[str, Any]) -> dict[str, Any]:
        text, interactive = _object(data.get("text")), _object(data.get("interactive"))
        if not text and isinstance(interactive.get("body"), dict):
            text = interactive["body"]  # a list or buttons: the question's text
        message: dict[str, Any] = {
            "id": new_wamid(),
            "to": str(data.get("to", "")),
            "from": phone_number_id,
            "type": str(data.get("type", "")),
            "body": str(text.get("body", text.get("text", ""))),
            "template": data.get("template"),
            "interactive": interactive or None,
            "callback_data": str(data.get("biz_opaque_callback_data", "")),
        }
        with self._arrived:
            self.created.append(message)
            self._created_at.setdefault(message["to"], []).append(time.time())
            self._arrived.notify_all()
        if self.webhook_url and self.app_secret:
            threading.Thread(target=self._deliver_status, args=(message,), daemon=True).start()
        return message

    def _deliver_status(self, message: dict[str, Any]) -> None:
        """What Meta does after accepting a message: a signed ``sent`` status to the webhook."""
        if self._stopping.wait(self.status_delay_s):
            return
        payload = status_payload(
            phone_number_id=message["from"],
            display_phone=self.display_phones.get(message["from"], ""),
            message_id=message["id"],
            recipient=message["to"],
            callback_data=message["callback_data"],
        )
        body = encode(payload)
        for attempt in range(5):  # Meta retries a webhook that does not answer 200
            request = urllib.request.Request(
                self.webhook_url,
                data=body,
                headers={
                    "Content-Type": "application/json",
                    "X-Hub-Signature-256": sign(body, self.app_secret),
                },
                method="POST",
            )
            try:
                with urllib.request.urlopen(request, timeout=10) as response:
                    if response.status == 200:
                        with self._lock:
                            self.statuses_delivered += 1
                        return
            except OSError:
                pass
            if self._stopping.wait(0.5 * (attempt + 1)):
                return


def _object(value: Any) -> dict[str, Any]:
    """A JSON object of the request, or an empty one for anything else."""
    return value if isinstance(value, dict) else {}


def _graph_error(code: int, message: str) -> dict[str, Any]:
    return {
        "error": {
            "message": message,
            "type": "OAuthException",
            "code": code,
            "fbtrace_id": uuid.uuid4().hex[:22],
        },
    }


def _interactive_ok(data: dict[str, Any]) -> bool:
    """Meta's rules for an interactive list (what it refuses with error 131009): a body text of
    at most 1024 characters, a button label of at most 20, 1-10 rows in all with unique ids (at
    most 200 characters) and titles of at most 24."""
    interactive = data.get("interactive")
    if not isinstance(interactive, dict) or interactive.get("type") != "list":
        return False
    body, action = _object(interactive.get("body")), _object(interactive.get("action"))
    text, button = body.get("text"), action.get("button")
    if not isinstance(text, str) or not 0 < len(text) <= 1024:
        return False
    if not isinstance(button, str) or not 0 < len(button) <= 20:
        return False
    sections = action.get("sections")
    if not isinstance(sections, list) or not sections:
        return False
    rows = [r for s in sections if isinstance(s, dict) for r in (s.get("rows") or [])]
    ids = [r.get("id") for r in rows if isinstance(r, dict)]
    titles = [r.get("title") for r in rows if isinstance(r, dict)]
    return (
        1 <= len(rows) <= 10
        and len(set(ids)) == len(rows)
        and all(isinstance(i, str) and 0 < len(i) <= 200 for i in ids)
        and all(isinstance(t, str) and 0 < len(t) <= 24 for t in titles)
    )


def list_reply(row_id: str, title: str) -> dict[str, Any]:
    """The inbound message Meta sends when the customer taps a row of an interactive list."""
    return {
        "type": "interactive",
        "interactive": {"type": "list_reply", "list_reply": {"id": row_id, "title": title}},
    }


class _Handler(BaseHTTPRequestHandler):
    owner: FakeGraph
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

    def do_GET(self) -> None:
        """Media: the id's metadata on the Graph API, then the bytes behind its url."""
        fake = self.owner
        authorization = self.headers.get("Authorization", "")
        with fake._lock:
            fake.media_requests.append((self.path, authorization))
        if authorization != f"Bearer {fake.access_token}":
            self._send_json(401, _graph_error(190, "Invalid OAuth access token."))
            return
        parts = self.path.split("?", 1)[0].strip("/").split("/")
        media_id = parts[-1]
        if len(parts) != 2 or media_id not in fake.media:
            self._send_json(404, _graph_error(100, "Unsupported get request."))
            return
        data, mime_type = fake.media[media_id]
        if parts[0] != "lookaside":
            self._send_json(
                200,
                {
                    "messaging_product": "whatsapp",
                    "url": f"{fake.base_url}/lookaside/{media_id}",
                    "mime_type": mime_type,
                    "sha256": hashlib.sha256(data).hexdigest(),
                    "file_size": len(data),
                    "id": media_id,
                },
            )
            return
        self.send_response(200)
        self.send_header("Content-Type", mime_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self) -> None:
        fake = self.owner
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        try:
            data = json.loads(raw or b"{}")
        except ValueError:
            data = {}
        behaviour = fake._next_behaviour()
        record = Recorded(
            at=time.time(),
            path=self.path,
            json=data if isinstance(data, dict) else {},
            authorization=self.headers.get("Authorization", ""),
            behaviour=behaviour,
        )
        with fake._lock:
            fake.requests.append(record)
        parts = self.path.strip("/").split("/")
        if len(parts) != 3 or parts[2] != "messages" or not parts[1].isdigit():
            self._send_json(400, _graph_error(100, "Unsupported post request."))
            return
        if record.authorization != f"Bearer {fake.access_token}":
            self._send_json(401, _graph_error(190, "Invalid OAuth access token."))
            return
        if record.json.get("messaging_product") != "whatsapp" or not record.json.get("to"):
            self._send_json(400, _graph_error(100, "Invalid parameter"))
            return
        if record.json.get("type") == "interactive" and not _interactive_ok(record.json):
            self._send_json(400, _graph_error(131009, "Parameter value is not valid"))
            return
        if behaviour == "drop":
            self.close_connection = True
            self.connection.close()
            return
        if behaviour in ("timeout", "timeout_lost"):
            if behaviour == "timeout":
                record.id = fake._create(parts[1], record.json)["id"]
            fake._stopping.wait(fake.slow_s)
            self.close_connection = True
            return
        if behaviour == "429":
            self._send_json(429, _graph_error(130429, "Rate limit hit"))
            return
        if behaviour == "500":
            self._send_json(500, _graph_error(131000, "Something went wrong"))
            return
        if behaviour == "400":
            self._send_json(400, _graph_error(131026, "Message undeliverable"))
            return
        message = fake._create(parts[1], record.json)
        record.id = message["id"]
        self._send_json(
            200,
            {
                "messaging_product": "whatsapp",
                "contacts": [{"input": message["to"], "wa_id": message["to"]}],
                "messages": [{"id": message["id"], "message_status": "accepted"}],
            },
        )
