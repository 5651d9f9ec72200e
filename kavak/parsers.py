"""Request body parsing shared by the APIs: DRF's JSON parser behind a nesting limit.

Its own module: ``REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"]`` names it, and DRF imports that
setting while ``rest_framework.views`` is being imported (``kavak.api`` imports the latter).
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from typing import IO, Any

from rest_framework import exceptions
from rest_framework.parsers import JSONParser

# Python's json module recurses once per level (RecursionError near 1,000 levels: a 500) and orjson
# stops at 1,024, both well inside the 16 KB body of /chat; no request of ours needs more than a
# handful of levels. The depth is checked on the raw bytes before any parser sees them.
JSON_MAX_DEPTH = 64
# A whole string (escapes included; an unterminated one runs to the end) or one bracket.
_JSON_TOKENS = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"?|[\[\]{}]', re.DOTALL)


class JsonTooDeep(exceptions.ParseError):
    default_detail = (
        f"El JSON tiene demasiados niveles de anidación (máximo {JSON_MAX_DEPTH} niveles)."
    )
    default_code = "json_too_deep"


def json_depth(body: bytes) -> int:
    """The deepest nesting of arrays and objects in ``body``; brackets inside strings excluded.

    A scan, not a parse: linear, no recursion, safe on any bytes (malformed JSON included).
    """
    depth = deepest = 0
    for token in _JSON_TOKENS.finditer(body):
        char = token.group()[:1]
        if char in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
        elif char in (b"]", b"}"):
            depth = max(0, depth - 1)
    return deepest


def json_depth_check(body: bytes) -> None:
    """Raise ``JsonTooDeep`` (a 400) when ``body`` nests deeper than ``JSON_MAX_DEPTH``."""
    # Fewer opening brackets than the limit cannot nest deeper: the usual body is never scanned.
    if body.count(b"[") + body.count(b"{") <= JSON_MAX_DEPTH:
        return
    if json_depth(body) > JSON_MAX_DEPTH:
        raise JsonTooDeep()


class DepthLimitedJSONParser(JSONParser):
    """DRF's ``JSONParser``, after ``json_depth_check`` (the default parser of every API)."""

    def parse(
        self,
        stream: IO[bytes],
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        body = stream.read()
        json_depth_check(body)
        return super().parse(io.BytesIO(body), media_type, parser_context)
