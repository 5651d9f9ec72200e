"""Redis: its URL, socket timeouts and key prefix, and the cache built on it (local memory
without it).

Part of ``kavak.settings.base``, which imports every module in order.
"""

from __future__ import annotations

from kavak.env import env, url_with_password

# --- Redis and cache ----------------------------------------------------------------------------
REDIS_URL = url_with_password(
    env.str("REDIS_URL", default=""), env.str("REDIS_PASSWORD", default="")
)
# redis-py's defaults took 3.8 s to fail on a refused connection and block forever on a hung one.
REDIS_SOCKET_TIMEOUT = env.float("REDIS_SOCKET_TIMEOUT", default=0.25)
REDIS_KEY_PREFIX = env.str("REDIS_KEY_PREFIX", default="kavak")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": REDIS_KEY_PREFIX,
            "OPTIONS": {
                "CLIENT_CLASS": "django_redis.client.DefaultClient",
                "SOCKET_CONNECT_TIMEOUT": REDIS_SOCKET_TIMEOUT,
                "SOCKET_TIMEOUT": REDIS_SOCKET_TIMEOUT,
                "CONNECTION_POOL_KWARGS": {"retry_on_timeout": False, "health_check_interval": 30},
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
