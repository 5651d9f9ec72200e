"""The back office's only model: the funnel dashboard as an admin entry (a proxy, no table)."""

from __future__ import annotations

from conversations.models import Conversation


class FunnelDashboard(Conversation):
    """The funnel dashboard as an admin entry: its view permission is who may open it."""

    class Meta:
        proxy = True
        verbose_name = "tablero del embudo"
        verbose_name_plural = "tablero del embudo"
        default_permissions = ("view",)
