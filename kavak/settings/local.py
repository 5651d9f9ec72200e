"""Development on a laptop (`make run`): SQLite, local-memory cache, eager Celery, readable logs.

Only defaults change here; any variable set in the environment still wins, and base.py validates it.
"""

import os

os.environ.setdefault("DJANGO_DEBUG", "true")
os.environ.setdefault("DJANGO_SECRET_KEY", "django-insecure-local-development-only")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
os.environ.setdefault("DJANGO_LOG_FORMAT", "text")
os.environ.setdefault("SALES_NOTIFICATION_EMAILS", "ventas@kavak.example")

from .base import *
