from django.urls import path

from channels.twilio import apis

urlpatterns = [
    path("whatsapp/webhook", apis.WhatsAppInboundWebhookApi.as_view(), name="whatsapp-webhook"),
    path("whatsapp/status", apis.WhatsAppStatusCallbackApi.as_view(), name="whatsapp-status"),
]
