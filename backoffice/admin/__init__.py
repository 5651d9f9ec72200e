"""The back office's admin screens that span apps (registered when admin autodiscovers this app)."""

from backoffice.admin import conversations, leads  # noqa: F401
