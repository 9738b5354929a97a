from django.urls import re_path

from whatsapp import views

app_name = "whatsapp"

urlpatterns = [
    # With or without the trailing slash: the Twilio console accepts either.
    re_path(r"^twilio/inbound/?$", views.inbound, name="inbound"),
    re_path(r"^twilio/status/?$", views.status, name="status"),
]
