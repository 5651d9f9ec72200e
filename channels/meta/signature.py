"""Meta's webhook security: the subscription handshake and ``X-Hub-Signature-256``.

Meta signs every event POST with ``sha256=<hex HMAC-SHA256 of the raw body, keyed with the app
secret>``. The HMAC is over the bytes as received, so the body is checked before it is parsed.
The GET handshake proves we own the endpoint: Meta sends the verify token we typed in its
dashboard and expects ``hub.challenge`` echoed back.
"""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "X-Hub-Signature-256"
_PREFIX = "sha256="


def signature_compute(*, body: bytes, app_secret: str) -> str:
    """The header value Meta sends for ``body`` (used by the local stand-in and tests)."""
    digest = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return _PREFIX + digest


def signature_valid(*, body: bytes, header: str, app_secret: str) -> bool:
    """Constant-time check of ``X-Hub-Signature-256`` (missing or malformed → False)."""
    if not app_secret or not header or not header.startswith(_PREFIX):
        return False
    expected = signature_compute(body=body, app_secret=app_secret)
    return hmac.compare_digest(expected.encode(), header.strip().lower().encode())


def verify_token_matches(*, mode: str, token: str, verify_token: str) -> bool:
    """The subscription handshake: ``hub.mode=subscribe`` with our verify token."""
    if mode != "subscribe" or not verify_token or not token:
        return False
    return hmac.compare_digest(token.encode(), verify_token.encode())
