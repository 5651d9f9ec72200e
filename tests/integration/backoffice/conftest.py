"""Back-office fixtures: staff users per role (data builders in ``tests/support/backoffice.py``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from leads.models import SalesAgent
from leads.roles import CONTENT, SALES, SUPERVISION


@pytest.fixture
def make_staff(db: None) -> Callable[..., Any]:
    """A staff user in a role group (and a salesperson profile when ``agent``)."""

    def make(
        username: str,
        role: str | None = None,
        *,
        agent: bool = False,
        capacity: int = 30,
        first_name: str = "",
        superuser: bool = False,
    ) -> Any:
        users = get_user_model().objects
        if superuser:
            user = users.create_superuser(username, f"{username}@example.com", "pw-123456")
        else:
            user = users.create_user(
                username,
                f"{username}@example.com",
                "pw-123456",
                is_staff=True,
                first_name=first_name or username.capitalize(),
            )
        if role:
            user.groups.add(Group.objects.get(name=role))
        if agent:
            SalesAgent.objects.create(user=user, capacity=capacity)
        return user

    return make


@pytest.fixture
def sales(make_staff: Callable[..., Any]) -> Any:
    return make_staff("ana", SALES, agent=True, first_name="Ana")


@pytest.fixture
def sales2(make_staff: Callable[..., Any]) -> Any:
    return make_staff("bruno", SALES, agent=True, first_name="Bruno")


@pytest.fixture
def supervisor(make_staff: Callable[..., Any]) -> Any:
    return make_staff("sofia", SUPERVISION, first_name="Sofía")


@pytest.fixture
def editor(make_staff: Callable[..., Any]) -> Any:
    return make_staff("carlos", CONTENT, first_name="Carlos")
