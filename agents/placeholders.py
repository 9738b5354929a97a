"""Placeholders of canned responses: `{{contact.name}}`, filled when an agent inserts one.

The syntax is two braces around a dotted name, spaces inside allowed
(`{{ contact.name }}`). Only the names below exist; a canned response that
uses any other is refused when it is saved, so a customer never receives a
literal `{{...}}`. A value that is unknown for a conversation (a contact
without a name) is filled with an empty string. Pure functions: no
database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

PATTERN = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")

# name → what it is, for the forms' help and docs/canned-responses.md.
PLACEHOLDERS = {
    "contact.name": _("the customer's name"),
    "contact.first_name": _("the customer's first name"),
    "contact.phone": _("the customer's number"),
    "agent.first_name": _("your first name"),
    "agent.name": _("your full name"),
    "service.name": _("the service's name"),
}


@dataclass(frozen=True)
class Values:
    contact_name: str = ""
    contact_phone: str = ""
    agent_first_name: str = ""
    agent_name: str = ""
    service_name: str = ""

    def as_dict(self) -> dict[str, str]:
        first = self.contact_name.split()[0] if self.contact_name.split() else ""
        return {
            "contact.name": self.contact_name,
            "contact.first_name": first,
            "contact.phone": self.contact_phone,
            "agent.first_name": self.agent_first_name,
            "agent.name": self.agent_name,
            "service.name": self.service_name,
        }


def used_placeholders(text: str) -> list[str]:
    """The placeholder names in `text`, in order, each once."""
    return list(dict.fromkeys(match.group(1) for match in PATTERN.finditer(text)))


def unknown_placeholders(text: str) -> list[str]:
    """Names in `text` that are not placeholders OCC can fill (an empty `{{}}` included)."""
    return [name for name in used_placeholders(text) if name not in PLACEHOLDERS]


def fill(text: str, values: Values) -> str:
    """`text` with every known placeholder replaced (unknown ones are left as written)."""
    table = values.as_dict()
    return PATTERN.sub(lambda m: table.get(m.group(1), m.group(0)), text)
