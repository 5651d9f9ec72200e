"""``X-Twilio-Signature`` checks with the SDK's ``RequestValidator``.

Twilio signs the URL *it* called (the public https URL), plus every POST parameter. Behind the load
balancer the app sees ``http://10.x.x.x:8000/…``, so the URL is rebuilt from ``PUBLIC_BASE_URL``
when configured, else from the request (which honours ``SECURE_PROXY_SSL_HEADER``, i.e. the
trusted ``X-Forwarded-Proto`` of the ALB in production).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest
from twilio.request_validator import (
    SIGNATURE_HEADER,
    SIGNATURE_SETTINGS_HEADER,
    RequestValidator,
    get_signature_algorithm,
)

from kavak import metrics

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SignatureCheck:
    ok: bool  # False only when the request must be refused (mode "enforce")
    valid: bool
    reason: str = ""
    url: str = ""


def public_url(request: HttpRequest) -> str:
    """The URL Twilio called: ``PUBLIC_BASE_URL`` + path and query, or rebuilt from the request."""
    if settings.PUBLIC_BASE_URL:
        return str(settings.PUBLIC_BASE_URL) + request.get_full_path()
    return request.build_absolute_uri()


def signature_valid(
    *, url: str, params: Mapping[str, object], signature: str, auth_token: str, algorithm: str = ""
) -> bool:
    """The SDK's own check (with and without the default port, as Twilio signs either)."""
    if not signature or not auth_token:
        return False
    try:
        return bool(
            RequestValidator(auth_token).validate(url, params, signature, algorithm or None)
        )
    except ValueError:  # a URL the SDK cannot parse (e.g. a Host header with port 99999)
        return False


def webhook_signature_check(request: HttpRequest) -> SignatureCheck:
    """Apply ``TWILIO_VALIDATE_SIGNATURE``: enforce (refuse), log-only (log and go on), off."""
    mode = settings.TWILIO_VALIDATE_SIGNATURE
    if mode == "off":
        return SignatureCheck(ok=True, valid=False, reason="validation_off")
    url = public_url(request)
    signature = request.headers.get(SIGNATURE_HEADER, "")
    algorithm = get_signature_algorithm(request.headers.get(SIGNATURE_SETTINGS_HEADER, ""))
    if not signature:
        valid, reason = False, "missing_signature"
    else:
        valid = signature_valid(
            url=url,
            params=request.POST,
            signature=signature,
            auth_token=settings.TWILIO_AUTH_TOKEN,
            algorithm=algorithm,
        )
        reason = "" if valid else "mismatch"
    if not valid:
        # Nothing else is logged from an unsigned request: it may be anybody's payload.
        metrics.WEBHOOK_SIGNATURE_FAILURES_TOTAL.labels(mode=mode).inc()
        logger.warning(
            "twilio_signature_invalid reason=%s mode=%s path=%s", reason, mode, request.path
        )
    return SignatureCheck(ok=valid or mode == "log-only", valid=valid, reason=reason, url=url)
