"""Settings → Webhooks: register receiver URLs and read the delivery log."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hooks import actions
from hooks.delivery import redeliver
from hooks.forms import EndpointForm
from hooks.models import Delivery, DeliveryState, Endpoint
from occ.lib.permissions import administrator_required


@administrator_required
def endpoint_list(request):
    form = EndpointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        endpoint, secret = actions.create_endpoint(
            url=form.cleaned_data["url"],
            description=form.cleaned_data["description"],
            event_types=form.cleaned_data["event_types"],
            is_active=form.cleaned_data["is_active"],
            created_by=request.user,
        )
        messages.success(
            request, _("Webhook registered. Configure the receiver with its signing secret.")
        )
        return redirect("hooks:detail", endpoint.pk)
    endpoints = Endpoint.objects.all()
    return render(request, "hooks/endpoint_list.html", {"form": form, "endpoints": endpoints})


@administrator_required
def endpoint_detail(request, pk: int):
    endpoint = get_object_or_404(Endpoint, pk=pk)
    form = EndpointForm(request.POST or None, instance=endpoint)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Webhook saved."))
        return redirect("hooks:detail", endpoint.pk)
    deliveries = (
        Delivery.objects.filter(endpoint=endpoint)
        .select_related("event")
        .prefetch_related("attempt_log")
    )
    state = request.GET.get("state", "")
    if state in DeliveryState.values:
        deliveries = deliveries.filter(state=state)
    page = Paginator(deliveries, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "hooks/endpoint_detail.html",
        {
            "endpoint": endpoint,
            "form": form,
            "page": page,
            "state": state,
            "states": DeliveryState.choices,
            "secret": endpoint.get_secret(),
        },
    )


@administrator_required
@require_POST
def endpoint_delete(request, pk: int):
    endpoint = get_object_or_404(Endpoint, pk=pk)
    endpoint.delete()
    messages.success(request, _("Webhook removed."))
    return redirect("hooks:list")


@administrator_required
@require_POST
def endpoint_rotate_secret(request, pk: int):
    endpoint = get_object_or_404(Endpoint, pk=pk)
    actions.rotate_secret(endpoint)
    messages.success(request, _("New signing secret created: update the receiver."))
    return redirect("hooks:detail", endpoint.pk)


@administrator_required
@require_POST
def delivery_redeliver(request, pk: int):
    delivery = get_object_or_404(Delivery, pk=pk)
    redeliver(delivery)
    messages.success(request, _("Delivery scheduled again."))
    return redirect("hooks:detail", delivery.endpoint_id)
