"""Settings of the benchmark servers: the test settings, served through ``scripts.bench_urls``.

The benchmark scripts start gunicorn (and ``manage.py``) with
``DJANGO_SETTINGS_MODULE=scripts.bench_settings`` and the repository root on ``PYTHONPATH``
(``tests.support.whatsapp_harness.bench_floor_variables``).
"""

from kavak.settings.test import *  # noqa: F403

ROOT_URLCONF = "scripts.bench_urls"
