"""Phone numbers: normalisation to E.164 and the digits WhatsApp links use."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_SEPARATORS = re.compile(r"[\s\-().\u00a0/]")


def normalize_e164(raw: str) -> str:
    """Return `raw` as `+<digits>` (E.164) or raise ValidationError.

    Accepts spaces, dashes, dots, brackets, a `whatsapp:` prefix and the
    international `00` prefix; requires the country code (a number written
    nationally cannot be told apart from one of another country).
    """
    value = (raw or "").strip()
    if value.lower().startswith("whatsapp:"):
        value = value[len("whatsapp:") :]
    value = _SEPARATORS.sub("", value)
    if value.startswith("00"):
        value = "+" + value[2:]
    if not value.startswith("+"):
        raise ValidationError(
            _(
                "Write the number in international format, starting with + and the country code (e.g. +39 02 1234 5678)."
            ),
            code="no_country_code",
        )
    digits = value[1:]
    if not digits.isdigit() or not digits.isascii():
        raise ValidationError(
            _("A phone number may contain only digits after the +."), code="not_digits"
        )
    if digits.startswith("0"):
        raise ValidationError(_("A country code never starts with 0."), code="leading_zero")
    if not 8 <= len(digits) <= 15:
        raise ValidationError(
            _("An international number has between 8 and 15 digits (E.164)."), code="length"
        )
    return "+" + digits


def wa_digits(e164: str) -> str:
    """The digits-only form click-to-chat links use (`+39 02...` -> `3902...`)."""
    return normalize_e164(e164)[1:]


def whatsapp_address(e164: str) -> str:
    """The address Twilio uses for a WhatsApp number: `whatsapp:+<digits>`."""
    return "whatsapp:" + normalize_e164(e164)
