"""Services in the console: list, create, edit, deactivate."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from occ.lib.permissions import administrator_required
from services.forms import ServiceForm
from services.models import Service
from settings.models import ChatChannelSettings

logger = logging.getLogger(__name__)


@administrator_required
def service_list(request):
    account = ChatChannelSettings.load()
    services = list(Service.objects.all())
    for service in services:
        service.problems = service.whatsapp_problems(account)  # type: ignore[attr-defined]
    return render(request, "services/list.html", {"services": services, "account": account})


@administrator_required
def service_create(request):
    form = ServiceForm(request.POST or None, initial={"chat_enabled": True})
    if request.method == "POST" and form.is_valid():
        service = form.save()
        _audit(request, "created", service)
        messages.success(request, _("Service “%(name)s” created.") % {"name": service.name})
        return redirect("services:list")
    return render(
        request,
        "services/form.html",
        {"form": form, "service": None, "account": ChatChannelSettings.load()},
    )


@administrator_required
def service_edit(request, pk: int):
    service = get_object_or_404(Service, pk=pk)
    form = ServiceForm(request.POST or None, instance=service)
    if request.method == "POST" and form.is_valid():
        service = form.save()
        _audit(request, "saved", service)
        messages.success(request, _("Service “%(name)s” saved.") % {"name": service.name})
        return redirect("services:list")
    # Reload for the heading: the form's instance holds unsaved input.
    stored = Service.objects.get(pk=pk)
    return render(
        request,
        "services/form.html",
        {"form": form, "service": stored, "account": ChatChannelSettings.load()},
    )


@administrator_required
@require_POST
def service_set_active(request, pk: int, active: bool):
    service = get_object_or_404(Service, pk=pk)
    # update_fields: deactivating must not trip over the WhatsApp rules of Service.clean().
    service.is_active = active
    service.save(update_fields=["is_active"])
    _audit(request, "activated" if active else "deactivated", service)
    if active:
        messages.success(request, _("Service “%(name)s” activated.") % {"name": service.name})
    else:
        messages.success(
            request,
            _("Service “%(name)s” deactivated: it takes no new WhatsApp messages.")
            % {"name": service.name},
        )
    return redirect("services:list")


def _audit(request, what: str, service: Service) -> None:
    logger.info(
        "service %s (%s) %s by %s: chat %s, WhatsApp %s, number %s",
        service.pk,
        service.name,
        what,
        request.user.get_username(),
        "on" if service.chat_enabled else "off",
        "on" if service.whatsapp_enabled else "off",
        service.twilio_number or "-",
    )
