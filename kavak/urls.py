from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, JsonResponse
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from kavak import health
from kavak.metrics import metrics_view

admin.site.site_header = "Kavak · Agente de ventas"
admin.site.site_title = "Kavak · Panel de ventas"
admin.site.index_title = "Panel de ventas"


def _healthz(request: HttpRequest) -> JsonResponse:
    return health.healthz()


def _readyz(request: HttpRequest) -> JsonResponse:
    return health.readyz(request)


urlpatterns = [
    path("healthz", _healthz, name="healthz"),
    path("readyz", _readyz, name="readyz"),
    path("metrics", metrics_view, name="metrics"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
    # The funnel dashboard moved from the leads app to the back office: old bookmarks follow.
    path(
        f"{settings.ADMIN_URL}leads/funneldashboard/",
        RedirectView.as_view(pattern_name="admin:backoffice_funneldashboard_changelist"),
    ),
    path(settings.ADMIN_URL, admin.site.urls),
    path("channels/", include("channels.urls")),
    path("", include("conversations.urls")),
]

handler400 = "kavak.views.bad_request"
handler404 = "kavak.views.not_found"
handler500 = "kavak.views.server_error"
