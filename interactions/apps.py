from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _sqlite_functions(sender, connection, **kwargs):
    """SQLite gets occ_unaccent, the function PostgreSQL's search migration creates (interactions.search)."""
    if connection.vendor == "sqlite":
        from interactions.search import fold

        connection.connection.create_function(
            "occ_unaccent",
            1,
            lambda text: fold(text) if text is not None else None,
            deterministic=True,
        )


class InteractionsConfig(AppConfig):
    name = "interactions"
    verbose_name = _("Interactions")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        connection_created.connect(_sqlite_functions, dispatch_uid="interactions:sqlite-functions")

        from interactions import csat, events

        # In the closing transaction: the survey's timer commits with the close.
        events.subscribe(events.InteractionClosed, csat.on_closed, durable=True)
