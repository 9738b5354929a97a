"""Data protection on the task engine: the retention policy, and erasing at the provider."""

from __future__ import annotations

from django.conf import settings

from engine import periodic
from engine.compat import task
from privacy import actions


@periodic.every(lambda: settings.OCC_RETENTION_INTERVAL_SECONDS, "privacy.apply_retention")
def apply_retention() -> dict | None:
    """Delete or anonymise the closed conversations older than the policy keeps (nothing while it is off)."""
    return actions.apply_retention()


@task
def erase_at_provider(erasure_id: int, attempt: int) -> int:
    """Attempt `attempt` to delete an erased contact's messages and media at the provider (Twilio)."""
    return actions.erase_at_provider(erasure_id, attempt)


@periodic.every(300, "privacy.sweep_provider_erasures")
def sweep_provider_erasures() -> int:
    """Erasures at the provider due for an attempt whose task was lost (the engine down, a worker died)."""
    return actions.sweep_provider_erasures()
