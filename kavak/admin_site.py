"""The back office's admin site: Django's, plus a TOTP second factor when ADMIN_OTP_REQUIRED.

With the setting on (production), the login form asks for the code of the staff member's
authenticator app (django-otp's admin form), and a session that has not passed a code is treated
as having no admin access at all: every admin page, the custom ones included (they go through
``admin_view``), redirects to the login. The setting is read per request, so a test can turn it on.
Staff enrol with ``manage.py admin_otp_enroll <username>``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.contrib.admin import AdminSite
from django.http import HttpRequest
from django_otp.admin import OTPAdminAuthenticationForm

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class KavakAdminSite(AdminSite):
    @property
    def login_form(self) -> Any:  # type: ignore[override]
        return OTPAdminAuthenticationForm if settings.ADMIN_OTP_REQUIRED else None

    @property
    def login_template(self) -> str | None:  # type: ignore[override]
        return "otp/admin111/login.html" if settings.ADMIN_OTP_REQUIRED else None

    def has_permission(self, request: HttpRequest) -> bool:
        if not super().has_permission(request):
            return False
        if not settings.ADMIN_OTP_REQUIRED:
            return True
        return bool(request.user.is_verified())  # type: ignore[union-attr]


def admin_user(request: HttpRequest) -> User:
    """The staff member behind an admin request: the admin site serves signed-in staff only.

    (``request.user`` is typed ``User | AnonymousUser``; in an admin view it is always a User.)
    """
    return cast("User", request.user)
