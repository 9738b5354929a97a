from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgentsConfig(AppConfig):
    name = "agents"
    verbose_name = _("Agents")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from agents import roles, tabs  # noqa: F401  (tabs: its receivers close a removed user's tabs)
        from occ.lib import permissions

        permissions.register_role_checks(
            administrator=roles.is_administrator, supervisor=roles.is_supervisor
        )
