from django.contrib.auth.decorators import login_required
from django.http import HttpResponsePermanentRedirect
from django.shortcuts import redirect
from django.templatetags.static import static


@login_required
def home(request):
    """Administrators land on the console, agents on their desk."""
    if request.user.is_staff:
        return redirect("advanced_settings:chat_channel")
    return redirect("agents:desk")


def favicon(request):
    """Browsers and tools ask for /favicon.ico whatever the page links; the icon is the SVG.

    Resolved per request: with the production's manifest storage the hashed
    name exists only after collectstatic.
    """
    return HttpResponsePermanentRedirect(static("img/favicon.svg"))
