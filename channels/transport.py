"""What a failed HTTP call to a provider tells us about whether it arrived."""

from __future__ import annotations

import requests
from urllib3.exceptions import NewConnectionError

from channels.messages import SendError


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


def send_error_of(exc: requests.RequestException) -> SendError:
    """The ``SendError`` for a send that failed in transport: retryable when the request surely
    never arrived; otherwise (read timeout, connection dropped after the request went out) the
    provider may have accepted it, so it is never resent blindly: the caller reconciles first."""
    if request_never_arrived(exc):
        return SendError(f"connection failed: {type(exc).__name__}", retryable=True)
    return SendError(f"ambiguous: {type(exc).__name__}", retryable=False, ambiguous=True)
