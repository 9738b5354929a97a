"""Settings → Contact attributes: the custom attributes agents fill in the customer panel (audit-logged)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from desk.history_forms import ContactAttributeForm
from interactions.models import ContactAttribute
from occ.lib.permissions import administrator_required


@administrator_required
def attribute_list(request):
    return render(
        request, "agents/attribute_list.html", {"attributes": ContactAttribute.objects.all()}
    )


@administrator_required
def attribute_edit(request, pk: int | None = None):
    attribute = get_object_or_404(ContactAttribute, pk=pk) if pk else None
    form = ContactAttributeForm(request.POST or None, instance=attribute)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Contact attribute saved."))
        return redirect("agents:attribute_list")
    return render(request, "agents/attribute_form.html", {"form": form, "attribute": attribute})


@administrator_required
@require_POST
def attribute_delete(request, pk: int):
    get_object_or_404(ContactAttribute, pk=pk).delete()
    messages.success(request, _("Contact attribute deleted; the values contacts had are kept."))
    return redirect("agents:attribute_list")
