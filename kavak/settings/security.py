"""Security defaults (production.py turns on the https-only parts) and the Content-Security-Policy.

Part of ``kavak.settings.base``, which imports every module in order.
"""

from __future__ import annotations

from csp import constants as _csp

# --- Security defaults (production.py turns on the https-only parts) -----------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# Content-Security-Policy (django-csp): only our own origin, and inline <script>/<style> only with
# the per-response nonce our templates carry (the web chat, the back office's own pages): no
# 'unsafe-inline' for scripts. Inline style *attributes* are allowed (style-src-attr): Django's
# admin and our admin columns use them, and an attribute cannot run code. The one inline <style>
# of Django's own admin change list is allowed by its hash (a test compares it with the installed
# Django's template). The API docs (Swagger UI, ReDoc) are third-party pages built on inline
# scripts and a blob: worker, with no customer data: excluded.
_DJANGO_CHANGE_LIST_STYLE = "'sha256-blvLUW3UscWqsXGByNOqdBboM+ShWAuugp2mC/wbafU='"
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/api/docs/", "/api/redoc/"],
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", _csp.NONCE],
        "style-src": ["'self'", _csp.NONCE, _DJANGO_CHANGE_LIST_STYLE],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
