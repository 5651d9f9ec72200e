"""Settings of the benchmark servers: the test settings, served through ``bench_urls``.

The benchmark scripts start gunicorn (and ``manage.py``) with
``DJANGO_SETTINGS_MODULE=bench_settings`` and scripts/ on ``PYTHONPATH``
(``whatsapp_harness.bench_floor_variables``).
"""

from kavak.settings.test import *  # noqa: F403

ROOT_URLCONF = "bench_urls"
