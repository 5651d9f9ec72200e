"""Schemathesis against the public API's OpenAPI schema: no 500, responses match the schema."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework_api_key.models import APIKey
from schemathesis.specs.openapi.checks import positive_data_acceptance

from kavak.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)


@pytest.fixture
def api_key(settings: object) -> Iterator[str]:
    settings.CHAT_THROTTLE_RATE = "100000/min"  # type: ignore[attr-defined]
    _, key = APIKey.objects.create_key(name="schemathesis")
    # Calling the WSGI app directly fires request_finished, which would close the test's
    # database connection (Django's test Client disconnects the same handlers).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield key
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.mark.django_db
@schema.include(path_regex="^/(chat|api/financing)").parametrize()
@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_public_api_never_500_and_matches_schema(case: schemathesis.Case, api_key: str) -> None:
    # Business rules beyond the schema (a down payment of at least 10% of the price, a message
    # that is not only spaces) rightly reject some schema-valid requests with a JSON 400.
    case.call_and_validate(
        headers={"Authorization": f"Bearer {api_key}"},
        excluded_checks=[positive_data_acceptance],
    )
