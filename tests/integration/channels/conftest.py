"""WhatsApp fixtures: the channel on against the fake Twilio, or with a Meta number as well
(helpers in ``tests/support/whatsapp.py``; the fake servers' fixtures in ``tests/conftest.py``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import override_settings

from tests.support.fake_meta import FakeGraph
from tests.support.fake_twilio import FakeTwilio
from tests.support.whatsapp import channel_settings, meta_settings


@pytest.fixture
def whatsapp(fake_twilio: FakeTwilio) -> Iterator[FakeTwilio]:
    """The channel on, pointed at the fake Twilio; yields the fake."""
    with override_settings(**channel_settings(fake_twilio)):
        yield fake_twilio


@pytest.fixture
def meta(fake_graph: FakeGraph, fake_twilio: FakeTwilio) -> Iterator[Any]:
    """The channel on with a Meta number and a Twilio number; yields the Graph stand-in."""
    with override_settings(**meta_settings(fake_graph, fake_twilio)):
        yield fake_graph
