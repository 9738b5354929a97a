from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WhatsappConfig(AppConfig):
    name = "whatsapp"
    verbose_name = _("WhatsApp")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from occ.lib import channels
        from whatsapp.adapter import WhatsAppAdapter

        channels.register(WhatsAppAdapter())
