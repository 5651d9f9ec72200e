"""Django itself: debug, secret key, hosts, the public URL, apps, middleware, URLs and templates.

Part of ``kavak.settings.base``, which imports every module in order.
"""

from __future__ import annotations

from kavak.env import BASE_DIR, env

# --- Core ---------------------------------------------------------------------------------------
DEBUG = env.bool("DJANGO_DEBUG", default=False)
# Only local.py/test.py provide a fallback; production.py requires the variable.
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
# Public https origin the outside world uses (Twilio signs this URL, not the one the app sees).
PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", default="").rstrip("/")

INSTALLED_APPS = [
    # django.contrib.admin, with the back office's site (kavak/admin_site.py: TOTP if required).
    "kavak.apps.KavakAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_api_key",
    "drf_spectacular",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "drf_spectacular_sidecar",  # Swagger UI and ReDoc served from our static files (no CDN)
    "kavak.apps.KavakConfig",
    "catalog.apps.CatalogConfig",
    "conversations.apps.ConversationsConfig",
    "leads.apps.LeadsConfig",
    "knowledge.apps.KnowledgeConfig",
    "channels.apps.ChannelsConfig",
    "backoffice.apps.BackofficeConfig",
]

MIDDLEWARE = [
    # First: answers /healthz and /readyz without Host validation (the ALB probes by IP).
    "kavak.middleware.HealthCheckMiddleware",
    "kavak.middleware.RequestContextMiddleware",
    "kavak.metrics.MetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy on every page (CONTENT_SECURITY_POLICY below); templates read
    # request.csp_nonce for their own inline <script>/<style>.
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): did this session pass a TOTP code (admin second factor)?
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "kavak.middleware.JsonErrorMiddleware",
]

ROOT_URLCONF = "kavak.urls"
WSGI_APPLICATION = "kavak.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "kavak" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]
