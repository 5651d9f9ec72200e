"""Try the Meta WhatsApp adapter without a Meta account (docs/DEMO.md, part 4).

Runs the local Graph API stand-in (``tests/support/fake_meta.py``) on ``--port``, checks the app's
webhook handshake, then plays the customer: every line you type is posted to the app's Meta webhook
as Meta would (JSON signed with X-Hub-Signature-256), and every reply the app sends through the
Graph API is printed. The stand-in also posts Meta's signed "sent" status back for each reply.

    python -m scripts.meta_standin --app http://127.0.0.1:8000

Voice notes (docs/DEMO.md, part 5): with ``--openai-port`` it also runs the OpenAI stand-in
(``tests/support/stub_llm_server.py``; point ``OPENAI_BASE_URL`` at it), and a line starting
with ``/voz`` is sent as a WhatsApp voice note: an OGG/Opus file stored behind a Graph media id,
which the stand-in's transcription endpoint turns into the rest of the line
(``/voz busco una camioneta``).

The CSAT question arrives as an interactive list (its rows are printed under it); ``/lista 1``
taps the first row of the last list, as the customer's phone would.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from tests.support.fake_meta import (
    FakeGraph,
    encode,
    inbound_payload,
    list_reply,
    sign,
    voice_note_ogg,
)

WEBHOOK = "/channels/whatsapp/meta/webhook"


def _post(url: str, body: bytes, secret: str) -> int:
    request = urllib.request.Request(  # noqa: S310 (the app URL the user gave)
        url,
        data=body,
        headers={"Content-Type": "application/json", "X-Hub-Signature-256": sign(body, secret)},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def _handshake(app: str, verify_token: str) -> str:
    query = urllib.parse.urlencode(
        {"hub.mode": "subscribe", "hub.verify_token": verify_token, "hub.challenge": "424242"}
    )
    try:
        with urllib.request.urlopen(f"{app}{WEBHOOK}?{query}", timeout=10) as r:  # noqa: S310
            return f"{r.status} {r.read().decode()}"
    except urllib.error.HTTPError as exc:
        return f"{exc.code} {exc.read().decode()[:200]}"


def _list_rows(message: dict[str, Any]) -> list[dict[str, Any]]:
    """The rows of an interactive list the app sent (the CSAT question): tap one by typing
    ``/lista <número de fila>`` (``/lista 1`` is the first row shown)."""
    interactive = message.get("interactive") or {}
    sections = (interactive.get("action") or {}).get("sections") or []
    return [row for section in sections for row in section.get("rows") or []]


def _print_replies(graph: FakeGraph, stop: threading.Event) -> None:
    shown = 0
    while not stop.is_set():
        while shown < len(graph.created):
            message = graph.created[shown]
            shown += 1
            text = message["body"] or f"[plantilla {(message['template'] or {}).get('name')}]"
            for row in _list_rows(message):
                text += f"\n  [{row['title']}]"
            print(f"\n  Kavak → {message['to']}:\n    " + text.replace("\n", "\n    "))
        time.sleep(0.1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--app", default="http://127.0.0.1:8000")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--phone-number-id", default="109876543210987")
    parser.add_argument("--business-number", default="+525598765432")
    parser.add_argument("--customer", default="5215512345678", help="the customer's wa_id")
    parser.add_argument(
        "--openai-port", type=int, default=0, help="also run the OpenAI stand-in on this port"
    )
    args = parser.parse_args()
    with contextlib.ExitStack() as stack:
        model = None
        if args.openai_port:
            from tests.support.stub_llm_server import stub_model_server

            model = stack.enter_context(stub_model_server(port=args.openai_port))
            print(f"OpenAI stand-in on {model.url} (OPENAI_BASE_URL); /voz <texto> = nota de voz")
        return _serve(args, model)


def _serve(args: argparse.Namespace, model: Any) -> int:
    secret = os.environ.get("META_APP_SECRET", "demo-app-secret")
    graph = FakeGraph(
        access_token=os.environ.get("META_ACCESS_TOKEN", "demo-access-token"),
        port=args.port,
        webhook_url=args.app.rstrip("/") + WEBHOOK,
        app_secret=secret,
        display_phones={args.phone_number_id: args.business_number},
    ).start()
    print(f"Graph API stand-in on {graph.base_url} (META_GRAPH_BASE_URL)")
    verify = os.environ.get("META_VERIFY_TOKEN", "demo-verify-token")
    print(f"Webhook handshake (GET {WEBHOOK}): {_handshake(args.app.rstrip('/'), verify)}")
    print("Type a message and press Enter (Ctrl-D to quit).")
    stop = threading.Event()
    threading.Thread(target=_print_replies, args=(graph, stop), daemon=True).start()
    try:
        for line in sys.stdin:
            if not line.strip():
                continue
            message = None
            if line.startswith("/lista"):
                choice = line.removeprefix("/lista").strip()
                sent = [m for m in graph.created if _list_rows(m)]
                rows = _list_rows(sent[-1]) if sent else []
                if not choice.isdigit() or not 1 <= int(choice) <= len(rows):
                    print("  (no hay una lista con esa fila; /lista <número de fila>)")
                    continue
                row = rows[int(choice) - 1]
                message = list_reply(row["id"], row["title"])
            elif line.startswith("/voz"):
                spoken = line.removeprefix("/voz").strip() or "Hola"
                if model is not None:
                    model.transcript = spoken  # what the stand-in "hears" in the file
                media_id = graph.add_media(voice_note_ogg(4.0))
                message = {
                    "type": "audio",
                    "audio": {"id": media_id, "mime_type": "audio/ogg; codecs=opus", "voice": True},
                }
            body = encode(
                inbound_payload(
                    phone_number_id=args.phone_number_id,
                    display_phone=args.business_number,
                    wa_id=args.customer,
                    body=line.strip(),
                    name="Cliente demo",
                    message=message,
                )
            )
            status = _post(args.app.rstrip("/") + WEBHOOK, body, secret)
            print(f"  (webhook answered {status})")
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        time.sleep(1.0)
        stop.set()
        graph.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
