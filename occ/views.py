from django.contrib.auth.decorators import login_required
from django.http import HttpResponsePermanentRedirect
from django.shortcuts import redirect
from django.templatetags.static import static

from agents import roles


@login_required
def home(request):
    """Administrators land on the console, supervisors on the supervisor view, agents on their desk."""
    if roles.is_administrator(request.user):
        return redirect("advanced_settings:chat_channel")
    if roles.is_supervisor(request.user):
        return redirect("agents:supervisor")
    return redirect("agents:desk")


def favicon(request):
    """Browsers and tools ask for /favicon.ico whatever the page links; the icon is the SVG.

    Resolved per request: with the production's manifest storage the hashed
    name exists only after collectstatic.
    """
    return HttpResponsePermanentRedirect(static("img/favicon.svg"))
