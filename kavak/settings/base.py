"""Every setting of the product, one module per concern; local/test/production only override a few.

Prefixes: ``DJANGO_*`` for Django itself, plain names for product flags (``LLM_ENABLED``…),
and vendors' own names for vendor settings (``DATABASE_URL``, ``REDIS_URL``, ``TWILIO_*``…).
Every variable is listed with a comment in ``.env.example``.

The modules are imported in this order, which is the order of the start-up checks: a module reads
what an earlier one set (``DEBUG``, ``REDIS_URL``, the Celery time limits) by importing it, and
the three settings a later concern extends (``INSTALLED_APPS``, ``MIDDLEWARE``,
``CELERY_BEAT_SCHEDULE``) are rebound by that module, so the last import holds the full value.
"""

# Not sorted: the order is that of the start-up checks and of the rebinding (see above).
# isort: off
from kavak.settings.core import *
from kavak.settings.database import *
from kavak.settings.cache import *
from kavak.settings.integrations import *
from kavak.settings.business import *
from kavak.settings.sales_email import *
from kavak.settings.celery_config import *
from kavak.settings.web import *
from kavak.settings.security import *
from kavak.settings.api import *
from kavak.settings.logs import *
from kavak.settings.whatsapp import *
from kavak.settings.backoffice import *
from kavak.settings.operations import *
from kavak.settings.llm import *
from kavak.settings.voice import *
