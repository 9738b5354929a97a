from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EngineConfig(AppConfig):
    name = "engine"
    verbose_name = _("Background tasks")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        from engine import checks  # noqa: F401  (registers the system checks)

        # Each app's tasks.py registers its periodic jobs (engine.periodic.every).
        autodiscover_modules("tasks")
