"""Which group of the console's navigation a page belongs to (a pure function of its path)."""

from __future__ import annotations

# Longest prefix first: /desk/supervisor/ is the supervisor's, /desk/ the agent's.
SECTIONS: tuple[tuple[str, str], ...] = (
    ("/console/", "home"),
    ("/desk/supervisor/", "supervisor"),
    ("/supervisor/", "supervisor"),
    ("/reports/", "supervisor"),
    ("/settings/labels/", "supervisor"),
    ("/settings/close-reasons/", "supervisor"),
    ("/canned-responses/", "supervisor"),
    ("/desk/", "desk"),
    ("/services/", "services"),
    ("/users/", "users"),
    ("/settings/widgets/", "widget"),
    ("/settings/", "settings"),
)


def section(path: str) -> str:
    """The navigation group of `path` ("" when it is in none): the top bar marks it as current."""
    for prefix, name in SECTIONS:
        if path.startswith(prefix):
            return name
    return ""
