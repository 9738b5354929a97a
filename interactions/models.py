"""The channel-agnostic core: contacts, interactions, messages, assignments."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    WHATSAPP = "whatsapp", _("WhatsApp")


class Contact(models.Model):
    """A customer, keyed by their address on a channel (E.164 for WhatsApp)."""

    channel = models.CharField(max_length=20, choices=Channel.choices, default=Channel.WHATSAPP)
    address = models.CharField(_("address"), max_length=64)
    name = models.CharField(_("name"), max_length=200, blank=True)
    external_id = models.CharField(_("channel id"), max_length=64, blank=True)  # WaId
    # The language automatic messages are written in ("en", "it"); empty: the service's default.
    language = models.CharField(_("language"), max_length=16, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        constraints = [
            models.UniqueConstraint(fields=["channel", "address"], name="contact_unique_address")
        ]

    def __str__(self) -> str:
        return self.name or self.address


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


class Interaction(models.Model):
    """One conversation of a contact with a service, from first message to close."""

    service = models.ForeignKey(
        "services.Service", on_delete=models.PROTECT, related_name="interactions"
    )
    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="interactions")
    channel = models.CharField(max_length=20, choices=Channel.choices, default=Channel.WHATSAPP)
    state = models.CharField(
        max_length=10, choices=InteractionState.choices, default=InteractionState.QUEUED
    )
    agent = models.ForeignKey(
        "agents.AgentProfile",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="interactions",
    )
    created_at = models.DateTimeField(default=timezone.now)
    # Position in the service's queue: oldest first.
    queued_at = models.DateTimeField(default=timezone.now)
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
            models.Index(fields=["service", "state", "queued_at"], name="interaction_queue"),
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
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.contact} → {self.service}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


class AssignmentEvent(models.Model):
    """The history of an interaction's ownership, with the reason of each step."""

    class Kind(models.TextChoices):
        QUEUED = "queued", _("Queued")
        ASSIGNED = "assigned", _("Assigned")
        TRANSFERRED = "transferred", _("Transferred")
        REQUEUED = "requeued", _("Returned to queue")
        CLOSED = "closed", _("Closed")

    interaction = models.ForeignKey(Interaction, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    agent = models.ForeignKey(
        "agents.AgentProfile", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(max_length=300, blank=True)
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
    interaction = models.ForeignKey(Interaction, on_delete=models.CASCADE, related_name="messages")
    direction = models.CharField(max_length=3, choices=Direction.choices)
    # The provider's id (Twilio MessageSid): one row per provider message.
    provider_id = models.CharField(max_length=64, null=True, blank=True, unique=True)
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
        indexes = [
            models.Index(fields=["interaction", "created_at"], name="message_interaction_time")
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} {self.provider_id or self.pk}"
