from django.contrib.auth.decorators import login_required
from django.http import HttpResponsePermanentRedirect
from django.shortcuts import redirect, render
from django.templatetags.static import static

from agents import roles
from occ import selectors
from occ.lib.permissions import administrator_required


@login_required
def home(request):
    """Administrators land on the console, supervisors on the supervisor view, agents on their desk."""
    if roles.is_administrator(request.user):
        return redirect("console_home")
    if roles.is_supervisor(request.user):
        return redirect("agents:supervisor")
    return redirect("agents:desk")


@administrator_required
def console_home(request):
    """The console's home: the first-run setup checklist (folded once every step is done) and figures."""
    return render(
        request,
        "console/home.html",
        {"checklist": selectors.setup_checklist(), "overview": selectors.console_overview()},
    )


def favicon(request):
    """Browsers and tools ask for /favicon.ico whatever the page links; the icon is the SVG.

    Resolved per request: with the production's manifest storage the hashed
    name exists only after collectstatic.
    """
    return HttpResponsePermanentRedirect(static("img/favicon.svg"))
