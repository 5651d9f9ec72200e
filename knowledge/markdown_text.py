"""Markdown of the articles as plain WhatsApp text, and as safe HTML for the admin preview.

No Django, no database.
"""

from __future__ import annotations

import html
import re

import markdown as markdown_lib

# --- Markdown → plain WhatsApp text ---------------------------------------------------------------

HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_AUTOLINK = re.compile(r"<((?:https?://|mailto:)[^>]+)>")
_HTML_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
_BOLD = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_EMPH = re.compile(r"(?<![\w*])([*_])(?=\S)(.+?)(?<=\S)\1(?![\w*])")
_CODE = re.compile(r"`+([^`]*)`+")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!>|])")
_BULLET = re.compile(r"^\s*[-*+]\s+")
_ORDERED = re.compile(r"^\s*(\d+)[.)]\s+")
_QUOTE = re.compile(r"^\s*>\s?")
_RULE = re.compile(r"^\s*([-*_])(\s*\1){2,}\s*$")
_TABLE_SEP = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")


def inline_to_text(line: str) -> str:
    line = _IMAGE.sub(r"\1", line)
    line = _LINK.sub(lambda m: _link_text(m.group(1), m.group(2)), line)
    line = _AUTOLINK.sub(lambda m: m.group(1).removeprefix("mailto:"), line)
    line = _HTML_TAG.sub("", line)
    line = _CODE.sub(r"\1", line)
    line = _BOLD.sub(r"\2", line)
    line = _EMPH.sub(r"\2", line)
    line = _ESCAPE.sub(r"\1", line)
    return html.unescape(line)


def _link_text(text: str, url: str) -> str:
    url = url.removeprefix("mailto:")
    bare = re.sub(r"^https?://(www\.)?", "", url).rstrip("/")
    if bare in (text, text.rstrip("/")) or url == text:
        return text
    return f"{text} ({url})"


def markdown_block_to_text(block: str) -> str:
    """One Markdown block (no headings) as WhatsApp-friendly text: "• " bullets, no link syntax."""
    lines: list[str] = []
    for raw in block.splitlines():
        if _RULE.match(raw) or _TABLE_SEP.match(raw):
            continue
        line = _QUOTE.sub("", raw)
        if line.strip().startswith("|"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            line = " · ".join(c for c in cells if c)
            lines.append(inline_to_text(line))
            continue
        if _BULLET.match(line):
            lines.append("• " + inline_to_text(_BULLET.sub("", line)).strip())
        elif _ORDERED.match(line):
            lines.append(_ORDERED.sub(r"\1. ", line).strip())
            lines[-1] = inline_to_text(lines[-1])
        elif lines and line.startswith(("  ", "\t")) and _is_list_line(lines[-1]):
            lines[-1] += " " + inline_to_text(line.strip())  # continuation of a list item
        elif line.strip():
            text = inline_to_text(line.strip())
            # Markdown soft line breaks inside a paragraph are spaces.
            if lines and not _is_list_line(lines[-1]):
                lines[-1] += " " + text
            else:
                lines.append(text)
    return "\n".join(re.sub(r"[ \t]{2,}", " ", line).strip() for line in lines if line.strip())


def _is_list_line(line: str) -> bool:
    return line.startswith("• ") or bool(re.match(r"^\d+\. ", line))


# --- Markdown preview (admin) ---------------------------------------------------------------------

_SAFE_HREF = re.compile(r"^(https?:|mailto:|tel:|/|#)", re.IGNORECASE)
_HREF = re.compile(r'(href|src)="([^"]*)"')


def markdown_to_safe_html(body: str) -> str:
    """Render Markdown for the admin preview. Raw HTML is shown as text and unsafe URLs dropped.

    Content staff are trusted, but article text ends up in other staff members' browsers: no raw
    HTML, no ``javascript:`` links.
    """
    rendered = markdown_lib.markdown(
        body.replace("<", "&lt;"), extensions=["extra", "sane_lists"], output_format="html"
    )
    return _HREF.sub(
        lambda m: (
            m.group(0) if _SAFE_HREF.match(html.unescape(m.group(2))) else f'{m.group(1)}="#"'
        ),
        rendered,
    )
