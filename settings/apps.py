from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AdvancedSettingsConfig(AppConfig):
    # The package is called `settings` after the product's menu; the label
    # keeps it apart from Django's settings module in every reference.
    name = "settings"
    label = "advanced_settings"
    verbose_name = _("Advanced settings")
    default_auto_field = "django.db.models.BigAutoField"
