from django.urls import path

from channels.meta.apis import MetaWebhookApi
from channels.twilio import apis

urlpatterns = [
    path("whatsapp/webhook", apis.WhatsAppInboundWebhookApi.as_view(), name="whatsapp-webhook"),
    path("whatsapp/status", apis.WhatsAppStatusCallbackApi.as_view(), name="whatsapp-status"),
    path("whatsapp/meta/webhook", MetaWebhookApi.as_view(), name="whatsapp-meta-webhook"),
]
