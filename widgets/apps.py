from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WidgetsConfig(AppConfig):
    name = "widgets"
    verbose_name = _("Widgets")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from interactions import events
        from widgets.receivers import attribute_new_interaction

        # Durable: the attribution commits (or rolls back) with the message.
        events.subscribe(events.InteractionOpened, attribute_new_interaction, durable=True)
