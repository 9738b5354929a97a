"""Canned responses as pages: the shared ones (supervisors, in the console) and each user's own (from the desk).

Views only translate: the form checks, `desk.canned` saves and decides
who may manage what; the audit log records every change.
"""

from __future__ import annotations

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from agents import roles
from agents.models import CannedResponse
from agents.placeholders import PLACEHOLDERS
from desk import canned
from desk.canned_forms import CannedResponseForm


def supervisor_required(view):
    """Anonymous visitors go to the login page; signed-in users who are no supervisor get 403."""

    @functools.wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not roles.is_supervisor(request.user):
            raise PermissionDenied("Only supervisors and administrators manage shared responses.")
        return view(request, *args, **kwargs)

    return wrapper


def _owner(request, personal: bool):
    return request.user if personal else None


def _list_url(personal: bool) -> str:
    return "agents:desk_canned_list" if personal else "agents:canned_list"


def _get(request, pk: int, personal: bool) -> CannedResponse:
    response = get_object_or_404(
        CannedResponse.objects.prefetch_related("services"), pk=pk, owner=_owner(request, personal)
    )
    if not canned.may_manage(request.user, response):
        raise Http404
    return response


def _context(request, personal: bool, **extra) -> dict:
    return {
        "personal": personal,
        "list_url": _list_url(personal),
        "placeholders": [("{{" + name + "}}", what) for name, what in PLACEHOLDERS.items()],
        "is_supervisor": roles.is_supervisor(request.user),
        **extra,
    }


def response_list(request, personal: bool):
    rows = CannedResponse.objects.filter(owner=_owner(request, personal)).prefetch_related(
        "services"
    )
    return render(request, "agents/canned_list.html", _context(request, personal, responses=rows))


def response_edit(request, personal: bool, pk: int | None = None):
    instance = _get(request, pk, personal) if pk is not None else None
    form = CannedResponseForm(
        request.POST or None, instance=instance, owner=_owner(request, personal)
    )
    if request.method == "POST" and form.is_valid():
        response = form.save(commit=False)
        canned.save(response, services=form.cleaned_data.get("services"))
        text = _("Canned response “%(shortcut)s” saved.") % {"shortcut": response}
        messages.success(request, text)
        return redirect(_list_url(personal))
    return render(
        request,
        "agents/canned_form.html",
        _context(request, personal, form=form, response=instance),
    )


def response_delete(request, personal: bool, pk: int):
    response = _get(request, pk, personal)
    if request.method == "POST":
        canned.delete(response)
        text = _("Canned response “%(shortcut)s” deleted.") % {"shortcut": response}
        messages.success(request, text)
        return redirect(_list_url(personal))
    return render(
        request, "agents/canned_delete.html", _context(request, personal, response=response)
    )


shared_list = supervisor_required(functools.partial(response_list, personal=False))
shared_edit = supervisor_required(functools.partial(response_edit, personal=False))
shared_delete = supervisor_required(functools.partial(response_delete, personal=False))
personal_list = login_required(functools.partial(response_list, personal=True))
personal_edit = login_required(functools.partial(response_edit, personal=True))
personal_delete = login_required(functools.partial(response_delete, personal=True))
