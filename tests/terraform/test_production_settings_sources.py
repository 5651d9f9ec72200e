"""Every production setting the app requires has a Terraform source (issue 21).

Two checks that fail on their own when the app and Terraform drift apart:

- static: every variable the settings *require* (``env_required("X")``, or an ``env.<type>("X")``
  read without a default) is in the plain environment or the secrets Terraform gives some
  container. A new requirement (an e-mail URL, another Redis URL, a secret) fails here until
  terraform/ provides it; the dynamic check then proves each container that needs it gets it.
- dynamic: each container's environment, exactly as terraform/modules/ecs builds it (names,
  secrets, values with their interpolations filled in), starts ``kavak.settings.production`` in a
  fresh interpreter; the result talks to PostgreSQL over verify-full as the right role, and to
  Redis over TLS with the password merged in. The web container's also passes
  ``check --deploy``.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.terraform.test_terraform_infra import (
    CONTAINERS,
    REPO_ROOT,
    _containers,
    _secrets_of,
    module_locals,
)

SETTINGS_DIR = REPO_ROOT / "kavak" / "settings"
# Values standing in for Terraform's interpolations (what `terraform apply` would render). An
# expression missing here fails the test: add the value it renders to.
RENDERED = {
    "var.domain_name": "agente.kavak.example",
    'join(",", concat([var.domain_name], var.extra_allowed_hosts))': "agente.kavak.example",
    "local.public_base_url": "https://agente.kavak.example",
    "var.admin_path": "admin/",
    "var.redis_host": "master.kavak-production.cache.amazonaws.com",
    "var.redis_port": "6379",
    "var.database_host": "kavak-production.db.rds.amazonaws.com",
    "var.database_port": "5432",
    "var.database_name": "kavak",
    "var.database_app_username": "kavak_app",
    "var.database_migrate_username": "kavak_migrate",
    "var.database_master_username": "kavak",
    "var.database_ca_bundle_path": "/app/certs/rds-global-bundle.pem",
    "tostring(var.web_gunicorn_workers)": "2",
    "tostring(var.web_gunicorn_threads)": "32",
    'var.lead_email_notifications ? "true" : "false"': "true",
    "var.aws_region": "us-east-1",
    'var.lead_email_notifications ? var.email_from_address : "no-reply@${var.domain_name}"': (
        "agente@kavak.example"
    ),
    'join(",", var.sales_notification_emails)': "ventas@kavak.example",
    "var.twilio_account_sid": "AC" + "0" * 32,
    "var.twilio_whatsapp_number": "whatsapp:+5215500000000",
    "var.twilio_sales_template_content_sid": "HX" + "1" * 32,
    "var.twilio_csat_content_sid": "HX" + "3" * 32,
    "var.twilio_staff_template_content_sid": "HX" + "2" * 32,
    'var.llm_enabled ? "true" : "false"': "true",
    'var.whatsapp_enabled ? "true" : "false"': "true",
    "tostring(var.data_retention_days)": "365",
    "tostring(coalesce(var.retention_transcript_days, var.data_retention_days))": "180",
    "tostring(coalesce(var.retention_delivery_days, var.data_retention_days))": "90",
    "tostring(var.retention_closed_lead_days)": "730",
    "tostring(var.retention_batch_size)": "500",
    "tostring(var.llm_rollout_percent)": "25",
    # One number on each provider: the Meta one makes the app require the META_* secrets.
    "var.whatsapp_providers": "+525598765432=meta:109876543210987,+5215500000000=twilio",
    "var.meta_sales_template": "kavak_aviso_ventas:es_MX",
    "var.meta_staff_template": "kavak_asesor:es_MX",
    "tostring(var.celery_metrics_port)": "9808",
    "tostring(var.migrate_lock_timeout_ms)": "5000",
    "tostring(var.migrate_statement_timeout_ms)": "300000",
    "var.queue_metrics_namespace": "Kavak/kavak-production",
}
_INTERPOLATION = re.compile(r"\$\{([^{}]+)\}")
_PRINT = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "db = s.DATABASES['default']; "
    "print(json.dumps({'engine': db['ENGINE'], 'user': db['USER'], 'password': db.get('PASSWORD'),"
    " 'options': {k: str(v) for k, v in db.get('OPTIONS', {}).items()},"
    " 'cache': s.CACHES['default']['BACKEND'], 'cache_location': s.CACHES['default']['LOCATION'],"
    " 'broker': s.CELERY_BROKER_URL, 'eager': s.CELERY_TASK_ALWAYS_EAGER,"
    " 'otp': s.ADMIN_OTP_REQUIRED, 'whatsapp': s.WHATSAPP_ENABLED, 'llm': s.LLM_ENABLED,"
    " 'debug': s.DEBUG, 'rollout': s.LLM_ROLLOUT_PERCENT,"
    " 'providers': sorted(r.provider for r in s.WHATSAPP_ROUTES.values()),"
    " 'meta': [bool(s.META_APP_SECRET), bool(s.META_VERIFY_TOKEN), bool(s.META_ACCESS_TOKEN)],"
    " 'retention': [s.RETENTION_TRANSCRIPT_DAYS, s.RETENTION_DELIVERY_DAYS,"
    "               s.RETENTION_CLOSED_LEAD_DAYS, s.RETENTION_BATCH_SIZE],"
    " 'hash_key': bool(s.RETENTION_HASH_KEY)}))"
)


def render(value: str, locals_: dict) -> str:
    """Fill Terraform interpolations in ``value`` with what apply would render."""

    def one(match: re.Match[str]) -> str:
        expression = match.group(1).strip()
        if expression in RENDERED:
            return RENDERED[expression]
        local = re.fullmatch(r"local\.(\w+)(?:\.(\w+))?", expression)
        if local:
            node = locals_[local.group(1)]
            if local.group(2):
                node = node[local.group(2)]
            if isinstance(node, str):
                return render(node, locals_)
        raise AssertionError(f"no rendered value for ${{{expression}}}: add it to RENDERED")

    return _INTERPOLATION.sub(one, value)


def container_environment(name: str, tmp_path: Path) -> dict[str, str]:
    """The variables ECS starts ``name`` with: plain environment and secrets (dummy values)."""
    locals_ = module_locals("ecs")
    container = _containers()[name]
    env = {item["name"]: render(str(item["value"]), locals_) for item in container["environment"]}
    for secret in _secrets_of(container):
        env[secret] = f"generated-{secret.lower()}-Zq8vL2pR7mW4nK9sT1yB6cF3hJ0dG5aE8uI2oP7lM4"
    # The scratch volume of the task (prometheus_client needs the directory to exist).
    env["PROMETHEUS_MULTIPROC_DIR"] = str(tmp_path / "prometheus")
    return env


def start(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    clean = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", str(REPO_ROOT)), **env}
    command = [sys.executable, *args] if args else [sys.executable, "-c", _PRINT]
    return subprocess.run(
        command, cwd=REPO_ROOT, env=clean, capture_output=True, text=True, timeout=120
    )


def required_variables() -> set[str]:
    """Variables the settings modules refuse to start without (when their feature is on)."""
    names: set[str] = set()
    for path in [*SETTINGS_DIR.glob("*.py"), REPO_ROOT / "kavak" / "env.py"]:
        source = path.read_text(encoding="utf-8")
        names |= set(re.findall(r'env_required\(\s*"([A-Z0-9_]+)"', source))
        # django-environ raises ImproperlyConfigured for a variable read without a default.
        names |= set(re.findall(r'\benv\.\w+\(\s*"([A-Z0-9_]+)"\s*\)', source))
    return names


# Settings with a default that operators set per environment: each needs a Terraform source
# too (a variable of the root, or a secret), though the app would start without it.
OPERATOR_SETTINGS = {
    "DATA_RETENTION_DAYS",
    "RETENTION_TRANSCRIPT_DAYS",
    "RETENTION_DELIVERY_DAYS",
    "RETENTION_CLOSED_LEAD_DAYS",
    "RETENTION_BATCH_SIZE",
    "RETENTION_HASH_KEY",
    "LLM_ROLLOUT_PERCENT",
    "WHATSAPP_PROVIDERS",
    "META_SALES_TEMPLATE",
    "META_STAFF_TEMPLATE",
    "TWILIO_CSAT_CONTENT_SID",
}


def test_every_required_setting_has_a_terraform_source(tmp_path: Path) -> None:
    required = required_variables()
    # What the scan finds today (a smaller set means the scan broke, not that the app changed).
    assert {"DJANGO_SECRET_KEY", "DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL"} <= required
    assert {"OPENAI_API_KEY", "TWILIO_AUTH_TOKEN", "TWILIO_WHATSAPP_NUMBER"} <= required
    assert {"META_APP_SECRET", "META_VERIFY_TOKEN", "META_ACCESS_TOKEN"} <= required
    settings = "".join(p.read_text(encoding="utf-8") for p in SETTINGS_DIR.glob("*.py"))
    assert all(f'"{name}"' in settings for name in OPERATOR_SETTINGS), "a setting was renamed"
    given = set().union(*(container_environment(name, tmp_path) for name in CONTAINERS))
    missing = sorted(name for name in required | OPERATOR_SETTINGS if name not in given)
    assert not missing, f"read by the app, given by no Terraform source: {missing}"


@pytest.mark.parametrize("name", CONTAINERS)
def test_each_container_starts_production_settings_from_terraform_alone(
    name: str, tmp_path: Path
) -> None:
    env = container_environment(name, tmp_path)
    assert env["DJANGO_SETTINGS_MODULE"] == "kavak.settings.production"
    result = start(env)
    assert result.returncode == 0, result.stderr[-2000:]
    got = json.loads(result.stdout.strip().splitlines()[-1])
    role = {"migrate": "kavak_migrate", "db_roles": "kavak"}.get(name, "kavak_app")
    assert got["engine"] == "django.db.backends.postgresql"
    assert got["user"] == role
    # Beat never queries the database: it gets no database password at all.
    assert bool(got["password"]) == (name != "beat")
    assert got["options"]["sslmode"] == "verify-full"
    assert got["options"]["sslrootcert"] == "/app/certs/rds-global-bundle.pem"
    assert got["cache"] == "django_redis.cache.RedisCache"
    assert got["broker"].startswith("rediss://")
    assert got["cache_location"].startswith("rediss://")
    if "REDIS_PASSWORD" in env:
        assert "generated-redis_password" in got["broker"]
        assert "generated-redis_password" in got["cache_location"]
    assert got["eager"] is False
    assert got["otp"] is True
    assert got["debug"] is False
    channels_on = name in ("web", "worker")
    assert got["whatsapp"] is channels_on
    assert got["llm"] is channels_on
    # Every container: the retention limits as rendered (the settings validate them at start).
    assert got["retention"] == [180, 90, 730, 500]
    assert got["providers"] == ["meta", "twilio"]
    # Where the channels run: the rollout share, Meta's three secrets (a Meta number is
    # configured) and the key that hashes phones when personal data is erased.
    assert got["rollout"] == (25 if channels_on else 100)
    assert got["meta"] == [channels_on] * 3
    assert got["hash_key"] is channels_on
    if name == "migrate":
        assert got["options"]["options"] == "-c lock_timeout=5000 -c statement_timeout=300000"


def test_the_web_container_environment_passes_the_deploy_checks(tmp_path: Path) -> None:
    result = start(container_environment("web", tmp_path), "manage.py", "check", "--deploy",
                   "--fail-level", "WARNING")  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize(
    "dropped", ["REDIS_URL", "TWILIO_AUTH_TOKEN", "DJANGO_SECRET_KEY", "META_ACCESS_TOKEN"]
)
def test_a_missing_source_is_caught(dropped: str, tmp_path: Path) -> None:
    """The checks above can fail: without one source, production refuses to start."""
    env = container_environment("web", tmp_path)
    del env[dropped]
    result = start(env)
    assert result.returncode != 0
    assert f"{dropped} is required" in result.stderr
