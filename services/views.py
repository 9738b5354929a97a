"""Services in the console: list, create, edit, deactivate."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from occ.lib.permissions import administrator_required
from services import actions
from services import hours as business_hours
from services import messages as catalogue
from services.forms import MessagesForm, ServiceForm, hours_asked, hours_forms
from services.models import MessageKind, Service
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
    # A new service answers customers on its own from the start (the messages can be edited after).
    form = ServiceForm(
        request.POST or None,
        initial={
            "chat_enabled": True,
            "queue_position_reply": True,
            "no_agent_reply": True,
            "default_language": request.LANGUAGE_CODE
            if request.LANGUAGE_CODE in ("en", "it")
            else "en",
        },
    )
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


@administrator_required
def service_hours(request, pk: int):
    """Business hours: the settings, the weekly ranges (several a day) and closures. Audited."""
    service = get_object_or_404(Service, pk=pk)
    data = request.POST if request.method == "POST" else None
    form, ranges, closures = hours_forms(service, data)
    if data is not None and form.is_valid() and ranges.is_valid() and closures.is_valid():
        actions.set_business_hours(service, **hours_asked(form, ranges, closures))
        messages.success(request, _("Business hours of “%(name)s” saved.") % {"name": service.name})
        return redirect("services:hours", pk=service.pk)
    stored = Service.objects.get(pk=pk)
    schedule = business_hours.schedule(stored)
    now = timezone.now()
    return render(
        request,
        "services/hours.html",
        {
            "service": stored,
            "form": form,
            "ranges": ranges,
            "closures": closures,
            "open_now": schedule.is_open(now),
            "next_opening": schedule.next_opening(now),
        },
    )


@administrator_required
def service_messages(request, pk: int):
    """The automatic messages of a service, per kind and language; empty keeps the default. Audited."""
    service = get_object_or_404(Service, pk=pk)
    form = MessagesForm(service, request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
        messages.success(
            request, _("Automatic messages of “%(name)s” saved.") % {"name": service.name}
        )
        return redirect("services:messages", pk=service.pk)
    groups = [
        {
            "kind": kind,
            "label": label,
            "placeholders": ["{" + name + "}" for name in catalogue.PLACEHOLDERS[kind]],
            "fields": [
                form[MessagesForm.field_name(kind, code)] for code, _name in settings.LANGUAGES
            ],
        }
        for kind, label in MessageKind.choices
    ]
    return render(
        request, "services/messages.html", {"service": service, "form": form, "groups": groups}
    )
