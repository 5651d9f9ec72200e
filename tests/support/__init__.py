"""Test support shared by the tests and the scripts (benchmarks, chaos, soak, stand-ins).

Imported as ``tests.support.<module>`` from the repository root (pytest's rootdir; scripts run as
``python -m scripts.<name>``), never through ``sys.path`` edits:

- ``fake_twilio``: Twilio's Messages REST API, a local server the real ``twilio`` SDK talks to;
- ``fake_meta``: Meta's Graph API (WhatsApp Cloud API), a local stand-in;
- ``stub_llm_server``: an OpenAI-compatible Chat Completions server;
- ``whatsapp``: the channel's test settings, captured Twilio payloads, signed webhook posts;
- ``whatsapp_harness``: the real stack (gunicorn, Celery, PostgreSQL, Redis) for load and chaos;
- ``concurrency``: threads released at once, each with its own database connection;
- ``fakes``: in-memory catalogue and knowledge ports for the engine;
- ``catalog``, ``backoffice``: data builders behind the apps' fixtures;
- ``adversarial``: the prompt-injection attacks the LLM tests replay.

Fixtures stay in the conftests (pytest finds them there); they build on these modules.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
"""The repository root."""
