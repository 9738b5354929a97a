"""Settings → Data protection: a contact's export and erase, and the retention policy (administrators)."""

from __future__ import annotations

from django.contrib import messages
from django.core import signing
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from interactions.models import Contact, Interaction, Message
from occ.lib.permissions import administrator_required
from privacy import actions
from privacy.forms import RetentionForm
from privacy.models import RetentionPolicy

PREVIEW_SALT = "occ.privacy.retention-preview"
PREVIEW_MAX_AGE = 3600


@administrator_required
def index(request):
    query = (request.GET.get("q") or "").strip()[:100]
    contacts = list(actions.find_contacts(query)) if query else []
    return render(
        request,
        "privacy/index.html",
        {
            "q": query,
            "contacts": contacts,
            "policy": RetentionPolicy.load(),
            "at_provider": actions.provider_erasures(),
        },
    )


@administrator_required
def contact(request, contact_id: int):
    found = get_object_or_404(Contact, pk=contact_id)
    interactions = Interaction.objects.filter(contact=found)
    context = {
        "contact": found,
        "interaction_count": interactions.count(),
        "message_count": Message.objects.filter(interaction__contact=found).count(),
    }
    return render(request, "privacy/contact.html", context)


@administrator_required
@require_POST
def contact_export(request, contact_id: int):
    found = get_object_or_404(Contact, pk=contact_id)
    data = actions.export_zip(found, actor=request.user)
    response = HttpResponse(data, content_type="application/zip")
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="contact-{found.pk}-{stamp}.zip"'
    response["Cache-Control"] = "no-store"
    return response


@administrator_required
@require_POST
def contact_erase(request, contact_id: int):
    found = get_object_or_404(Contact, pk=contact_id)
    actions.erase_contact(found, actor=request.user)
    messages.success(
        request,
        _(
            "The contact and everything OCC held about them were erased. The audit log records that it happened."
        )
        + " "
        + _("Their messages and files at Twilio are being deleted in the background."),
    )
    return redirect("privacy:index")


@administrator_required
def retention(request):
    policy = RetentionPolicy.load()
    preview = None
    token = ""
    # Its own copy: a dry run must not show its values as the policy in force.
    form = RetentionForm(request.POST or None, instance=RetentionPolicy.load())
    if request.method == "POST":
        step = request.POST.get("step")
        if step == "off":
            policy.enabled = False
            policy.changed_at = timezone.now()
            policy.save(update_fields=["enabled", "changed_at"])
            _audit_policy(policy)
            messages.success(
                request, _("The retention policy is off: nothing is deleted automatically.")
            )
            return redirect("privacy:retention")
        if form.is_valid():
            days, mode = form.cleaned_data["days"], form.cleaned_data["mode"]
            if step == "on":
                if not _previewed(request.POST.get("preview_token", ""), days, mode):
                    messages.error(
                        request,
                        _("Look at the dry run of these settings before switching the policy on."),
                    )
                else:
                    policy = form.save(commit=False)
                    policy.enabled = True
                    policy.changed_at = timezone.now()
                    policy.save()
                    _audit_policy(policy)
                    messages.success(
                        request,
                        _("The retention policy is on: the background tasks apply it every hour."),
                    )
                    return redirect("privacy:retention")
            preview = actions.dry_run(days, mode)
            token = signing.dumps({"days": days, "mode": mode}, salt=PREVIEW_SALT)
    return render(
        request,
        "privacy/retention.html",
        {"form": form, "policy": policy, "preview": preview, "preview_token": token},
    )


def _previewed(token: str, days: int, mode: str) -> bool:
    try:
        seen = signing.loads(token, salt=PREVIEW_SALT, max_age=PREVIEW_MAX_AGE)
    except signing.BadSignature:
        return False
    return seen == {"days": days, "mode": mode}


def _audit_policy(policy: RetentionPolicy) -> None:
    from audit.models import AuditEntry
    from audit.receivers import record

    record(
        policy,
        AuditEntry.Action.CHANGED,
        {"retention": {"enabled": policy.enabled, "days": policy.days, "mode": policy.mode}},
    )
