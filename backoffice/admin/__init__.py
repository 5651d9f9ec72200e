"""The back office's admin screens that span apps (registered when admin autodiscovers this app).

One module per screen: ``leads`` (the lead pipeline: list, change form; its filters, detail
blocks and actions in ``lead_filters``, ``lead_cards`` and ``lead_actions``), ``erasure`` (data
erasures), ``dashboard`` (the funnel dashboard), ``conversations``; ``display`` holds what several
of them show.
"""

from backoffice.admin import conversations, dashboard, erasure, leads  # noqa: F401
