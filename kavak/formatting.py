"""How staff pages show what customers saw: WhatsApp-style ``*bold*`` as bold, never asterisks."""

from __future__ import annotations

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

_BOLD = re.compile(r"\*([^*\n]+)\*")


def bold_html(text: str) -> SafeString:
    """``*texto*`` → ``<strong>texto</strong>``; everything else escaped (no HTML injection)."""
    return mark_safe(_BOLD.sub(r"<strong>\1</strong>", escape(text)))  # noqa: S308  # nosec B308 B703
