from django.urls import path

from conversations import apis, views

urlpatterns = [
    path("chat", apis.ChatTurnApi.as_view(), name="chat"),
    path("chat/<str:session_id>/messages", apis.ChatMessagesApi.as_view(), name="chat-messages"),
    path("api/financing/amortization", apis.AmortizationApi.as_view(), name="amortization"),
    path("web/chat", apis.WebChatApi.as_view(), name="web-chat"),
    path("web/chat/history", apis.WebChatHistoryApi.as_view(), name="web-chat-history"),
    path("web/chat/messages", apis.WebChatMessagesApi.as_view(), name="web-chat-messages"),
    path(
        "web/chat/amortizacion.csv",
        apis.WebAmortizationCsvApi.as_view(),
        name="web-chat-amortization",
    ),
    path("", views.chat_page, name="chat-page"),
]
