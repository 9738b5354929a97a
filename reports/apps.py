from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = pgettext_lazy("reports", "Reports")
    default_auto_field = "django.db.models.BigAutoField"
