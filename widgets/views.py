"""Settings → Widget: the console pages (administrators only)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from occ.lib.permissions import administrator_required
from whatsapp.urls_public import public_base_url
from widgets import qr, selectors
from widgets.forms import WidgetForm
from widgets.models import Widget


@administrator_required
def widget_list(request):
    widgets = selectors.with_figures(Widget.objects.select_related("whatsapp_service"))
    return render(request, "widgets/list.html", {"widgets": widgets})


@administrator_required
def widget_create(request):
    form = WidgetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        widget = form.save()
        messages.success(request, _("Widget “%(name)s” created.") % {"name": widget.name})
        return redirect("widgets:edit", pk=widget.pk)
    return render(request, "widgets/form.html", {"form": form, "widget": None})


@administrator_required
def widget_edit(request, pk: int):
    widget = get_object_or_404(Widget.objects.select_related("whatsapp_service"), pk=pk)
    form = WidgetForm(request.POST or None, instance=widget)
    if request.method == "POST":
        if form.is_valid():
            form.save()
            messages.success(request, _("Widget “%(name)s” saved.") % {"name": widget.name})
            return redirect("widgets:edit", pk=widget.pk)
        widget.refresh_from_db()
    return render(
        request, "widgets/form.html", {"form": form, "widget": widget, **_preview(request, widget)}
    )


@administrator_required
def widget_preview(request, pk: int):
    """A plain page with nothing but the snippet: the widget exactly as a website shows it."""
    widget = get_object_or_404(Widget, pk=pk)
    response = render(
        request, "widgets/preview.html", {"widget": widget, **_preview(request, widget)}
    )
    # The snippet loads the widget from the public URL, which may be another
    # origin than the one the administrator is using (a tunnel, a proxy):
    # this page's policy allows it as any website's policy would have to.
    public = public_base_url(request)
    response._csp_update = {"script-src": [public], "connect-src": [public], "img-src": [public]}
    return response


@administrator_required
@require_POST
def widget_delete(request, pk: int):
    widget = get_object_or_404(Widget, pk=pk)
    widget.delete()
    messages.success(request, _("Widget “%(name)s” deleted.") % {"name": widget.name})
    return redirect("widgets:list")


def _preview(request, widget: Widget) -> dict:
    """The snippet, the QR code visitors see, and the widget's figures."""
    base = public_base_url(request)
    script_url = base + reverse("widgets:embed")
    snippet = f'<script src="{script_url}" data-occ-widget="{widget.public_key}" async></script>'
    snippet_html = format_html(
        '<script src="{}" data-occ-widget="{}" async></script>', script_url, widget.public_key
    )
    service = widget.whatsapp_service
    channel = selectors.whatsapp_channel(widget)
    qr_svg = None
    if channel is not None:
        svg, _digest = qr.render(channel.app_link, "svg")
        # Our own rendering of our own link: safe to inline.
        qr_svg = mark_safe(svg.decode().split("?>", 1)[-1])
    figures = selectors.with_figures(Widget.objects.filter(pk=widget.pk)).get()
    return {
        "snippet": snippet,  # shown as text (escaped)
        "snippet_html": snippet_html,  # embedded (the sample page)
        "channel": channel,
        "qr_svg": qr_svg,
        "served": selectors.served_widget(widget.public_key) is not None,
        "service_not_ready": bool(service and not service.whatsapp_ready),
        "qr_png_url": base + reverse("widgets:qr_png", args=[widget.public_key]),
        "qr_svg_url": base + reverse("widgets:qr_svg", args=[widget.public_key]),
        "figures": figures,
        "attributed": selectors.recent_attributed_visits(widget),
    }
