"""Labels and close reasons in the console, for administrators and supervisors.

Each change is written to the audit log by its model's signals (audit.receivers).
"""

from __future__ import annotations

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agents.roles import is_supervisor
from desk.wrapup_forms import CloseReasonForm, LabelForm
from interactions.models import CloseReason, Label


def supervisor_required(view):
    """Administrators and supervisors; anyone else signed in gets 403."""

    @functools.wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not is_supervisor(request.user):
            raise PermissionDenied("Only administrators and supervisors manage labels.")
        return view(request, *args, **kwargs)

    return wrapper


# --- labels -------------------------------------------------------------------------------


@supervisor_required
def label_list(request):
    labels = Label.objects.annotate(used=Count("interactions")).order_by("name")
    return render(request, "services/label_list.html", {"labels": labels})


@supervisor_required
def label_edit(request, pk: int | None = None):
    label = get_object_or_404(Label, pk=pk) if pk else None
    form = LabelForm(request.POST or None, instance=label)
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        text = _("Label “%(name)s” saved.") if label else _("Label “%(name)s” created.")
        messages.success(request, text % {"name": saved.name})
        return redirect("wrapup:labels")
    stored = Label.objects.get(pk=pk) if pk else None
    return render(request, "services/label_form.html", {"form": form, "label": stored})


@supervisor_required
@require_POST
def label_delete(request, pk: int):
    label = get_object_or_404(Label, pk=pk)
    name = label.name
    label.delete()  # taken off every conversation that had it
    messages.success(request, _("Label “%(name)s” deleted.") % {"name": name})
    return redirect("wrapup:labels")


# --- close reasons --------------------------------------------------------------------------


@supervisor_required
def close_reason_list(request):
    from services.models import Service

    reasons = CloseReason.objects.annotate(used=Count("interactions")).order_by("position", "name")
    requiring = Service.objects.filter(close_reason_required=True).order_by("name")
    return render(
        request,
        "services/close_reason_list.html",
        {"reasons": reasons, "requiring": requiring},
    )


@supervisor_required
def close_reason_edit(request, pk: int | None = None):
    reason = get_object_or_404(CloseReason, pk=pk) if pk else None
    initial = {}
    if reason is None:
        last = CloseReason.objects.order_by("-position").values_list("position", flat=True).first()
        initial = {"position": (last or 0) + 10, "is_active": True}
    form = CloseReasonForm(request.POST or None, instance=reason, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        text = (
            _("Close reason “%(name)s” saved.") if reason else _("Close reason “%(name)s” created.")
        )
        messages.success(request, text % {"name": saved.name})
        return redirect("wrapup:close_reasons")
    stored = CloseReason.objects.get(pk=pk) if pk else None
    return render(request, "services/close_reason_form.html", {"form": form, "reason": stored})


@supervisor_required
@require_POST
def close_reason_delete(request, pk: int):
    reason = get_object_or_404(CloseReason, pk=pk)
    if reason.interactions.exists():
        # Closed conversations keep their reason: it can only be deactivated.
        messages.error(
            request,
            _("“%(name)s” is on closed conversations: deactivate it instead.")
            % {"name": reason.name},
        )
        return redirect("wrapup:close_reasons")
    name = reason.name
    reason.delete()
    messages.success(request, _("Close reason “%(name)s” deleted.") % {"name": name})
    return redirect("wrapup:close_reasons")
