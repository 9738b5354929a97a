from django.urls import path

from settings import views

app_name = "advanced_settings"

urlpatterns = [
    path("advanced/chat-channel/", views.chat_channel, name="chat_channel"),
]
