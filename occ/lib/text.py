"""Text we accept from people and programs: one rule for forms, the API, WebSockets and headers.

Some characters cannot be stored or sent on, whatever the field:
- NUL: PostgreSQL refuses it in text and jsonb;
- a lone UTF-16 surrogate (U+D800-U+DFFF, possible in JSON as "\\ud800"):
  UTF-8 cannot encode it, so SQLite, PostgreSQL's driver and every
  outgoing request fail on it;
- other control characters (C0, DEL, C1): nothing a person types; in a
  header value they end the connection (uvicorn refuses to send them) and
  CR/LF would start a new header.
Text that may span lines (a message, a description) keeps tab, CR and LF;
single-line text (a name, a number) keeps none of them.

People and API clients get a 400 naming the field (`reject_unsafe_text`,
`SafeTextFormMixin`, `first_unsafe`); what Twilio sends is a customer's
message and is kept, cleaned (`clean_text`), never refused.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:  # the mixin is only ever mixed into forms
    from django.forms import BaseForm as _FormBase
else:
    _FormBase = object

# C0 except tab/LF/CR, DEL, C1, and the surrogate range.
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_UNSAFE_SINGLE_LINE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_SURROGATE = re.compile("[\ud800-\udfff]")
# What a header value may not hold: uvicorn (and h11) refuse C0 but tab, and DEL.
_NOT_IN_HEADER = re.compile("[\x00-\x08\x0a-\x1f\x7f\ud800-\udfff]")


def unsafe_character(value: str, *, multiline: bool = True) -> str | None:
    """The first character `value` may not hold, or None."""
    match = (_UNSAFE if multiline else _UNSAFE_SINGLE_LINE).search(value)
    return match.group() if match else None


def problem(character: str) -> str:
    """Why `character` is refused, in the active language."""
    code = f"U+{ord(character):04X}"
    if _SURROGATE.match(character):
        return str(
            _("This text holds an invalid character (%(code)s, half of a UTF-16 pair): remove it.")
            % {"code": code}
        )
    if character in "\t\r\n":
        return str(
            _("This text must fit on one line: remove the tab or line break (%(code)s).")
            % {"code": code}
        )
    return str(
        _("This text holds a control character (%(code)s) that cannot be stored: remove it.")
        % {"code": code}
    )


def _first(value, multiline: bool) -> str | None:
    """The first unsafe character anywhere in a string, or in a list's items or a dict's keys and values."""
    if isinstance(value, str):
        return unsafe_character(value, multiline=multiline)
    if isinstance(value, dict):
        for key, item in value.items():
            found = _first(key, False) or _first(item, multiline)
            if found:
                return found
    elif isinstance(value, (list, tuple)):
        for item in value:
            found = _first(item, multiline)
            if found:
                return found
    return None


def reject_unsafe_text(value, *, multiline: bool = True) -> None:
    """Validator: ValidationError (code `unsafe_text`) if any text in `value` holds an unsafe character."""
    found = _first(value, multiline)
    if found:
        raise ValidationError(problem(found), code="unsafe_text")


def reject_unsafe_single_line(value) -> None:
    reject_unsafe_text(value, multiline=False)


def first_unsafe(data) -> tuple[str, str] | None:
    """(field, message) for the first unsafe text in parsed input (a JSON body, a command), or None.

    The field is the top-level key holding it ("non_field_errors" when the
    key itself, or a bare value, is at fault); nested keys (template
    variables, for instance) are checked as single-line text.
    """
    if isinstance(data, dict):
        for key, item in data.items():
            found = _first(key, False)
            if found:
                return "non_field_errors", problem(found)
            found = _first(item, True)
            if found:
                return str(key), problem(found)
        return None
    found = _first(data, True)
    return ("non_field_errors", problem(found)) if found else None


class SafeTextFormMixin(_FormBase):
    """Every field of the form refuses unsafe text with a field error, before its own checks run.

    A Textarea accepts line breaks, every other widget single-line text.
    The validator is attached when the form is cleaned, after every
    __init__ has shaped its fields, and runs on the value as parsed, so a
    field that fails never reaches clean_<field>(), uniqueness checks or
    the database.
    """

    def full_clean(self):
        for field in self.fields.values():
            validator = reject_unsafe_text if _is_multiline(field) else reject_unsafe_single_line
            if validator not in field.validators:
                field.validators.append(validator)
        super().full_clean()


def _is_multiline(field) -> bool:
    from django import forms

    return isinstance(field.widget, forms.Textarea)


def clean_text(value: str) -> str:
    """Text kept as it came, minus what cannot be stored: NUL removed, lone surrogates replaced by U+FFFD."""
    if "\x00" in value:
        value = value.replace("\x00", "")
    # An ASCII string (most of a webhook's fields: CPython knows it without a scan) holds no surrogate.
    return value if value.isascii() else _SURROGATE.sub("\ufffd", value)


def safe_header_value(value) -> str:
    """`value` as a header value: control characters (CR/LF too) and lone surrogates become spaces."""
    return _NOT_IN_HEADER.sub(" ", str(value)).strip()
