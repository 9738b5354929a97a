from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts and sign-in")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib import admin

        from accounts.views import admin_login

        # The admin's log-in would sign in with the password alone: it sends
        # to OCC's log-in page, which asks for the two-factor code.
        admin.site.login = admin_login  # type: ignore[method-assign]
