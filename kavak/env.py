"""The single ``environ.Env`` object and the helpers every settings module uses.

Misconfiguration must crash at start-up with a message naming the variable: an unknown flag value is
an error, never a silent fallback to a default adapter.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

# OS environment wins; a .env file is read only on request (12-factor, as in cookiecutter-django).
if env.bool("DJANGO_READ_DOT_ENV_FILE", default=False):
    env.read_env(str(BASE_DIR / ".env"))


def env_choice(name: str, *, choices: tuple[str, ...], default: str) -> str:
    """Read an enum-like variable; an unknown value is a start-up error naming the variable."""
    value: str = env.str(name, default=default).strip().lower()
    if value not in choices:
        raise ImproperlyConfigured(
            f"{name}={value!r} is not valid; expected one of: {', '.join(choices)}."
        )
    return value


def env_required(name: str, *, because: str) -> str:
    """Read a variable that must be present and non-empty because of another setting."""
    value: str = env.str(name, default="").strip()
    if not value:
        raise ImproperlyConfigured(f"{name} is required because {because}.")
    return value


def url_with_password(url: str, password: str) -> str:
    """Put ``password`` into ``url``'s netloc.

    Terraform injects DATABASE_PASSWORD / REDIS_PASSWORD from Secrets Manager as separate variables
    so that the URLs themselves can live in the plain task environment without a secret in them.
    """
    if not url or not password:
        return url
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    user = quote(parts.username or "", safe="")
    netloc = f"{user}:{quote(password, safe='')}@{host}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
