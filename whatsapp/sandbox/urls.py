from django.urls import path, re_path

from whatsapp.sandbox import views

app_name = "sandbox"

urlpatterns = [
    re_path(r"^twilio/(?P<path>.+)$", views.twilio_api, name="twilio_api"),
    path("phone/", views.phone_page, name="phone"),
    path("phone/send/", views.phone_send, name="phone_send"),
    path("phone/messages/", views.phone_messages, name="phone_messages"),
]
