from django.contrib import admin

from settings.models import ChatChannelSettings


@admin.register(ChatChannelSettings)
class ChatChannelSettingsAdmin(admin.ModelAdmin):
    # The token is never shown: only whether one is stored.
    list_display = ["account_sid", "whatsapp_enabled", "verification_ok", "verified_at"]
    exclude = ["auth_token_encrypted"]
