"""Admin hardening helpers: the client address django-axes locks on."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip_address(request: HttpRequest) -> str:
    """The address of the client, counting ``AXES_IPWARE_PROXY_COUNT`` trusted proxies.

    Each proxy appends the address it received the request from to ``X-Forwarded-For``, so with
    N trusted proxies the client is the N-th entry from the right; entries further left were sent
    by the client and may be forged. With 0 proxies (or a shorter header than expected: a request
    that did not come through the balancer) the socket address is the only one we trust.
    """
    remote = request.META.get("REMOTE_ADDR", "") or ""
    count = int(settings.AXES_IPWARE_PROXY_COUNT or 0)
    if count <= 0:
        return remote
    header: str = request.META.get("HTTP_X_FORWARDED_FOR", "")
    forwarded = [part.strip() for part in header.split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < count:
        return remote
    return forwarded[-count]
