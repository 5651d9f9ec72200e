"""Start-up behaviour of each settings module, in a fresh interpreter with a controlled env."""

from __future__ import annotations

import json

import pytest

from tests.support.settings_probe import PROD, settings_run


def test_local_settings_use_embedded_defaults_when_env_is_empty() -> None:
    result = settings_run({"DJANGO_SETTINGS_MODULE": "kavak.settings.local"})
    assert result.returncode == 0, result.stderr
    flags = json.loads(result.stdout)
    assert flags == {
        "LLM_ENABLED": False,
        "TWILIO_IDEMPOTENCY_ENABLED": True,
        "TWILIO_VALIDATE_SIGNATURE": "off",
        "CONVERSATION_STATE_REPOSITORY": "db",
        "LEAD_REPOSITORY": "db",
        "STATE_CACHE": "none",
        "CELERY_TASK_ALWAYS_EAGER": True,
        "DEBUG": True,
        "db": "django.db.backends.sqlite3",
        "cache": "django.core.cache.backends.locmem.LocMemCache",
        "db_password": "",
        "broker": "",
    }


def test_production_defaults_enforce_signatures_and_read_state_from_the_database() -> None:
    result = settings_run({**PROD, "DATABASE_PASSWORD": "s3cr3t", "REDIS_PASSWORD": "tok"})
    assert result.returncode == 0, result.stderr
    flags = json.loads(result.stdout)
    assert flags["TWILIO_VALIDATE_SIGNATURE"] == "enforce"
    assert flags["STATE_CACHE"] == "none"
    assert flags["DEBUG"] is False
    assert flags["CELERY_TASK_ALWAYS_EAGER"] is False
    assert flags["db_password"] == "s3cr3t"
    assert flags["broker"] == "rediss://:tok@cache.internal:6379/1"


@pytest.mark.parametrize(
    "missing", ["DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "DATABASE_URL", "CELERY_BROKER_URL"]
)
def test_production_refuses_to_start_when_required_variable_missing(missing: str) -> None:
    env = {k: v for k, v in PROD.items() if k != missing}
    result = settings_run(env)
    assert result.returncode != 0
    assert f"{missing} is required" in result.stderr


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"LLM_ENABLED": "true"}, "OPENAI_API_KEY is required because LLM_ENABLED=true"),
        (
            {
                "WHATSAPP_ENABLED": "true",
                "TWILIO_ACCOUNT_SID": "AC1",
                "TWILIO_WHATSAPP_NUMBER": "x",
            },
            "TWILIO_AUTH_TOKEN is required because WHATSAPP_ENABLED=true",
        ),
        (
            {
                "WHATSAPP_ENABLED": "true",
                "WHATSAPP_PROVIDERS": "+525598765432=meta:109876543210987",
                "META_VERIFY_TOKEN": "v",
                "META_ACCESS_TOKEN": "a",
            },
            "META_APP_SECRET is required because WHATSAPP_PROVIDERS has a Meta number",
        ),
        ({"WHATSAPP_PROVIDERS": "+525598765432=sms"}, "provider must be one of twilio, meta"),
        ({"WHATSAPP_PROVIDERS": "+525598765432=meta"}, "meta needs its numeric phone number id"),
        ({"WHATSAPP_PROVIDERS": "+525598765432=twilio:1"}, "twilio takes no id"),
        ({"WHATSAPP_PROVIDERS": "12=twilio"}, "'12' is not a phone number"),
        (
            {"WHATSAPP_PROVIDERS": "+525598765432=twilio,5598765432=meta:1"},
            "'5598765432' is listed twice",
        ),
        ({"META_STAFF_TEMPLATE": "kavak_asesor"}, "META_STAFF_TEMPLATE / META_SALES_TEMPLATE"),
        ({"STATE_CACHE": "redis"}, "REDIS_URL is required because STATE_CACHE=redis"),
        ({"STATE_CACHE": "memcached"}, "STATE_CACHE='memcached' is not valid"),
        ({"CONVERSATION_STATE_REPOSITORY": "redis"}, "CONVERSATION_STATE_REPOSITORY='redis'"),
        ({"LEAD_REPOSITORY": "file"}, "LEAD_REPOSITORY='file' is not valid"),
        ({"TWILIO_VALIDATE_SIGNATURE": "maybe"}, "TWILIO_VALIDATE_SIGNATURE='maybe'"),
    ],
)
def test_flag_misconfiguration_fails_at_startup_naming_the_variable(
    env: dict[str, str], message: str
) -> None:
    result = settings_run({"DJANGO_SETTINGS_MODULE": "kavak.settings.local", **env})
    assert result.returncode != 0
    assert message in result.stderr


def test_a_meta_only_channel_starts_without_any_twilio_setting() -> None:
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({p: [r.provider, r.phone_number_id] for p, r in "
        "s.WHATSAPP_ROUTES.items()}))"
    )
    env = {
        "DJANGO_SETTINGS_MODULE": "kavak.settings.local",
        "WHATSAPP_ENABLED": "true",
        "WHATSAPP_PROVIDERS": " whatsapp:+5215598765432 = meta:109876543210987 ",
        "META_APP_SECRET": "s",
        "META_VERIFY_TOKEN": "v",
        "META_ACCESS_TOKEN": "a",
    }
    result = settings_run(env, code)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"+525598765432": ["meta", "109876543210987"]}


def test_check_deploy_is_clean_with_production_settings_and_realistic_env() -> None:
    result = settings_run(PROD, "", "manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_refuses_unsigned_webhooks_outside_debug() -> None:
    result = settings_run(
        {**PROD, "TWILIO_VALIDATE_SIGNATURE": "off", "TWILIO_IDEMPOTENCY_ENABLED": "false"},
        "",
        "manage.py",
        "check",
        "--deploy",
    )
    assert result.returncode != 0
    assert "kavak.E001" in result.stderr
    assert "kavak.E002" in result.stderr
