"""A local server that speaks the Chat Completions API, for the real ``openai`` SDK to talk to.

The test picks how the "model" behaves (``StubModel.mode``, or a per-request ``script``):

- ``faithful``: rephrases without changing content: the FAQ answer is the chunks' text after a
  friendly opening, a smoothed reply is the reply after "Claro." (or ``smooth_prefix``), and slot
  extraction returns ``slots`` (all null unless the test sets some);
- ``invented_price``: the faithful answer plus a price nobody gave it;
- ``obey``: a compromised model that does whatever the customer text asks (``obeyed`` maps an
  attack to the output; ``{system}`` and ``{canary}`` are filled from the request);
- ``fixed``: returns ``output`` whatever the request (``{system}``/``{canary}`` filled too);
- ``429``, ``500``: the error responses of the real API (429 with ``Retry-After``);
- ``timeout``: answers faithfully after ``delay_s`` (longer than the client's timeout);
- ``malformed``: HTTP 200 with a body that is not JSON;
- ``bad_slots``: a completion whose content is not JSON.

``POST /v1/audio/transcriptions`` (multipart, as the SDK's ``audio.transcriptions.create`` sends
it) answers ``{"text": transcript}``; ``transcription_mode`` (or ``transcription_script``) picks
``ok``, ``timeout`` (after ``delay_s``), ``429``, ``500``, ``400`` (the API's "invalid file
format") or ``empty`` (silence). Every upload is recorded in ``transcriptions`` (the form fields,
the file's name, type, size and first bytes).
"""

from __future__ import annotations

import contextlib
import email.parser
import email.policy
import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from conversations.llm.services import SLOTS_SCHEMA

_CANARY = re.compile(r"KVK-[0-9A-F]{16}")


@dataclass
class StubModel:
    mode: str = "faithful"
    script: list[str] = field(default_factory=list)  # modes for the next requests, in order
    delay_s: float = 3.0
    retry_after: str = "0"
    slots: dict[str, Any] = field(default_factory=dict)
    smooth_prefix: str = "Claro."
    obeyed: dict[str, str] = field(default_factory=dict)
    output: str = ""
    requests: list[dict[str, Any]] = field(default_factory=list)
    url: str = ""
    latency: Callable[[], float] | None = None  # seconds to wait before each answer (benchmarks)
    tokens: dict[str, int] = field(default_factory=lambda: {"prompt": 0, "completion": 0})
    transcript: str = "Hola, busco una camioneta Toyota de hasta 400 mil pesos"
    transcription_mode: str = "ok"
    transcription_script: list[str] = field(default_factory=list)
    transcriptions: list[dict[str, Any]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def next_transcription_mode(self, upload: dict[str, Any]) -> str:
        with self._lock:
            self.transcriptions.append(upload)
            if self.transcription_script:
                return self.transcription_script.pop(0)
            return self.transcription_mode

    def next_mode(self, body: dict[str, Any]) -> str:
        with self._lock:
            self.requests.append(body)
            return self.script.pop(0) if self.script else self.mode

    @property
    def calls(self) -> int:
        return len(self.requests)

    # -- answers --
    def faithful(self, system: str, payload: dict[str, Any]) -> str:
        task = payload.get("tarea")
        if task == "responder_faq":
            texts = [f["texto"] for f in payload["fragmentos"]]
            title = payload["fragmentos"][0]["articulo"] if payload["fragmentos"] else ""
            return f"Con gusto te cuento. {title}.\n\n" + "\n\n".join(texts)
        if task == "suavizar_respuesta":
            return f"{self.smooth_prefix} {payload['respuesta']}".strip()
        if task == "extraer_datos":
            fields = SLOTS_SCHEMA["required"]
            return json.dumps({f: self.slots.get(f) for f in fields})
        return "Hola."

    def obey(self, system: str, payload: dict[str, Any]) -> str:
        customer = str(payload.get("pregunta") or payload.get("mensaje") or "")
        for attack, output in self.obeyed.items():
            if attack in customer:
                return _fill(output, system)
        return self.faithful(system, payload)


def _fill(output: str, system: str) -> str:
    """What a leaking model copies: the system prompt (whole, or without its canary lines), the
    canary (as is, or spaced out to dodge a filter)."""
    found = _CANARY.search(system)
    canary = found.group(0) if found else ""
    without = "\n".join(line for line in system.splitlines() if canary not in line)
    return (
        output.replace("{system_without_canary}", without)
        .replace("{system}", system)
        .replace("{canary_spaced}", " ".join(canary))
        .replace("{canary}", canary)
    )


def _completion(model: str, content: str, *, prompt_tokens: int = 1) -> bytes:
    completion_tokens = max(1, len(content) // 4)  # ~4 characters per token, like the real API
    return json.dumps(
        {
            "id": "chatcmpl-stub",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": model,
            "choices": [
                {
                    "index": 0,
                    "finish_reason": "stop",
                    "message": {"role": "assistant", "content": content},
                }
            ],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
            },
        }
    ).encode()


class _Handler(BaseHTTPRequestHandler):
    model: StubModel  # set on the subclass built per server

    def log_message(self, *args: Any) -> None:  # keep test output clean
        return

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(body)  # the client may have given up (timeout)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        if self.path.endswith("/audio/transcriptions"):
            self._transcribe(raw)
            return
        body = json.loads(raw or b"{}")
        if not self.path.endswith("/chat/completions"):
            self._send(404, b'{"error": {"message": "not found"}}')
            return
        model = self.model
        mode = model.next_mode(body)
        messages = body.get("messages") or []
        system = next((m["content"] for m in messages if m["role"] == "system"), "")
        user = next((m["content"] for m in messages if m["role"] == "user"), "{}")
        try:
            payload = json.loads(user)
        except ValueError:
            payload = {}
        if mode == "429":
            error = b'{"error": {"message": "Rate limit reached", "type": "requests"}}'
            self._send(429, error, {"Retry-After": model.retry_after})
            return
        if mode == "500":
            self._send(500, b'{"error": {"message": "The server had an error"}}')
            return
        if mode == "malformed":
            self._send(200, b'{"id": "chatcmpl-stub", "choices": [{"message": {"cont')
            return
        if mode == "timeout":
            time.sleep(model.delay_s)
            mode = "faithful"
        if mode == "bad_slots":
            content = '{"budget_max": 300000, "make": "Toyota"'  # cut short
        elif mode == "invented_price":
            content = model.faithful(system, payload) + " Hoy el Versa cuesta $99,999.00."
        elif mode == "obey":
            content = model.obey(system, payload)
        elif mode == "fixed":
            content = _fill(model.output, system)
        else:
            content = model.faithful(system, payload)
        if model.latency is not None:
            time.sleep(model.latency())
        prompt_tokens = max(1, (len(system) + len(user)) // 4)
        with model._lock:
            model.tokens["prompt"] += prompt_tokens
            model.tokens["completion"] += max(1, len(content) // 4)
        self._send(
            200, _completion(body.get("model", "stub"), content, prompt_tokens=prompt_tokens)
        )

    def _transcribe(self, raw: bytes) -> None:
        upload = _multipart(self.headers.get("Content-Type", ""), raw)
        model = self.model
        mode = model.next_transcription_mode(upload)
        if not upload.get("file_size") or not upload.get("model"):
            self._send(400, b'{"error": {"message": "file and model are required"}}')
            return
        if mode == "timeout":
            time.sleep(model.delay_s)
            mode = "ok"
        if mode == "429":
            error = b'{"error": {"message": "Rate limit reached", "type": "requests"}}'
            self._send(429, error, {"Retry-After": model.retry_after})
            return
        if mode == "500":
            self._send(500, b'{"error": {"message": "The server had an error"}}')
            return
        if mode == "400":
            error = (
                b'{"error": {"message": "Invalid file format.", "type": "invalid_request_error"}}'
            )
            self._send(400, error)
            return
        text = "" if mode == "empty" else model.transcript
        self._send(200, json.dumps({"text": text}).encode())


def _multipart(content_type: str, raw: bytes) -> dict[str, Any]:
    """The fields of a ``multipart/form-data`` body, read with the stdlib's MIME parser."""
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + raw
    )
    upload: dict[str, Any] = {}
    if not message.is_multipart():
        return upload
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        content = part.get_payload(decode=True)  # bytes for a leaf part (None when empty)
        payload = content if isinstance(content, bytes) else b""
        if part.get_filename():
            upload.update(
                filename=part.get_filename(),
                file_type=part.get_content_type(),
                file_size=len(payload),
                file_head=payload[:8],
            )
        elif name:
            upload[str(name)] = payload.decode()
    return upload


class _Server(ThreadingHTTPServer):
    request_queue_size = 1024  # benchmarks open hundreds of connections at once


@contextmanager
def stub_model_server(
    latency: Callable[[], float] | None = None, port: int = 0
) -> Iterator[StubModel]:
    model = StubModel(latency=latency)
    handler = type("Handler", (_Handler,), {"model": model})
    server = _Server(("127.0.0.1", port), handler)
    server.daemon_threads = True  # a sleeping "timeout" handler never blocks shutdown
    server.block_on_close = False
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    model.url = f"http://127.0.0.1:{server.server_port}/v1"
    try:
        yield model
    finally:
        server.shutdown()
        server.server_close()
