"""Where the lead notifier comes from: the channels app installs its factory at start-up
(``ChannelsConfig.ready``), so leads never import channels. Without it: ``NullLeadNotifier``."""

from __future__ import annotations

from collections.abc import Callable

from leads.ports import LeadNotifier, NullLeadNotifier

_factory: Callable[[], LeadNotifier] = NullLeadNotifier


def lead_notifier_install(factory: Callable[[], LeadNotifier]) -> Callable[[], LeadNotifier]:
    """Use ``factory`` for every later ``lead_notifier()`` (called once, at start-up); returns
    the previous factory (a test that installs a fake puts it back)."""
    global _factory  # the one slot this port has: the composition root fills it at start-up
    previous, _factory = _factory, factory
    return previous


def lead_notifier() -> LeadNotifier:
    """The notifier for this call (the factory caches and follows settings changes)."""
    return _factory()
