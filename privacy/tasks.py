"""The retention policy on the task engine: once an hour, when an administrator switched it on."""

from __future__ import annotations

from django.conf import settings

from engine import periodic
from privacy import actions


@periodic.every(lambda: settings.OCC_RETENTION_INTERVAL_SECONDS, "privacy.apply_retention")
def apply_retention() -> dict | None:
    """Delete or anonymise the closed conversations older than the policy keeps (nothing while it is off)."""
    return actions.apply_retention()
