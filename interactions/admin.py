from django.contrib import admin

from interactions.models import Contact, Interaction, Message

admin.site.register(Contact, list_display=["address", "name", "channel"])
admin.site.register(
    Interaction, list_display=["pk", "contact", "service", "state", "agent", "created_at"]
)
admin.site.register(
    Message, list_display=["pk", "interaction", "direction", "status", "provider_id", "created_at"]
)
