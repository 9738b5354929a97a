"""The channel-agnostic core: contacts, interactions, messages, assignments."""

from __future__ import annotations

import uuid
from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from occ.lib import channels

# What a channel tells about a customer besides their address and name (fields
# of the same name on the inbound message and the contact); each follows what
# the customer sets (a new non-empty value replaces the stored one). The name
# the channel sends is kept as `profile_name` the same way; `name` is the
# agents' (the profile name only at first).
PROFILE_FIELDS = (
    "external_id",
    "phone",
    "username",
    "external_user_id",
    "parent_external_user_id",
)


class Contact(models.Model):
    """A customer, keyed by their address on a channel, exactly as the channel sends it.

    WhatsApp: the address after `whatsapp:`, an E.164 number (`+39…`) or,
    for customers with a WhatsApp username whose number is withheld, a
    business-scoped user id (`US.ABC123…`). Replies go back to that address;
    the phone number is then optional (empty when the channel withholds it).
    """

    channel = models.CharField(
        max_length=20, choices=channels.choices, default=channels.default_name
    )
    address = models.CharField(_("address"), max_length=140)
    # The name agents know the customer by: the WhatsApp profile name at first, then theirs to edit.
    name = models.CharField(_("name"), max_length=200, blank=True)
    # The name the customer set on WhatsApp, as the channel last sent it (never edited by agents).
    profile_name = models.CharField(_("WhatsApp profile name"), max_length=200, blank=True)
    external_id = models.CharField(_("channel id"), max_length=64, blank=True)  # WaId
    # E.164, when the channel gives it (WhatsApp: From, when it is a number); empty otherwise.
    phone = models.CharField(_("phone number"), max_length=16, blank=True)
    # WhatsApp username (ProfileUsername) and business-scoped ids (ExternalUserId, ParentExternalUserId).
    username = models.CharField(_("username"), max_length=100, blank=True)
    external_user_id = models.CharField(_("user id"), max_length=140, blank=True)
    parent_external_user_id = models.CharField(_("parent user id"), max_length=140, blank=True)
    # The language automatic messages are written in ("en", "it"); empty: the service's default.
    language = models.CharField(_("language"), max_length=16, blank=True)
    # A free-text note agents keep about the customer.
    note = models.TextField(_("note"), blank=True)
    # Values of the custom attributes administrators define ({ContactAttribute.key: value}).
    attributes = models.JSONField(_("custom attributes"), default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        constraints = [
            models.UniqueConstraint(fields=["channel", "address"], name="contact_unique_address")
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """What agents call the customer: their name, else WhatsApp's profile name, else the number."""
        return self.name or self.profile_name or self.address


class ContactAttribute(models.Model):
    """A custom attribute of contacts that administrators define (shown in the customer panel)."""

    class Kind(models.TextChoices):
        TEXT = "text", _("Text")
        NUMBER = "number", _("Number")
        DATE = "date", _("Date")
        CHOICE = "choice", _("Choice")

    key = models.SlugField(
        _("key"), max_length=50, unique=True, help_text=_("Letters, digits, - and _; never shown.")
    )
    label = models.CharField(_("label"), max_length=80)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.TEXT)
    # For a choice: the options, one per line.
    choices = models.TextField(_("choices"), blank=True, help_text=_("For a choice: one per line."))
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("contact attribute")
        verbose_name_plural = _("contact attributes")
        ordering = ["position", "label"]

    def __str__(self) -> str:
        return self.label

    @property
    def options(self) -> list[str]:
        return [line.strip() for line in self.choices.splitlines() if line.strip()]


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4


def luminance(colour: str) -> float:
    """The relative luminance of "#rrggbb" (WCAG 2)."""
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast(a: str, b: str) -> float:
    """The WCAG contrast ratio of two "#rrggbb" colours (1 to 21)."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def text_colour_on(background: str) -> str:
    """Black or white, whichever reads better on `background` (always at least 4.5:1)."""
    return (
        "#000000"
        if contrast(background, "#000000") >= contrast(background, "#ffffff")
        else "#ffffff"
    )


class Label(models.Model):
    """A tag agents put on conversations (filters in the desk, search, the API and reports)."""

    name = models.CharField(_("name"), max_length=60, unique=True)
    colour = models.CharField(_("colour"), max_length=7, default="#5b6b7f")  # #rrggbb
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("label")
        verbose_name_plural = _("labels")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def text_colour(self) -> str:
        return text_colour_on(self.colour)


class CloseReason(models.Model):
    """A disposition an agent picks when closing a conversation."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("close reason")
        verbose_name_plural = _("close reasons")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class InteractionState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    ASSIGNED = "assigned", _("Assigned")
    CLOSED = "closed", _("Closed")


OPEN_STATES = (InteractionState.QUEUED, InteractionState.ASSIGNED)


def watched(until: datetime | None, now: datetime | None = None) -> bool:
    """Whether a watch mark (`Interaction.watched_until`) still holds at `now`."""
    return until is not None and until > (now or timezone.now())


class Interaction(models.Model):
    """One conversation of a contact with a service, from first message to close."""

    # No index of their own for service, contact and agent: the composite indexes below start
    # with each (queue order, contact's history, agent's state), and every index is one more
    # write when a message arrives or a conversation changes hands.
    service = models.ForeignKey(
        "services.Service", on_delete=models.PROTECT, related_name="interactions", db_index=False
    )
    contact = models.ForeignKey(
        Contact, on_delete=models.PROTECT, related_name="interactions", db_index=False
    )
    channel = models.CharField(
        max_length=20, choices=channels.choices, default=channels.default_name
    )
    state = models.CharField(
        max_length=10, choices=InteractionState.choices, default=InteractionState.QUEUED
    )
    agent = models.ForeignKey(
        "agents.AgentProfile",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="interactions",
        db_index=False,
    )
    created_at = models.DateTimeField(default=timezone.now)
    # When it entered the queue (the wait shown); the queue's order is queue_order.
    queued_at = models.DateTimeField(default=timezone.now)
    # Place in the service's queue, lowest first: given under the service's row
    # lock (interactions.actions.assignment.take_queue_place), so it is the
    # order routing saw the arrivals in, across processes.
    queue_order = models.BigIntegerField(default=0)
    assigned_at = models.DateTimeField(null=True, blank=True)
    # The first assignment to an agent (assigned_at moves with every transfer): reports' queue wait.
    first_assigned_at = models.DateTimeField(null=True, blank=True)
    first_reply_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Why the current agent got it (the routing decision, in words).
    assignment_reason = models.CharField(max_length=300, blank=True)
    # The customer's last message: opens the 24-hour customer-service window.
    last_inbound_at = models.DateTimeField(null=True, blank=True)
    # Bumped on every change, so a desk can tell stale pushes from fresh ones.
    version = models.PositiveIntegerField(default=0)
    labels = models.ManyToManyField(Label, blank=True, related_name="interactions")
    close_reason = models.ForeignKey(
        CloseReason, null=True, blank=True, on_delete=models.PROTECT, related_name="interactions"
    )
    wrap_up_note = models.TextField(_("wrap-up note"), blank=True)
    # The service the customer wrote to, once the conversation was transferred to another
    # service's queue (null: `service` itself). Its channel address stays the conversation's:
    # replies leave from its number (WhatsApp's 24-hour window belongs to that number) and the
    # customer's next messages to it continue this conversation.
    origin_service = models.ForeignKey(
        "services.Service", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Until when a supervisor's tab may be watching it (the desk's `watch` command, renewed
    # while it watches): its message pushes go to the watchers' group only then. On this row,
    # so a message stored after a watch began reads it back with the row it updates.
    watched_until = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("interaction")
        verbose_name_plural = _("interactions")
        constraints = [
            models.UniqueConstraint(
                fields=["contact", "service"],
                condition=models.Q(state__in=["queued", "assigned"]),
                name="interaction_one_open_per_contact_and_service",
            ),
            models.CheckConstraint(
                condition=~models.Q(state="assigned") | models.Q(agent__isnull=False),
                name="interaction_assigned_has_agent",
            ),
        ]
        indexes = [
            models.Index(fields=["agent", "state"], name="interaction_agent_state"),
            # Reports: conversations opened / closed in a date range (reports/selectors.py).
            # Covering (PostgreSQL): the reports read only the index.
            models.Index(
                fields=["created_at"],
                include=[
                    "id",
                    "queued_at",
                    "first_assigned_at",
                    "first_reply_at",
                    "service",
                    "agent",
                    "close_reason",
                ],
                name="interaction_created_at",
            ),
            models.Index(
                fields=["closed_at"],
                include=["id", "created_at", "assigned_at", "service", "agent", "close_reason"],
                name="interaction_closed_at",
            ),
            # The desk's Closed view: an agent's closed conversations, newest first.
            models.Index(fields=["agent", "-closed_at"], name="interaction_agent_closed"),
            # A contact's history, newest first.
            models.Index(fields=["contact", "-created_at"], name="interaction_contact_time"),
            models.Index(
                fields=["service", "state", "queue_order"], name="interaction_queue_order"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.contact} → {self.service}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    def is_watched(self, now: datetime | None = None) -> bool:
        """Whether a supervisor's tab may be watching it now (`watched_until`)."""
        return watched(self.watched_until, now)

    @property
    def channel_service_id(self) -> int:
        """The service whose channel address (number) carries the conversation."""
        return self.origin_service_id or self.service_id


class Survey(models.Model):
    """The satisfaction survey sent after a close, and the customer's answer, on that interaction.

    The answer (a score 1–5, then optionally a comment) is stored as messages
    of the closed interaction and here; it never opens a new conversation
    (`interactions.csat.take_answer`).
    """

    class State(models.TextChoices):
        SENT = "sent", _("Waiting for the score")
        SCORED = "scored", _("Scored")
        COMMENTED = "commented", _("Scored, with a comment")
        NOT_SENT = "not_sent", _("Not sent")

    interaction = models.OneToOneField(Interaction, on_delete=models.CASCADE, related_name="survey")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    service = models.ForeignKey("services.Service", on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=10, choices=State.choices, default=State.SENT)
    sent_at = models.DateTimeField(default=timezone.now)
    # An answer is taken until then (the score), and a comment until `comment_until`.
    answer_until = models.DateTimeField()
    comment_until = models.DateTimeField(null=True, blank=True)
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    comment = models.TextField(blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=200, blank=True)  # why it was not sent

    class Meta:
        indexes = [models.Index(fields=["contact", "service", "state"], name="survey_pending")]

    def __str__(self) -> str:
        return f"survey #{self.interaction_id}: {self.score or '-'}"


class AssignmentEvent(models.Model):
    """The history of an interaction's ownership, with the reason of each step."""

    class Kind(models.TextChoices):
        QUEUED = "queued", _("Queued")
        ASSIGNED = "assigned", _("Assigned")
        TRANSFERRED = "transferred", _("Transferred")
        REQUEUED = "requeued", _("Returned to queue")
        CLOSED = "closed", _("Closed")
        REOPENED = "reopened", _("Reopened")

    interaction = models.ForeignKey(Interaction, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    agent = models.ForeignKey(
        "agents.AgentProfile", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(max_length=300, blank=True)
    # What the person handing it over wrote for the next one ("customer wants a refund").
    note = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.interaction_id}"


class Direction(models.TextChoices):
    INBOUND = "in", _("Inbound")
    OUTBOUND = "out", _("Outbound")


class MessageStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    PENDING = "pending", _("Pending")  # stored, not yet accepted by the provider
    ACCEPTED = "accepted", _("Accepted")
    SCHEDULED = "scheduled", _("Scheduled")
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    READ = "read", _("Read")
    UNDELIVERED = "undelivered", _("Undelivered")
    FAILED = "failed", _("Failed")


class Message(models.Model):
    # Indexed by message_interaction_time (interaction, created_at), not on its own.
    interaction = models.ForeignKey(
        Interaction, on_delete=models.CASCADE, related_name="messages", db_index=False
    )
    direction = models.CharField(max_length=3, choices=Direction.choices)
    # The provider's id (Twilio MessageSid): one row per provider message.
    # Unique by the constraint below (not `unique=True`, which on PostgreSQL adds a second,
    # pattern-matching index that nothing uses and every message writes); NULL until sent,
    # and unique allows many NULLs where it would refuse two ''.
    provider_id = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001
    body = models.TextField(blank=True)
    # [{"url": ..., "content_type": ...}, ...] in the provider's order.
    attachments = models.JSONField(default=list, blank=True)
    template_id = models.CharField(max_length=64, blank=True)  # Twilio ContentSid
    template_variables = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=12, choices=MessageStatus.choices)
    error_code = models.CharField(max_length=16, blank=True)
    error_message = models.CharField(max_length=500, blank=True)
    # Every field the provider sent, including ones added after this was written.
    payload = models.JSONField(default=dict, blank=True)
    # What the adapter understood beyond text and attachments, channel-agnostic:
    # {"location": {...}, "button": {...}, "referral": {...}, "reply_to": {...}}.
    extras = models.JSONField(default=dict, blank=True)
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Idempotency for outbound sends: a retry reuses the same key.
    send_key = models.UUIDField(default=uuid.uuid4, editable=False)
    send_attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    status_updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["provider_id"], name="message_unique_provider_id")
        ]
        indexes = [
            models.Index(fields=["interaction", "created_at"], name="message_interaction_time"),
            # The supervisor's first responses today: today's replies by people
            # (desk.selectors.first_responses_today), not the customers' messages.
            models.Index(
                fields=["created_at"],
                condition=models.Q(direction="out", sender__isnull=False),
                name="message_human_reply_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} {self.provider_id or self.pk}"


class Note(models.Model):
    """A private note an agent or supervisor adds to a conversation: never a message.

    Shown in the desk's timeline among the messages, to agents and
    supervisors only. It is never sent to the channel, never shown to the
    customer and never part of the message webhook events. `@username`
    mentions colleagues (`mentions`), who may then read the conversation
    while it is open (interactions.selectors.visible_interactions).
    """

    interaction = models.ForeignKey(Interaction, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(_("note"), max_length=4000)
    mentions = models.ManyToManyField(
        "agents.AgentProfile", blank=True, related_name="mentioned_in_notes"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("note")
        verbose_name_plural = _("notes")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["interaction", "created_at"], name="note_interaction_time")]

    def __str__(self) -> str:
        return f"note {self.pk} #{self.interaction_id}"


class SlaBreach(models.Model):
    """A first-response target missed: the assigned agent did not reply in time."""

    class Outcome(models.TextChoices):
        REASSIGNED = "reassigned", _("Given to another agent")
        REQUEUED = "requeued", _("Returned to the front of the queue")

    interaction = models.ForeignKey(
        Interaction, on_delete=models.CASCADE, related_name="sla_breaches"
    )
    service = models.ForeignKey("services.Service", on_delete=models.CASCADE, related_name="+")
    agent = models.ForeignKey(
        "agents.AgentProfile", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    target_minutes = models.PositiveSmallIntegerField()
    assigned_at = models.DateTimeField()
    at = models.DateTimeField(default=timezone.now, db_index=True)
    outcome = models.CharField(max_length=12, choices=Outcome.choices)
    new_agent = models.ForeignKey(
        "agents.AgentProfile", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("missed first-response target")
        verbose_name_plural = _("missed first-response targets")

    def __str__(self) -> str:
        return f"#{self.interaction_id} {self.target_minutes} min"
