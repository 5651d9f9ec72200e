"""Settings probed in a fresh interpreter with a controlled environment (no server is contacted):
a realistic production environment, and a one-liner that prints the flags it resolved."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.support import ROOT

PROD = {
    "DJANGO_SETTINGS_MODULE": "kavak.settings.production",
    "DJANGO_SECRET_KEY": "x" * 20 + "-Zq8vL2pR7mW4nK9sT1yB6cF3hJ0dG5aE8uI2oP7lM4",
    "DJANGO_ALLOWED_HOSTS": "agente.kavak.example",
    "DJANGO_CSRF_TRUSTED_ORIGINS": "https://agente.kavak.example",
    "PUBLIC_BASE_URL": "https://agente.kavak.example",
    "DATABASE_URL": "postgres://kavak@db.internal:5432/kavak",
    "REDIS_URL": "rediss://cache.internal:6379/0",
    "CELERY_BROKER_URL": "rediss://cache.internal:6379/1",
    "EMAIL_URL": "ses://us-east-1",
}
PRINT_FLAGS = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({k: getattr(s, k) for k in ("
    "'LLM_ENABLED','TWILIO_IDEMPOTENCY_ENABLED','TWILIO_VALIDATE_SIGNATURE',"
    "'CONVERSATION_STATE_REPOSITORY','LEAD_REPOSITORY','STATE_CACHE','CELERY_TASK_ALWAYS_EAGER',"
    "'DEBUG')} | {'db': s.DATABASES['default']['ENGINE'], 'cache': s.CACHES['default']['BACKEND'],"
    "'db_password': s.DATABASES['default'].get('PASSWORD'), 'broker': s.CELERY_BROKER_URL}))"
)


def settings_run(
    env: dict[str, str], code: str = PRINT_FLAGS, *args: str
) -> subprocess.CompletedProcess[str]:
    """``code`` (or ``python <args>``) in a fresh interpreter with only ``env``, PATH and HOME."""
    clean = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", str(ROOT)), **env}
    cmd = [sys.executable, "-c", code] if not args else [sys.executable, *args]
    return subprocess.run(cmd, cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60)
