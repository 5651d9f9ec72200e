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

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
"""The repository root."""


def var_log(name: str) -> Path:
    """``var/<name>.log``, or ``var/<name>-gw0.log`` in pytest-xdist worker gw0: workers running
    at once never write to, nor wait for a line in, the same file. ``var/`` is created."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    path = ROOT / "var" / (f"{name}-{worker}.log" if worker else f"{name}.log")
    path.parent.mkdir(exist_ok=True)
    return path
