from django.urls import path

from whatsapp import channel_settings_views as views

app_name = "advanced_settings"

urlpatterns = [
    path("advanced/chat-channel/", views.chat_channel, name="chat_channel"),
]
