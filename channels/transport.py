"""What a failed HTTP call to a provider tells us about whether it arrived."""

from __future__ import annotations

import requests
from urllib3.exceptions import NewConnectionError


def request_never_arrived(exc: requests.RequestException) -> bool:
    """True when the request surely never reached the server (refused, DNS, connect timeout):
    safe to retry. A read timeout or a connection dropped after sending is ambiguous."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    if not isinstance(exc, requests.ConnectionError):
        return False
    seen: set[int] = set()
    stack: list[BaseException] = [exc]
    while stack:
        err = stack.pop()
        if id(err) in seen:
            continue
        seen.add(id(err))
        if isinstance(err, NewConnectionError | ConnectionRefusedError):
            return True
        linked = (*err.args, getattr(err, "reason", None), err.__cause__, err.__context__)
        stack.extend(x for x in linked if isinstance(x, BaseException))
    return False
