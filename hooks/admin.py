from django.contrib import admin

from hooks.models import Delivery, Endpoint, Event

admin.site.register(Endpoint, list_display=["url", "is_active", "created_at"])
admin.site.register(Event, list_display=["id", "type", "created_at"])
admin.site.register(
    Delivery, list_display=["event", "endpoint", "state", "attempts", "next_attempt_at"]
)
