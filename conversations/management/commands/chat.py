"""Talk to the agent from a terminal, through the same service as /chat and WhatsApp."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from django.core.management.base import BaseCommand

from conversations.services import conversation_turn_handle


class Command(BaseCommand):
    help = "Conversación con el agente en la terminal (escribe 'salir' para terminar)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--session", default="", help="Continúa una sesión existente")

    def handle(self, *args: Any, session: str, **options: Any) -> None:
        session_id = session or f"cli-{uuid.uuid4().hex[:8]}"
        self.stdout.write(f"Sesión {session_id}. Escribe 'salir' para terminar.\n")
        # The prompt is a conversation, not a log: only warnings and errors interrupt it (the
        # console handlers are raised, so loggers with their own level are quiet too).
        handlers = logging.getLogger().handlers
        previous = [handler.level for handler in handlers]
        for handler in handlers:
            handler.setLevel(max(handler.level, logging.WARNING))
        try:
            self._talk(session_id)
        finally:
            for handler, level in zip(handlers, previous, strict=True):
                handler.setLevel(level)

    def _talk(self, session_id: str) -> None:
        while True:
            try:
                text = input("tú> ").strip()
            except EOFError:
                break
            if text.lower() in ("salir", "exit", "quit"):
                break
            if not text:
                continue
            outcome = conversation_turn_handle(channel="cli", external_id=session_id, text=text)
            self.stdout.write(f"agente> {outcome.reply}")
            self.stdout.write(
                self.style.HTTP_INFO(f"[{outcome.step} → {outcome.next_action}]") + "\n"
            )
