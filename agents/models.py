"""Agent profiles: channels, Max interactions, services served, presence."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MAX_INTERACTIONS_LIMIT = settings.OCC_MAX_INTERACTIONS_LIMIT


class Presence(models.TextChoices):
    ONLINE = "online", _("Online")
    AWAY = "away", _("Away")
    OFFLINE = "offline", _("Offline")


class AgentProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agent_profile"
    )
    chat_enabled = models.BooleanField(_("Chat"), default=False)
    whatsapp_enabled = models.BooleanField(_("WhatsApp"), default=False)
    max_interactions = models.PositiveSmallIntegerField(
        _("Max interactions"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_INTERACTIONS_LIMIT)],
        help_text=_("How many interactions the agent may hold at the same time."),
    )
    services = models.ManyToManyField(
        "services.Service", related_name="agents", blank=True, verbose_name=_("services")
    )
    presence = models.CharField(
        _("presence"), max_length=10, choices=Presence.choices, default=Presence.OFFLINE
    )
    presence_changed_at = models.DateTimeField(default=timezone.now)
    # Ties between equally loaded agents go to the one idle longest.
    last_assignment_at = models.DateTimeField(null=True, blank=True)
    # The agent's own desk preferences (the desk's settings menu).
    notify_desktop = models.BooleanField(_("desktop notifications"), default=True)
    notify_sound = models.BooleanField(_("sound"), default=False)
    enter_sends = models.BooleanField(_("Enter sends the reply"), default=True)

    class Meta:
        verbose_name = _("agent profile")
        verbose_name_plural = _("agent profiles")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(max_interactions__gte=1),
                name="agent_max_interactions_at_least_one",
            ),
            models.CheckConstraint(
                condition=models.Q(whatsapp_enabled=False) | models.Q(chat_enabled=True),
                name="agent_whatsapp_needs_chat",
            ),
        ]

    def __str__(self) -> str:
        return self.user.get_full_name() or self.user.get_username()

    def clean(self) -> None:
        if self.whatsapp_enabled and not self.chat_enabled:
            raise ValidationError(
                {"whatsapp_enabled": _("Enable the Chat channel before WhatsApp.")}
            )

    @property
    def display_name(self) -> str:
        return str(self)

    @property
    def role(self) -> str:
        """The user's role (agents.roles)."""
        from agents.roles import role_of

        return role_of(self.user)


class DeskConnection(models.Model):
    """One open desk tab (WebSocket) of an agent, whatever process holds it.

    Presence "offline after the last tab closed" is decided from these rows,
    so it works with several ASGI worker processes. A tab refreshes
    `seen_at` with its heartbeat; rows of a crashed process go stale and
    stop counting.
    """

    agent = models.ForeignKey(
        AgentProfile, on_delete=models.CASCADE, related_name="desk_connections"
    )
    channel_name = models.CharField(max_length=200, unique=True)
    opened_at = models.DateTimeField(default=timezone.now)
    seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("desk connection")
        verbose_name_plural = _("desk connections")
        indexes = [models.Index(fields=["agent", "seen_at"], name="deskconn_agent_seen")]

    def __str__(self) -> str:
        return f"{self.agent} · {self.channel_name}"


class OutboundFile(models.Model):
    """A file an agent uploaded to attach to a reply: what OCC found it to be, and how long Twilio may fetch it.

    The bytes are stored under a name OCC chose (`<token>.<extension>`); the
    type is the one read from the bytes at upload, and it is the type every
    answer serves. The public URL Twilio fetches stops working
    OCC_UPLOAD_FETCH_WINDOW_MINUTES after its first fetch, and
    OCC_UPLOAD_MAX_AGE_HOURS after the upload in any case; the desk keeps
    showing the file to signed-in agents through /desk/media/.
    """

    token = models.CharField(max_length=32, unique=True)
    content_type = models.CharField(max_length=100)
    extension = models.CharField(max_length=10)
    # The uploader's name, sanitised: shown in the desk and given to downloads.
    name = models.CharField(max_length=120)
    size = models.PositiveBigIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    first_fetched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("uploaded file")
        verbose_name_plural = _("uploaded files")

    def __str__(self) -> str:
        return self.name

    @property
    def stored_name(self) -> str:
        return f"{self.token}.{self.extension}"


class CannedResponse(models.Model):
    """A prepared answer an agent inserts in the composer with `/shortcut`.

    Shared ones (`owner` empty) are managed by supervisors and offered to
    every agent of the chosen services (all services when none is chosen);
    personal ones belong to one user and are offered only to them. The
    body may hold placeholders (`agents.placeholders`), filled on insert.
    """

    shortcut = models.SlugField(
        _("shortcut"),
        max_length=40,
        allow_unicode=True,
        help_text=_("Typed after “/” in the composer: letters, digits, “-” and “_”."),
    )
    title = models.CharField(_("title"), max_length=120, blank=True)
    body = models.TextField(_("text"), max_length=1600)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="canned_responses",
        verbose_name=_("owner"),
    )
    services = models.ManyToManyField(
        "services.Service",
        blank=True,
        related_name="canned_responses",
        verbose_name=_("services"),
        help_text=_("Offered only in conversations of these services; none chosen: all services."),
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("canned response")
        verbose_name_plural = _("canned responses")
        ordering = ["shortcut", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["shortcut"],
                condition=models.Q(owner__isnull=True),
                name="canned_shared_shortcut_unique",
            ),
            models.UniqueConstraint(
                fields=["owner", "shortcut"],
                condition=models.Q(owner__isnull=False),
                name="canned_personal_shortcut_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"/{self.shortcut}"

    @property
    def is_shared(self) -> bool:
        return self.owner_id is None

    def clean(self) -> None:
        from agents.placeholders import unknown_placeholders

        unknown = unknown_placeholders(self.body or "")
        if unknown:
            raise ValidationError(
                {
                    "body": _("Unknown placeholder: %(names)s. Known ones: %(known)s.")
                    % {
                        "names": ", ".join("{{" + name + "}}" for name in unknown),
                        "known": ", ".join(placeholder_list()),
                    }
                }
            )


def placeholder_list() -> list[str]:
    from agents.placeholders import PLACEHOLDERS

    return ["{{" + name + "}}" for name in PLACEHOLDERS]


class PresenceSpan(models.Model):
    """One stretch of an agent's presence: from `started_at` until `ended_at` (None: still in it).

    Written by `agents.supervision.record_presence` on every change of
    presence; the supervisor view adds up today's spans per presence.
    """

    agent = models.ForeignKey(AgentProfile, on_delete=models.CASCADE, related_name="+")
    presence = models.CharField(max_length=10, choices=Presence.choices)
    started_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("presence span")
        verbose_name_plural = _("presence spans")
        indexes = [models.Index(fields=["agent", "started_at"], name="presencespan_agent_start")]

    def __str__(self) -> str:
        return f"{self.agent_id} {self.presence} {self.started_at:%Y-%m-%d %H:%M}"


class ReadMarker(models.Model):
    """How far an agent has read a conversation: every inbound message after `message_id` is unread.

    One row per agent and interaction, moved only forward, and only by the
    agent holding the interaction: a supervisor looking at it changes nothing.
    """

    agent = models.ForeignKey(AgentProfile, on_delete=models.CASCADE, related_name="read_markers")
    interaction = models.ForeignKey(
        "interactions.Interaction", on_delete=models.CASCADE, related_name="+"
    )
    message_id = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("read marker")
        verbose_name_plural = _("read markers")
        constraints = [
            models.UniqueConstraint(
                fields=["agent", "interaction"], name="readmarker_one_per_agent_interaction"
            )
        ]

    def __str__(self) -> str:
        return f"{self.agent} read #{self.interaction_id} up to {self.message_id}"


class TypingSignal(models.Model):
    """The last "typing…" (and read) signal sent to a customer for one interaction.

    Claimed with a conditional write before the provider is called, so the
    signal goes out at most once per customer message and at most once
    every TYPING_EVERY seconds per interaction, whichever tabs ask.
    """

    interaction = models.OneToOneField(
        "interactions.Interaction", on_delete=models.CASCADE, related_name="+"
    )
    message_id = models.BigIntegerField(default=0)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("typing signal")
        verbose_name_plural = _("typing signals")

    def __str__(self) -> str:
        return f"#{self.interaction_id} typing for {self.message_id}"
