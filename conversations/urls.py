from django.urls import path

from conversations import apis, views

urlpatterns = [
    path("chat", apis.ChatTurnApi.as_view(), name="chat"),
    path("api/financing/amortization", apis.AmortizationApi.as_view(), name="amortization"),
    path("web/chat", apis.WebChatApi.as_view(), name="web-chat"),
    path("", views.chat_page, name="chat-page"),
]
