"""Email backends of our own (Django's ``EMAIL_BACKEND`` is the port; settings pick the adapter)."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend


class DisabledEmailBackend(BaseEmailBackend):
    """The backend when the sales email is turned off (``LEAD_EMAIL_NOTIFICATIONS=false``) and
    no ``EMAIL_URL`` is set: nothing may pretend an email went out, so any attempt is an error."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        raise RuntimeError(
            "Email is turned off (LEAD_EMAIL_NOTIFICATIONS=false and no EMAIL_URL): nothing sent."
        )
