"""The automatic messages customers receive, per service and per language.

    render(service, kind, contact, **values) -> str

The language is the contact's (`Contact.language`, set by an agent) when
OCC speaks it, else the service's default language. The text is the
service's own wording for that kind and language (`ServiceMessage`, edited
in the console) or else the shipped default, in English and Italian (the
Italian from the project's catalogue). Placeholders are written `{name}`;
each kind allows its own (`PLACEHOLDERS`), and a wording with any other is
refused when it is saved (`check_placeholders`), so rendering never meets
an unknown one.
"""

from __future__ import annotations

import math
import re
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import formats, translation
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from services.models import MessageKind, Service, ServiceMessage

LANGUAGES = [code for code, _name in settings.LANGUAGES]
LOWERCASE_DAYS = {"it"}

# The shipped defaults (msgids; their Italian is in locale/it).
DEFAULTS: dict[str, object] = {
    MessageKind.GREETING: _(
        "Hello {contact_name}, thank you for writing to {service_name}. We have your message and will answer you here."
    ),
    MessageKind.QUEUED: _(
        "All our agents are busy: you are number {position} in the queue. Estimated wait: {wait}. Please stay in this chat."
    ),
    MessageKind.OUT_OF_HOURS: _(
        "Thank you for your message. We are closed right now: we open again {opening_time} and will answer you then."
    ),
    MessageKind.NO_AGENT: _(
        "Thank you for your message. No agent is available right now: you are in the queue and the first agent to come online will answer you."
    ),
    MessageKind.CLOSED: _(
        "We have closed this conversation as there were no new messages. Write to us again at any time."
    ),
    MessageKind.CSAT_ASK: _(
        "How satisfied are you with our service? Reply with a number from 1 (not at all) to 5 (very)."
    ),
    MessageKind.CSAT_THANKS: _(
        "Thank you for your rating! If you like, write a comment in your next message."
    ),
}

COMMON = ("contact_name", "service_name")
PLACEHOLDERS: dict[str, tuple[str, ...]] = {
    MessageKind.GREETING: COMMON,
    MessageKind.QUEUED: (*COMMON, "position", "wait"),
    MessageKind.OUT_OF_HOURS: (*COMMON, "opening_time"),
    MessageKind.NO_AGENT: COMMON,
    MessageKind.CLOSED: COMMON,
    MessageKind.CSAT_ASK: COMMON,
    MessageKind.CSAT_THANKS: (*COMMON, "score"),
}

_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


def placeholders_in(text: str) -> list[str]:
    return _PLACEHOLDER.findall(text)


def check_placeholders(kind: str, text: str) -> None:
    """Refuse a wording with a placeholder this kind of message does not know."""
    allowed = PLACEHOLDERS[kind]
    unknown = [name for name in placeholders_in(text) if name not in allowed]
    if unknown:
        raise ValidationError(
            gettext("Unknown placeholder %(names)s: this message can use %(allowed)s.")
            % {
                "names": ", ".join("{" + name + "}" for name in dict.fromkeys(unknown)),
                "allowed": ", ".join("{" + name + "}" for name in allowed),
            },
            code="placeholder",
        )


def language_for(service: Service, contact=None) -> str:
    """The contact's language when OCC speaks it, else the service's default, else English."""
    for language in (getattr(contact, "language", ""), service.default_language):
        if language and language.split("-")[0] in LANGUAGES:
            return language.split("-")[0]
    return LANGUAGES[0]


def default_text(kind: str, language: str) -> str:
    with translation.override(language):
        return str(DEFAULTS[kind])


def wording(service: Service, kind: str, language: str) -> str:
    """The service's own text of this message in this language, else the shipped default."""
    own = (
        ServiceMessage.objects.filter(service=service, kind=kind, language=language)
        .values_list("body", flat=True)
        .first()
    )
    return own if own else default_text(kind, language)


def format_wait(minutes: int | None) -> str:
    """An estimated wait in words, in the active language."""
    if minutes is None:
        return gettext("a few minutes")
    if minutes < 60:
        return ngettext("about %(n)d minute", "about %(n)d minutes", minutes) % {"n": minutes}
    hours = math.ceil(minutes / 60)
    return ngettext("about %(n)d hour", "about %(n)d hours", hours) % {"n": hours}


def format_opening(service: Service, at: datetime | None, now: datetime | None = None) -> str:
    """The next opening in words, in the service's time zone and the active language."""
    if at is None:
        return gettext("as soon as we reopen")
    local = at.astimezone(service.tz)
    if now is not None and local.date() == now.astimezone(service.tz).date():
        return gettext("today at %(time)s") % {"time": local.strftime("%H:%M")}
    day = formats.date_format(local, "l j F")
    if translation.get_language() in LOWERCASE_DAYS:
        day = day.lower()  # "mercoledì 2 dicembre", as Italian writes it mid-sentence
    return gettext("%(day)s at %(time)s") % {
        "day": day,
        "time": local.strftime("%H:%M"),
    }


def render(service: Service, kind: str, contact=None, **values) -> str:
    """The text of one automatic message for this contact, placeholders filled.

    values: position (int), wait_minutes (int | None), opening_at (datetime | None),
    now (datetime, for "today"), score, or any placeholder as text.
    """
    language = language_for(service, contact)
    with translation.override(language):
        filled: dict[str, str] = {
            "contact_name": (getattr(contact, "name", "") or "").strip(),
            "service_name": service.name,
        }
        if "position" in values:
            filled["position"] = str(values["position"])
        if "wait_minutes" in values:
            filled["wait"] = format_wait(values["wait_minutes"])
        if "opening_at" in values:
            filled["opening_time"] = format_opening(
                service, values["opening_at"], values.get("now")
            )
        for name, value in values.items():
            if name not in ("position", "wait_minutes", "opening_at", "now"):
                filled[name] = str(value)
        text = wording(service, kind, language)
        text = _PLACEHOLDER.sub(lambda m: filled.get(m.group(1), m.group(0)), text)
    # An empty name leaves "Hello , …": tidy the spaces it leaves.
    text = re.sub(r"[ \t]+([,.!?;:])", r"\1", text)
    return re.sub(r"[ \t]{2,}", " ", text).strip()
