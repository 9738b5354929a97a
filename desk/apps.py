from django.apps import AppConfig


class DeskConfig(AppConfig):
    """The agent desk and the supervisor view: pages, socket, pushes, canned responses, presence from tabs.

    The top of the conversation stack: it calls the core (`interactions`)
    and the agents' profiles, and nothing below imports it. Its data lives
    in `agents`' tables (models stay where their migrations are).
    """

    name = "desk"
    label = "desk"

    def ready(self):
        from desk import actions, audit_log, presence, pushes
        from interactions import events

        presence.connect()
        pushes.connect()
        audit_log.connect()
        events.subscribe(events.AgentPresenceChanged, actions.record_presence_span, durable=True)
