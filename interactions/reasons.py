"""The routing reasons OCC stores, shown in the reader's language.

An interaction's `assignment_reason` and its events' `reason` are written in
English when the change happens (an audit trail, and what the API returns).
Pages show them translated: each part of a reason (parts are joined by "; ")
is matched against the patterns below and rewritten from its translated
template; a part that matches none is shown as stored. The desk's and the
supervisor's scripts get the same table (`table()`), so there is one list.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext_lazy as _

# (the stored English, as a regular expression with named groups; its translation)
# First match wins: the longer forms come before the shorter ones they start with.
PATTERNS = [
    (
        r"least loaded of (?P<count>\d+) available agent\(s\): (?P<open>\d+) of (?P<max>\d+) open",
        _("least loaded of %(count)s available agents: %(open)s of %(max)s open"),
    ),
    (r"never assigned", _("never assigned before")),
    (r"last assigned (?P<at>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)", _("last assigned %(at)s")),
    (
        r"first-response target of (?P<minutes>\d+) min missed",
        _("first-response target of %(minutes)s min missed"),
    ),
    (r"no other agent available", _("no other agent available")),
    (r"closed: outside business hours", _("closed: outside business hours")),
    (r"closed: idle for (?P<hours>\d+) h", _("closed: idle for %(hours)s h")),
    (r"started by (?P<name>.+) with a template", _("started by %(name)s with a template")),
    (r"started by (?P<name>.+)", _("started by %(name)s")),
    (
        r"transferred by (?P<name>.+) from (?P<source>.+) to the queue of (?P<target>.+)",
        _("transferred by %(name)s from %(source)s to the queue of %(target)s"),
    ),
    (r"transferred by (?P<name>.+)", _("transferred by %(name)s")),
    (r"returned to the queue by (?P<name>.+)", _("returned to the queue by %(name)s")),
    (r"taken over by (?P<name>.+)", _("taken over by %(name)s")),
    (
        r"reopened by (?P<name>.+) \(closed as: (?P<was>.+)\)",
        _("reopened by %(name)s (closed as: %(was)s)"),
    ),
    (r"reopened by (?P<name>.+)", _("reopened by %(name)s")),
]
_COMPILED = [(re.compile(pattern), text) for pattern, text in PATTERNS]


def describe(reason: str) -> str:
    """`reason` as stored, in the active language."""
    parts = []
    for part in (reason or "").split("; "):
        for pattern, text in _COMPILED:
            match = pattern.fullmatch(part)
            if match:
                part = str(text) % match.groupdict()
                break
        parts.append(part)
    return "; ".join(parts)


def table() -> list[dict[str, str]]:
    """The patterns for the page's scripts (JavaScript writes a named group `(?<name>…)`)."""
    return [
        {"pattern": pattern.replace("(?P<", "(?<"), "text": str(text)} for pattern, text in PATTERNS
    ]
