"""Settings → Chat channel → WhatsApp templates: the account's templates at Twilio, and "Sync now"."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from audit.receivers import record as audit_record
from occ.lib.permissions import administrator_required
from whatsapp import content_templates
from whatsapp.models import ContentTemplate, TemplateSync


@administrator_required
def template_list(request):
    templates = list(ContentTemplate.objects.all())
    context = {
        "templates": templates,
        "listed": [t for t in templates if t.removed_at is None],
        "removed": [t for t in templates if t.removed_at is not None],
        "last_sync": TemplateSync.objects.filter(pk=1).first(),
        "approved_count": sum(1 for t in templates if t.sendable),
    }
    return render(request, "whatsapp/templates.html", context)


@administrator_required
@require_POST
def sync_now(request):
    result = content_templates.sync_templates()
    audit_record(
        TemplateSync.load(),
        "changed",
        {"event": {"to": "templates synced from Twilio" if result.ok else "template sync failed"}},
    )
    (messages.success if result.ok else messages.error)(request, result.message)
    return redirect("whatsapp:templates")
