"""Services of the contact centre and their channels."""

from __future__ import annotations

import re
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from occ.lib.phone import normalize_e164

# Twilio's Messaging Service SID (messaging v1 `sid` pattern).
MESSAGING_SERVICE_SID = re.compile(r"^MG[0-9a-fA-F]{32}\Z")


def check_messaging_service_sid(value: str) -> None:
    if not MESSAGING_SERVICE_SID.match(value):
        raise ValidationError(
            _("A Messaging Service SID is MG followed by 32 hexadecimal digits."), code="invalid"
        )


class ServiceQuerySet(models.QuerySet):
    def whatsapp_ready(self) -> ServiceQuerySet:
        """Services a WhatsApp message can reach (and a widget can lead to)."""
        return self.filter(
            Q(twilio_number__gt="") | Q(messaging_service_sid__gt=""),
            is_active=True,
            chat_enabled=True,
            whatsapp_enabled=True,
        )


class OfflineConversations(models.TextChoices):
    """What happens to the conversations of an agent who stays offline (desk.tasks.release_after_offline)."""

    KEEP = "keep", _("They stay with the agent")
    REQUEUE = "requeue", _("They go back to the queue and are routed afresh")


class Service(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    is_active = models.BooleanField(_("active"), default=True)
    chat_enabled = models.BooleanField(_("chat channel"), default=False)
    whatsapp_enabled = models.BooleanField(_("WhatsApp"), default=False)
    twilio_number = models.CharField(
        _("Twilio phone number"),
        max_length=16,
        null=True,
        blank=True,
        unique=True,
        help_text=_("The number bought and configured on Twilio, in international format."),
    )
    # A Twilio Messaging Service (MG…) instead of one number: inbound webhooks name it in
    # MessagingServiceSid (matched before the number), and replies are sent with it, Twilio
    # choosing the service's WhatsApp sender.
    messaging_service_sid = models.CharField(
        _("Twilio Messaging Service SID"),
        max_length=34,
        null=True,
        blank=True,
        unique=True,
        help_text=_(
            "Optional, instead of one number: MG followed by 32 hexadecimal digits. Messages to any "
            "WhatsApp sender of that Messaging Service reach this service, and replies are sent "
            "through it. Website widgets still need the phone number for their link."
        ),
    )
    queue_position_reply = models.BooleanField(
        _("tell waiting customers their place in the queue"), default=False
    )
    close_reason_required = models.BooleanField(
        _("a close reason is required"),
        default=False,
        help_text=_(
            "Agents must pick a close reason when they close a conversation of this service."
        ),
    )
    # Automatic messages (services.messages): which are sent, in which language by default.
    default_language = models.CharField(
        _("default language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    greeting_enabled = models.BooleanField(_("greet new conversations"), default=False)
    no_agent_reply = models.BooleanField(_("tell customers when no agent is online"), default=False)
    out_of_hours_reply = models.BooleanField(_("reply outside business hours"), default=False)
    closed_message_enabled = models.BooleanField(
        _("send a closing message when an idle conversation is closed"), default=False
    )
    # Business hours (services.hours): none configured means always open.
    business_hours_enabled = models.BooleanField(_("use business hours"), default=False)
    time_zone = models.CharField(_("time zone"), max_length=64, default="Europe/Rome")
    out_of_hours_action = models.CharField(
        _("outside business hours"),
        max_length=8,
        choices=[
            ("queue", _("Queue the conversation for the next opening")),
            ("close", _("Close the conversation")),
        ],
        default="queue",
    )
    out_of_hours_reply_every_hours = models.PositiveSmallIntegerField(
        _("repeat the out-of-hours reply after (hours)"), default=12
    )
    # Timers (interactions.actions.automation): empty means off.
    first_response_minutes = models.PositiveSmallIntegerField(
        _("first-response target (minutes)"), null=True, blank=True
    )
    idle_close_hours = models.PositiveSmallIntegerField(
        _("close conversations idle for (hours)"), null=True, blank=True
    )
    # The last queue order value given out (interactions.actions.assignment.take_queue_place):
    # incremented under the service's row lock, so arrivals are numbered in the order routing sees them.
    queue_counter = models.BigIntegerField(default=0, editable=False)
    # Customer satisfaction: after a close, ask for a score from 1 to 5.
    csat_enabled = models.BooleanField(
        _("ask customers for a satisfaction score after a close"), default=False
    )
    csat_template_sid = models.CharField(
        _("survey template"),
        max_length=34,
        blank=True,
        help_text=_(
            "An approved quick-reply template with the buttons 1–5 (it reaches customers whose 24-hour "
            "window has closed too). Empty: a text message, sent only while the window is open."
        ),
    )
    offline_conversations = models.CharField(
        _("conversations of an agent who stays offline"),
        max_length=10,
        choices=OfflineConversations.choices,
        default=OfflineConversations.KEEP,
    )
    offline_after_minutes = models.PositiveSmallIntegerField(
        _("offline for longer than (minutes)"),
        default=15,
        validators=[MinValueValidator(1), MaxValueValidator(24 * 60)],
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ServiceQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("service")
        verbose_name_plural = _("services")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from settings.models import ChatChannelSettings

        errors: dict[str, list] = {}
        if self.twilio_number:
            try:
                self.twilio_number = normalize_e164(self.twilio_number)
            except ValidationError as exc:
                errors.setdefault("twilio_number", []).extend(exc.messages)
        else:
            self.twilio_number = None
        sid = (self.messaging_service_sid or "").strip()
        if sid:
            try:
                check_messaging_service_sid(sid)
            except ValidationError as exc:
                errors.setdefault("messaging_service_sid", []).extend(exc.messages)
        self.messaging_service_sid = sid or None
        if self.whatsapp_enabled:
            if not self.chat_enabled:
                errors.setdefault("whatsapp_enabled", []).append(
                    _("Add the chat channel to the service before enabling WhatsApp on it.")
                )
            if (
                not self.twilio_number
                and not self.messaging_service_sid
                and not {"twilio_number", "messaging_service_sid"} & set(errors)
            ):
                errors.setdefault("twilio_number", []).append(
                    _(
                        "WhatsApp needs the Twilio phone number of this service, or its Messaging Service."
                    )
                )
            if not ChatChannelSettings.load().whatsapp_enabled:
                errors.setdefault("whatsapp_enabled", []).append(
                    _("Enable WhatsApp first in Settings → Advanced → Chat channel.")
                )
        if self.time_zone:
            try:
                zoneinfo.ZoneInfo(self.time_zone)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                errors.setdefault("time_zone", []).append(
                    _("Not a time zone: use a name such as Europe/Rome.")
                )
        if self.csat_template_sid:
            from occ.lib import channels

            if self.csat_template_sid not in {t["sid"] for t in channels.templates()}:
                errors.setdefault("csat_template_sid", []).append(
                    _("Choose an approved template of the Twilio account.")
                )
        if errors:
            raise ValidationError(errors)

    def whatsapp_problems(self, account=None) -> list:
        """Why WhatsApp messages cannot reach this service, in words (empty: they can)."""
        if account is None:
            from settings.models import ChatChannelSettings

            account = ChatChannelSettings.load()
        problems = []
        if not account.whatsapp_enabled:
            problems.append(
                _("WhatsApp is off for the account (Settings → Advanced → Chat channel).")
            )
        elif not account.whatsapp_ready:
            problems.append(_("The account's Twilio Account SID and Auth Token are missing."))
        if not self.is_active:
            problems.append(_("The service is inactive."))
        if not self.chat_enabled:
            problems.append(_("The chat channel is off for the service."))
        if not self.whatsapp_enabled:
            problems.append(_("WhatsApp is off for the service."))
        if not self.twilio_number and not self.messaging_service_sid:
            problems.append(_("The service has no Twilio phone number or Messaging Service."))
        return problems

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        try:
            return zoneinfo.ZoneInfo(self.time_zone or "UTC")
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return zoneinfo.ZoneInfo("UTC")

    @property
    def whatsapp_ready(self) -> bool:
        return bool(
            self.is_active
            and self.chat_enabled
            and self.whatsapp_enabled
            and (self.twilio_number or self.messaging_service_sid)
        )

    @property
    def whatsapp_sender(self) -> dict[str, str]:
        """How Twilio is told who sends: `messaging_service_sid` when the service has one, else `from_`."""
        if self.messaging_service_sid:
            return {"messaging_service_sid": self.messaging_service_sid}
        return {"from_": f"whatsapp:{self.twilio_number}"}


WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]


class OpeningRange(models.Model):
    """One range of a service's weekly schedule (several per day allowed), in the service's time zone."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="opening_ranges")
    weekday = models.PositiveSmallIntegerField(_("day"), choices=WEEKDAYS)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    class Meta:
        ordering = ["weekday", "opens"]
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")

    def __str__(self) -> str:
        return f"{self.service} {self.get_weekday_display()} {self.opens:%H:%M}-{self.closes:%H:%M}"

    def clean(self) -> None:
        if self.opens is not None and self.closes is not None and self.closes <= self.opens:
            raise ValidationError(
                {
                    "closes": _(
                        "The closing time must be after the opening time (use 23:59 for midnight)."
                    )
                }
            )


class Closure(models.Model):
    """Days a service is closed whatever its weekly schedule says (holidays)."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="closures")
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to (included)"))
    note = models.CharField(_("note"), max_length=100, blank=True)

    class Meta:
        ordering = ["starts_on"]
        verbose_name = _("closure")
        verbose_name_plural = _("closures")

    def __str__(self) -> str:
        return f"{self.service} closed {self.starts_on}–{self.ends_on}"

    def clean(self) -> None:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The last day cannot be before the first.")})


class MessageKind(models.TextChoices):
    GREETING = "greeting", _("Greeting (new conversation)")
    QUEUED = "queued", _("Queued (position and wait)")
    OUT_OF_HOURS = "out_of_hours", _("Out of hours")
    NO_AGENT = "no_agent", _("No agent online")
    CLOSED = "closed", _("Closed (idle conversation)")
    CSAT_ASK = "csat_ask", _("Satisfaction survey: question")
    CSAT_THANKS = "csat_thanks", _("Satisfaction survey: thanks")


class ServiceMessage(models.Model):
    """A service's own wording of one automatic message in one language (else the shipped default)."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(_("message"), max_length=16, choices=MessageKind.choices)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    body = models.TextField(_("text"), max_length=1000)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("automatic message")
        verbose_name_plural = _("automatic messages")
        constraints = [
            models.UniqueConstraint(
                fields=["service", "kind", "language"], name="service_message_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.service}: {self.get_kind_display()} ({self.language})"
