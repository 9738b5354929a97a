"""WhatsApp's background work: the periodic sync of the account's templates from Twilio."""

from __future__ import annotations

from django.conf import settings

from engine import periodic
from whatsapp import content_templates

# After a failed sync (Twilio unreachable, the server still starting) the next try comes sooner.
RETRY_AFTER_FAILURE_SECONDS = 60.0


def _interval() -> float:
    from whatsapp.models import TemplateSync

    every = float(settings.OCC_TEMPLATE_SYNC_SECONDS)
    last = TemplateSync.objects.filter(pk=1).values_list("ok", flat=True).first()
    return min(every, RETRY_AFTER_FAILURE_SECONDS) if last is False else every


@periodic.every(_interval, "whatsapp.sync_templates")
def sync_templates() -> dict:
    """Re-read every template and its WhatsApp approval (status, category) from the Content API."""
    from settings.models import ChatChannelSettings

    if not ChatChannelSettings.load().whatsapp_ready:
        return {"skipped": "not configured"}
    result = content_templates.sync_templates()
    return {"ok": result.ok, **result.counts}
