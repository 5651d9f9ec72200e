"""Django REST framework and the OpenAPI schema (drf-spectacular).

Part of ``kavak.settings.base``, which imports every module in order.
"""

from __future__ import annotations

# --- DRF ----------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": [],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # DRF's JSONParser behind a nesting limit (a body 1,000 levels deep was a RecursionError).
    "DEFAULT_PARSER_CLASSES": ["kavak.parsers.DepthLimitedJSONParser"],
    "EXCEPTION_HANDLER": "kavak.api.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Kavak sales agent API",
    "DESCRIPTION": "Conversational sales agent for used cars (Kavak México).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}
