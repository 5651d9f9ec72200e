from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from kavak.env import env_choice, env_required, url_with_password


def test_env_choice_rejects_unknown_value_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LEAD_REPOSITORY", "mongo")
    with pytest.raises(ImproperlyConfigured, match="LEAD_REPOSITORY='mongo'"):
        env_choice("LEAD_REPOSITORY", choices=("db", "memory"), default="db")


def test_env_choice_normalises_case_when_value_known(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEAD_REPOSITORY", " Memory ")
    assert env_choice("LEAD_REPOSITORY", choices=("db", "memory"), default="db") == "memory"


def test_env_required_names_variable_and_reason_when_missing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(ImproperlyConfigured, match="OPENAI_API_KEY is required because LLM"):
        env_required("OPENAI_API_KEY", because="LLM_ENABLED=true")


def test_url_with_password_injects_quoted_secret_when_given() -> None:
    url = url_with_password("rediss://cache.internal:6379/0", "p@ss/word")
    assert url == "rediss://:p%40ss%2Fword@cache.internal:6379/0"
    assert (
        url_with_password("postgres://kavak@db:5432/kavak", "") == "postgres://kavak@db:5432/kavak"
    )
