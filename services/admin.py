from django.contrib import admin

from services.models import Service

admin.site.register(
    Service, list_display=["name", "is_active", "chat_enabled", "whatsapp_enabled", "twilio_number"]
)
