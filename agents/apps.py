from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgentsConfig(AppConfig):
    name = "agents"
    verbose_name = _("Agents")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from agents import actions, audit_log, presence, pushes, roles
        from interactions import events
        from occ.lib import permissions

        presence.connect()
        pushes.connect()
        audit_log.connect()
        events.subscribe(events.AgentPresenceChanged, actions.record_presence_span, durable=True)
        permissions.register_role_checks(
            administrator=roles.is_administrator, supervisor=roles.is_supervisor
        )
