"""The desk's WebSocket: live pushes out, the agent's commands in (docs/websocket-protocol.md).

The consumer only translates: it checks who may do what, calls one action
or selector through `database_sync_to_async` (never the ORM or Twilio on the
event loop) and answers. A push is a notification; `sync` rebuilds the
desk's whole state from the database, which is what a reconnecting tab does.
"""

from __future__ import annotations

import logging
import time

from asgiref.sync import async_to_sync, sync_to_async
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

from agents import roles
from agents.tabs import user_group
from desk import selectors as desk
from interactions.notify import SUPERVISORS_GROUP, agent_group
from occ.lib.text import first_unsafe
from occ.lib.threads import with_connections_closed

logger = logging.getLogger(__name__)


class CommandError(Exception):
    """A command that cannot be carried out; the message goes back to the tab."""


def _optional_id(value, what: str) -> int | None:
    """An id sent by the tab, or None when it sent none."""
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise CommandError(f"Not a {what} id: {value!r}.") from exc


@database_sync_to_async
def _two_factor_allowed(user, session) -> bool:
    from accounts.two_factor import session_allowed

    return session_allowed(user, session)


def _interaction_for(user, interaction_id, *, act: bool):
    from interactions.models import Interaction

    try:
        return desk.interaction_for(user, interaction_id, act=act)
    except Interaction.DoesNotExist as exc:
        raise CommandError("No such interaction.") from exc
    except desk.NotYours as exc:
        raise CommandError("This interaction is not yours.") from exc


class DeskConsumer(AsyncJsonWebsocketConsumer):
    """One desk (or supervisor) tab."""

    # The conversation this (supervisor's) tab watches, and when it last marked it watched.
    watching_id: int | None = None
    watch_marked: float = 0.0

    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        # A session that skipped a two-factor code it owes gets no desk (accounts.two_factor).
        if not await _two_factor_allowed(user, self.scope.get("session")):
            await self.close(code=4403)
            return
        self.user = user
        # The role is read once per socket (agents.roles); a change applies from the next connection.
        self.is_supervisor = await database_sync_to_async(roles.is_supervisor)(user)
        self.profile = await database_sync_to_async(desk.profile_for)(user)
        self.profile_id = self.profile.pk if self.profile else None
        # Its own group closes the tab when the user is deactivated (agents.tabs.close_desks).
        self.groups_joined = [user_group(user.pk)]
        if self.profile_id:
            self.groups_joined.append(agent_group(self.profile_id))
        if self.is_supervisor:
            self.groups_joined.append(SUPERVISORS_GROUP)
        if len(self.groups_joined) == 1:
            await self.close(code=4403)
            return
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()
        if self.profile_id:
            from desk import presence

            await database_sync_to_async(presence.connection_opened)(
                self.profile_id, self.channel_name
            )
        await self.send_json(
            {"type": "hello", "agent_id": self.profile_id, "supervisor": self.is_supervisor}
        )

    async def disconnect(self, code):
        await self._unwatch()
        for group in getattr(self, "groups_joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)
        if getattr(self, "profile_id", None):
            from desk import presence

            # Offline after the grace period is a timer on the task engine.
            await database_sync_to_async(presence.tab_closed)(self.profile_id, self.channel_name)

    # --- server → client ----------------------------------------------------------

    async def dispatch(self, message):
        # Channels hops to its one shared sync thread to close stale database
        # connections before every handler. A push touches no database, and
        # arrives once per event per open tab: hand it over directly. Every
        # other handler reaches the database through database_sync_to_async,
        # which closes stale connections itself, and keeps the default.
        if message["type"] == "desk.push":
            await self.desk_push(message)
        else:
            await super().dispatch(message)

    async def desk_revoke(self, message):
        """The user was deactivated or lost their agent profile."""
        await self.close(code=4403)

    async def desk_push(self, message):
        event = message["event"]
        if desk.push_needs_database(event):
            await self.send_json(await database_sync_to_async(desk.push_view)(event))
        else:
            await self.send_json(desk.push_view(event))

    # --- client → server ----------------------------------------------------------

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        # A frame that is not JSON text is the tab's mistake: an error, and the socket stays open.
        if text_data is None:
            await self.send_json({"type": "error", "message": "Commands are JSON text frames."})
            return
        try:
            content = await self.decode_json(text_data)
        except ValueError:
            await self.send_json({"type": "error", "message": "Commands are JSON objects."})
            return
        await self.receive_json(content, **kwargs)

    async def receive_json(self, content, **kwargs):
        if not isinstance(content, dict):
            await self.send_json({"type": "error", "message": "Commands are JSON objects."})
            return
        kind = str(content.get("type", ""))
        request_id = content.get("request_id")
        handler = self.COMMANDS.get(kind)
        if handler is None:
            await self.send_json(
                {"type": "error", "request_id": request_id, "message": f"Unknown command {kind!r}."}
            )
            return
        unsafe = first_unsafe(content)
        if unsafe:
            # JSON can carry a lone surrogate ("\ud800"), which no database can store (occ.lib.text).
            field, message = unsafe
            await self.send_json(
                {
                    "type": "error",
                    "command": kind,
                    "request_id": request_id,
                    "field": field,
                    "message": message,
                }
            )
            return
        if not await database_sync_to_async(desk.still_allowed)(self.user.pk, self.profile_id):
            # Deactivated while this tab was open; the close from close_desks may not have arrived yet.
            await self.send_json(
                {
                    "type": "error",
                    "command": kind,
                    "request_id": request_id,
                    "message": "Your account is no longer active.",
                }
            )
            await self.close(code=4403)
            return
        try:
            answer = await handler(self, content)
        except CommandError as exc:
            answer = {"type": "error", "command": kind, "message": str(exc)}
        except Exception as exc:
            from interactions.actions import ActionError

            if not isinstance(exc, ActionError):
                logger.exception("desk command %s failed", kind)
                answer = {
                    "type": "error",
                    "command": kind,
                    "message": "Something went wrong; try again.",
                }
            else:
                answer = {"type": "error", "command": kind, "message": str(exc)}
        if answer is not None:
            answer.setdefault("request_id", request_id)
            await self.send_json(answer)

    async def cmd_ping(self, content):
        if self.profile_id:
            from desk import presence

            await database_sync_to_async(presence.connection_seen)(self.channel_name)
        watched = self.watching_id
        if watched:
            from interactions.actions import watching

            if time.monotonic() - self.watch_marked >= watching.RENEW_AFTER_SECONDS:
                self.watch_marked = time.monotonic()
                await database_sync_to_async(watching.mark_watched)(watched)
        return {"type": "pong"}

    async def cmd_sync(self, content):
        return await database_sync_to_async(desk.desk_snapshot)(self.profile)

    async def cmd_presence(self, content):
        from agents.models import Presence
        from desk import actions

        presence = content.get("presence")
        if not self.profile_id:
            raise CommandError("Only agents have a presence.")
        if presence not in Presence.values:
            raise CommandError("Presence is online, away or offline.")
        release = bool(content.get("release")) and presence != Presence.ONLINE
        await database_sync_to_async(actions.set_presence)(
            self.profile, presence, release=release, actor=self.user
        )
        return {"type": "presence.ok", "presence": presence, "released": release}

    async def cmd_open(self, content):
        def build():
            return desk.conversation(
                _interaction_for(self.user, content.get("interaction_id"), act=False)
            )

        return await database_sync_to_async(build)()

    async def cmd_reply(self, content):
        from desk import desk_files
        from interactions.actions import outbound
        from interactions.selectors import message_view

        def send():
            interaction = _interaction_for(self.user, content.get("interaction_id"), act=True)

            def stored(message):
                # Stored and acknowledged before the channel is called: the
                # outcome of the call reaches every tab as a push.
                view = message_view(message, interaction.channel)
                async_to_sync(self.send_json)(
                    {
                        "type": "reply.stored",
                        "request_id": content.get("request_id"),
                        "client_id": content.get("client_id"),
                        "message": view,
                    }
                )

            template_id = str(content.get("template_id") or "")
            variables = content.get("template_variables") or {}
            if template_id:
                if not isinstance(variables, dict):
                    raise CommandError("Template variables are a JSON object.")
                variables = {str(k): str(v)[:1000] for k, v in variables.items()}
            try:
                attachments = desk_files.attachments_for(content.get("attachments") or [])
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
            outbound.send_reply(
                interaction.pk,
                sender=self.user,
                body=str(content.get("body") or "")[:1600],
                attachments=attachments,
                template_id=template_id,
                template_variables=variables,
                on_stored=stored,
            )

        # A worker thread of its own, not the shared sync thread: the channel's call may take seconds.
        await sync_to_async(with_connections_closed(send), thread_sensitive=False)()
        return None

    async def cmd_close(self, content):
        from interactions.actions import lifecycle

        def run():
            interaction = _interaction_for(self.user, content.get("interaction_id"), act=True)
            lifecycle.close_interaction(
                interaction.pk,
                actor=self.user,
                close_reason_id=_optional_id(content.get("close_reason_id"), "close reason"),
                wrap_up_note=str(content.get("wrap_up_note") or ""),
            )

        await database_sync_to_async(self._in_language(run))()
        return {"type": "close.ok", "interaction_id": content.get("interaction_id")}

    async def cmd_transfer(self, content):
        from interactions.actions import lifecycle

        to_agent = content.get("to_agent_id")

        def run():
            interaction = _interaction_for(self.user, content.get("interaction_id"), act=True)
            target = None if to_agent == "queue" else _optional_id(to_agent, "agent")
            lifecycle.transfer_interaction(
                interaction.pk,
                to_agent_id=target,
                to_service_id=_optional_id(content.get("to_service_id"), "service"),
                note=str(content.get("note") or ""),
                actor=self.user,
            )

        await database_sync_to_async(self._in_language(run))()
        return {"type": "transfer.ok", "interaction_id": content.get("interaction_id")}

    async def cmd_transfer_targets(self, content):
        def build():
            return desk.transfer_targets(
                _interaction_for(self.user, content.get("interaction_id"), act=True)
            )

        return await database_sync_to_async(build)()

    async def cmd_read(self, content):
        """The agent has seen the conversation up to `message_id` (their read marker; see desk.actions.mark_read)."""
        from desk import actions

        try:
            message_id = int(content.get("message_id"))
        except (TypeError, ValueError) as exc:
            raise CommandError("message_id is a message's id.") from exc

        def run():
            interaction = _interaction_for(self.user, content.get("interaction_id"), act=False)
            return actions.mark_read(self.profile, interaction, message_id)

        unread = await database_sync_to_async(run)()
        return {
            "type": "read.ok",
            "interaction_id": content.get("interaction_id"),
            "unread": unread,
            "changed": unread is not None,
        }

    async def cmd_typing(self, content):
        """The agent started a reply (or opened the conversation, OCC_TYPING_INDICATOR): "typing…" to the customer.

        Inline, in a worker thread of its own: it is worth something only now
        (WhatsApp shows it for 25 s), so it is neither queued nor retried; the
        tab never waits for it and never hears of a failure (desk.actions.send_typing).
        """
        from desk import actions

        def run():
            interaction = _interaction_for(self.user, content.get("interaction_id"), act=True)
            return actions.send_typing(self.profile, interaction)

        sent = await sync_to_async(with_connections_closed(run), thread_sensitive=False)()
        return {
            "type": "typing.ok",
            "interaction_id": content.get("interaction_id"),
            "sent": bool(sent),
        }

    async def cmd_preferences(self, content):
        from desk import actions

        if not self.profile_id:
            raise CommandError("Only agents have desk preferences.")
        values = content.get("preferences")
        if not isinstance(values, dict):
            raise CommandError("preferences is a JSON object.")
        current = await database_sync_to_async(actions.set_preferences)(self.profile, values)
        return {"type": "preferences.ok", "preferences": current}

    async def cmd_label(self, content):
        """Put a label on a conversation (`on`: true) or take it off (false)."""
        from interactions.actions import labels

        def run():
            interaction = _interaction_for(self.user, content.get("interaction_id"), act=True)
            label_id = _optional_id(content.get("label_id"), "label")
            if label_id is None:
                raise CommandError(gettext("Choose a label."))
            change = {"add" if content.get("on", True) else "remove": [label_id]}
            labels.change_labels(interaction.pk, actor=self.user, **change)

        await database_sync_to_async(self._in_language(run))()
        return {"type": "label.ok", "interaction_id": content.get("interaction_id")}

    def _in_language(self, work):
        """`work` with the tab's language active, so refusals read in the desk's language."""
        language = self.scope.get("cookies", {}).get(settings.LANGUAGE_COOKIE_NAME)
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE

        def run():
            with translation.override(language):
                return work()

        return run

    async def cmd_note(self, content):
        """A private note on a conversation the user may see (static/js/desk/notes.js); never sent to the customer."""
        from interactions.actions import notes
        from interactions.payloads import note_dict

        def run():
            interaction = _interaction_for(self.user, content.get("interaction_id"), act=False)
            note = notes.add_note(
                interaction.pk, author=self.user, body=str(content.get("body") or "")
            )
            return note_dict(note)

        note = await database_sync_to_async(run)()
        return {"type": "note.stored", "client_id": content.get("client_id"), "note": note}

    async def cmd_colleagues(self, content):
        """The agents a note can mention (`@username`), for the composer's list."""
        from interactions.actions import notes

        agents = await database_sync_to_async(notes.mentionable)(self.user)
        return {"type": "colleagues", "agents": agents}

    async def cmd_canned(self, content):
        """The canned responses offered in a conversation, placeholders filled (static/js/desk/canned.js)."""
        from desk import canned

        def build():
            interaction = _interaction_for(self.user, content.get("interaction_id"), act=False)
            return canned.composer_list(self.user, interaction)

        return await database_sync_to_async(build)()

    async def cmd_supervisor(self, content):
        if not self.is_supervisor:
            raise CommandError("The supervisor view is for supervisors and administrators.")
        return await database_sync_to_async(desk.supervisor_snapshot)()

    async def cmd_watch(self, content):
        """A supervisor follows one conversation live; nothing the agent sees changes (no read marker)."""
        from interactions.actions import watching
        from interactions.notify import watch_group

        if not self.is_supervisor:
            raise CommandError("Only supervisors can watch conversations.")

        def visible():
            return _interaction_for(self.user, content.get("interaction_id"), act=False).pk

        def mark_and_build(interaction_id):
            # After joining the group: what is stored from the mark on is pushed to this
            # tab, what was stored before it is in the view (interactions.actions.watching).
            watching.mark_watched(interaction_id)
            interaction = _interaction_for(self.user, interaction_id, act=False)
            return desk.watch_view(interaction)

        interaction_id = await database_sync_to_async(visible)()
        await self._unwatch()
        await self.channel_layer.group_add(watch_group(interaction_id), self.channel_name)
        self.watching_id, self.watch_marked = interaction_id, time.monotonic()
        return await database_sync_to_async(mark_and_build)(interaction_id)

    async def cmd_unwatch(self, content):
        await self._unwatch()
        return {"type": "unwatch.ok"}

    async def _unwatch(self):
        from interactions.notify import watch_group

        watched = self.watching_id
        if watched:
            await self.channel_layer.group_discard(watch_group(watched), self.channel_name)
            self.watching_id = None

    async def cmd_take_over(self, content):
        """A supervisor takes the conversation for themselves: it needs their own agent profile."""
        from interactions.actions import lifecycle

        if not self.is_supervisor:
            raise CommandError("Only supervisors can take a conversation over.")
        if not self.profile_id:
            raise CommandError(
                "Taking a conversation over needs an agent profile of your own (Users); "
                "you can reassign it to an agent instead."
            )

        agent_id: int = self.profile_id

        def run():
            interaction = _interaction_for(self.user, content.get("interaction_id"), act=True)
            lifecycle.take_over(interaction.pk, agent_id=agent_id, actor=self.user)

        await database_sync_to_async(run)()
        return {"type": "take_over.ok", "interaction_id": content.get("interaction_id")}

    COMMANDS = {
        "ping": cmd_ping,
        "sync": cmd_sync,
        "presence": cmd_presence,
        "open": cmd_open,
        "reply": cmd_reply,
        "close": cmd_close,
        "transfer": cmd_transfer,
        "transfer_targets": cmd_transfer_targets,
        "label": cmd_label,
        "supervisor": cmd_supervisor,
        "note": cmd_note,
        "canned": cmd_canned,
        "watch": cmd_watch,
        "unwatch": cmd_unwatch,
        "take_over": cmd_take_over,
        "colleagues": cmd_colleagues,
        "read": cmd_read,
        "preferences": cmd_preferences,
        "typing": cmd_typing,
    }
