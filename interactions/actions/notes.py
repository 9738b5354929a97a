"""Private notes on a conversation: stored, their `@username` mentions resolved, announced.

A note is not a message: it has its own table, it is never handed to a
channel adapter, and its event (`NoteAdded`) is mapped to no outbound
webhook. Who may add one is the caller's check (`interactions.selectors.can_view`).
"""

from __future__ import annotations

import re

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q

from agents.models import AgentProfile
from interactions import events
from interactions.actions import ActionError
from interactions.models import Interaction, Note

MAX_LENGTH = 4000

# `@` then a Django username (letters, digits, @ . + - _), not inside a word or an e-mail address.
MENTION = re.compile(r"(?<![\w@.+-])@([\w.@+-]+)")


def mentioned_usernames(body: str) -> list[str]:
    """The usernames `body` mentions, in order, each once (a sentence's final dot is not part of one)."""
    names = (match.group(1).rstrip(".") for match in MENTION.finditer(body))
    return list(dict.fromkeys(name for name in names if name))


def mentioned_agents(body: str, *, author=None) -> list[AgentProfile]:
    """The active agents `body` mentions (the author excluded); unknown names are plain text."""
    names = mentioned_usernames(body)
    if not names:
        return []
    query = Q()
    for name in names:
        query |= Q(user__username__iexact=name)
    agents = AgentProfile.objects.filter(query, user__is_active=True).select_related("user")
    if author is not None:
        agents = agents.exclude(user_id=author.pk)
    return list(agents.order_by("pk"))


def add_note(interaction_id: int, *, author, body: str) -> Note:
    """Store a note on the interaction and tell the desks (its holder, the mentioned agents)."""
    body = (body or "").strip()
    if not body:
        raise ActionError("Write the note first.")
    if len(body) > MAX_LENGTH:
        raise ActionError(f"A note is at most {MAX_LENGTH} characters.")
    User = get_user_model()
    with transaction.atomic():
        interaction = Interaction.objects.select_related("service", "contact").get(
            pk=interaction_id
        )
        note = Note.objects.create(interaction=interaction, author=author, body=body)
        agents = mentioned_agents(body, author=author)
        note.mentions.set(agents)
        author_agent_id = (
            AgentProfile.objects.filter(user=author).values_list("pk", flat=True).first()
            if isinstance(author, User)
            else None
        )
        events.emit(
            events.NoteAdded(
                interaction=interaction,
                note=note,
                author_agent_id=author_agent_id,
                mentioned_agent_ids=tuple(agent.pk for agent in agents),
            )
        )
    return note
