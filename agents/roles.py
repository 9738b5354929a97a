"""Who may do what: the one place that reads a user's role.

Administrators may do everything. Supervisors monitor, reassign, run
reports and manage canned responses and labels. Everyone else with an
agent profile is an agent.
"""

from __future__ import annotations


def is_administrator(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_staff)


def is_supervisor(user) -> bool:
    """Supervisors and administrators (an administrator can do what a supervisor does)."""
    return is_administrator(user)
