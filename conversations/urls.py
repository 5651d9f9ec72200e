from django.urls import path

from conversations import views
from conversations.apis import chat, financing, web

urlpatterns = [
    path("chat", chat.ChatTurnApi.as_view(), name="chat"),
    path("chat/<str:session_id>/messages", chat.ChatMessagesApi.as_view(), name="chat-messages"),
    path("api/financing/amortization", financing.AmortizationApi.as_view(), name="amortization"),
    path("web/chat", web.WebChatApi.as_view(), name="web-chat"),
    path("web/chat/history", web.WebChatHistoryApi.as_view(), name="web-chat-history"),
    path("web/chat/messages", web.WebChatMessagesApi.as_view(), name="web-chat-messages"),
    path(
        "web/chat/amortizacion.csv",
        financing.WebAmortizationCsvApi.as_view(),
        name="web-chat-amortization",
    ),
    path("", views.chat_page, name="chat-page"),
]
