"""Which email backend each environment may run (issue 18): production sends through SMTP or SES
or has the sales email turned off explicitly; the console backend, which prints every body
(customer phones included) to the logs, exists only under DEBUG."""

from __future__ import annotations

import json

import pytest

from tests.support.settings_probe import PROD, settings_run

PRINT_EMAIL = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({'backend': s.EMAIL_BACKEND, 'on': s.LEAD_EMAIL_NOTIFICATIONS, "
    "'region': getattr(s, 'AWS_SES_REGION_NAME', None), 'host': s.EMAIL_HOST}))"
)
WITHOUT_EMAIL = {k: v for k, v in PROD.items() if k != "EMAIL_URL"}


def _email(env: dict[str, str]) -> dict[str, object]:
    result = settings_run(env, PRINT_EMAIL)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_production_refuses_to_start_without_an_email_backend() -> None:
    result = settings_run(WITHOUT_EMAIL, PRINT_EMAIL)
    assert result.returncode != 0
    assert "EMAIL_URL is required because LEAD_EMAIL_NOTIFICATIONS=true" in result.stderr


@pytest.mark.parametrize(
    "url", ["consolemail://", "memorymail://", "dummymail://", "filemail:///tmp/mails"]
)
def test_production_refuses_backends_that_do_not_deliver(url: str) -> None:
    result = settings_run({**WITHOUT_EMAIL, "EMAIL_URL": url}, PRINT_EMAIL)
    assert result.returncode != 0
    assert "EMAIL_URL" in result.stderr


def test_production_sends_through_smtp() -> None:
    email = _email({**WITHOUT_EMAIL, "EMAIL_URL": "smtp+tls://user:pass@mail.internal:587"})
    assert email["backend"] == "django.core.mail.backends.smtp.EmailBackend"
    assert email["host"] == "mail.internal"


def test_production_sends_through_ses_with_the_task_role() -> None:
    email = _email({**WITHOUT_EMAIL, "EMAIL_URL": "ses://us-east-1"})
    assert email["backend"] == "django_ses.SESBackend"
    assert email["region"] == "us-east-1"


def test_production_may_turn_the_sales_email_off_explicitly() -> None:
    email = _email({**WITHOUT_EMAIL, "LEAD_EMAIL_NOTIFICATIONS": "false"})
    assert email["on"] is False
    assert email["backend"] == "kavak.mail.DisabledEmailBackend"


def test_the_console_backend_exists_only_under_debug() -> None:
    local = {"DJANGO_SETTINGS_MODULE": "kavak.settings.local"}
    assert _email(local)["backend"] == "django.core.mail.backends.console.EmailBackend"
    result = settings_run(
        {**local, "DJANGO_DEBUG": "false", "EMAIL_URL": "consolemail://"}, PRINT_EMAIL
    )
    assert result.returncode != 0
    assert "consolemail:// prints every email" in result.stderr


def test_tests_use_the_in_memory_backend() -> None:
    email = _email({"DJANGO_SETTINGS_MODULE": "kavak.settings.test"})
    assert email["backend"] == "django.core.mail.backends.locmem.EmailBackend"
