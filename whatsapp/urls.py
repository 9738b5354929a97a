from django.urls import path, re_path

from whatsapp import health_views, template_views, views

app_name = "whatsapp"

urlpatterns = [
    # With or without the trailing slash: the Twilio console accepts either.
    re_path(r"^twilio/inbound/?$", views.inbound, name="inbound"),
    re_path(r"^twilio/status/?$", views.status, name="status"),
    path("templates/", template_views.template_list, name="templates"),
    path("templates/sync/", template_views.sync_now, name="templates_sync"),
    path("health/<int:service_id>/", health_views.service_health, name="health"),
]
