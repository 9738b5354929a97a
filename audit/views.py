"""The audit log page for administrators, and the throttled log-in page."""

from __future__ import annotations

from django.contrib.auth.views import LoginView
from django.core.paginator import Paginator
from django.shortcuts import render

from audit import selectors
from audit.forms import ThrottledAuthenticationForm
from occ.lib.permissions import administrator_required


@administrator_required
def audit_log(request):
    object_type = request.GET.get("type", "")
    page = Paginator(selectors.entries(object_type), 50).get_page(request.GET.get("page"))
    rows = [
        {
            "entry": entry,
            "type_label": selectors.object_type_label(entry),
            "lines": selectors.change_lines(entry),
        }
        for entry in page.object_list
    ]
    return render(
        request,
        "audit/log.html",
        {
            "page": page,
            "rows": rows,
            "object_type": object_type,
            "object_types": selectors.object_types(),
        },
    )


class ThrottledLoginView(LoginView):
    form_class = ThrottledAuthenticationForm
