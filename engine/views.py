"""Settings → Background tasks: the engine's health, and a retry for failed tasks."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from engine import actions, selectors
from engine.compat import TaskResultDoesNotExist
from occ.lib.permissions import administrator_required


@administrator_required
def health(request):
    return render(request, "engine/health.html", {"health": selectors.health()})


@administrator_required
@require_POST
def retry(request, result_id: str):
    try:
        actions.retry(result_id)
    except TaskResultDoesNotExist:
        messages.error(request, _("There is no such task."))
    except ValueError:
        messages.error(request, _("Only a failed task can be retried."))
    else:
        messages.success(request, _("Task queued again."))
    return redirect("engine:health")
