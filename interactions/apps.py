from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InteractionsConfig(AppConfig):
    name = "interactions"
    verbose_name = _("Interactions")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from interactions import csat, events

        # In the closing transaction: the survey's timer commits with the close.
        events.subscribe(events.InteractionClosed, csat.on_closed, durable=True)
