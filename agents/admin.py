from django.contrib import admin

from agents.models import AgentProfile

admin.site.register(
    AgentProfile,
    list_display=["user", "chat_enabled", "whatsapp_enabled", "max_interactions", "presence"],
)
