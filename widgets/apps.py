from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WidgetsConfig(AppConfig):
    name = "widgets"
    verbose_name = _("Widgets")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from interactions.signals import interaction_opened
        from widgets.receivers import attribute_new_interaction

        interaction_opened.connect(attribute_new_interaction, dispatch_uid="widgets.attribute_new_interaction")
