from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HooksConfig(AppConfig):
    name = "hooks"
    verbose_name = _("Outbound webhooks")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from hooks import outbox

        outbox.connect()
