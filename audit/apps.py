from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("Audit log")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib import admin

        from audit import receivers
        from audit.forms import ThrottledAdminAuthenticationForm

        receivers.connect()
        # The admin's log-in page is throttled like the console's.
        admin.site.login_form = ThrottledAdminAuthenticationForm
