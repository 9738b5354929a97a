"""The agent desk and the supervisor view (pages), and the files a desk shows or sends.

Their scripts take their words from Django's JavaScript catalogue (/jsi18n/).

The pages are shells: their state comes over the WebSocket
(desk/consumers.py). Media of customers is fetched from Twilio by the
server, so the Auth Token never reaches a browser.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from agents.roles import is_administrator, is_supervisor
from desk import actions, desk_files
from interactions import selectors
from interactions.models import Message
from occ.lib import channels, file_safety
from occ.lib.permissions import administrator_required, supervisor_required


@login_required
def desk(request):
    if getattr(request.user, "agent_profile", None) is None:
        # No desk to show: an administrator can become an agent here; anyone else is told why.
        return render(
            request,
            "agents/desk_no_profile.html",
            {
                "can_become": is_administrator(request.user),
                "can_supervise": is_supervisor(request.user),
            },
        )
    return render(
        request,
        "agents/desk.html",
        {
            "templates": channels.templates(),
            "is_supervisor": is_supervisor(request.user),
            "auto_away_minutes": max(0, settings.OCC_AUTO_AWAY_MINUTES),
            "typing_indicator": settings.OCC_TYPING_INDICATOR,
        },
    )


@administrator_required
@require_POST
def become_agent(request):
    actions.become_agent(request.user)
    return redirect("agents:desk")


@supervisor_required
def supervisor(request):
    from desk.service_selectors import automation_overview

    return render(request, "agents/supervisor.html", {"automation": automation_overview()})


def _visible_attachment(user, message_id: int, index: int) -> tuple[Message, dict]:
    """The message and its attachment `index`, or 404: unknown, not `user`'s to see, or no file there."""
    message = get_object_or_404(Message.objects.select_related("interaction"), pk=message_id)
    # The one visibility rule (interactions.selectors.visible_interactions), as the desk and the API.
    if not selectors.can_view(user, message.interaction):
        raise Http404
    attachments = message.attachments or []
    if not 0 <= index < len(attachments) or not attachments[index].get("url"):
        raise Http404
    return message, attachments[index]


@login_required
@require_GET
def media(request, message_id: int, index: int):
    """A file of a message: a customer's attachment (fetched from Twilio with the account's credentials) or our own.

    Served as data only (occ.lib.file_safety.make_inert): the type is the
    one stored with the message, inline only for pictures and sounds.
    """
    message, item = _visible_attachment(request.user, message_id, index)
    download = bool(request.GET.get("download"))
    if message.direction == "out":
        return _own_upload(item, download=download)
    try:
        _fetched_type, data = channels.adapter_for(message.interaction.channel).fetch_media(
            item["url"]
        )
    except channels.MediaUnavailable:
        return HttpResponse(
            _("The file could not be fetched from Twilio."), status=502, content_type="text/plain"
        )
    # The type Twilio's signed webhook gave is the one stored, shown to the desk and served; not the download's.
    content_type = file_safety.normalise_type(item.get("content_type"))
    name = f"message-{message.pk}-{index}.{file_safety.extension_for(content_type)}"
    response = file_safety.make_inert(HttpResponse(data), content_type, name, download=download)
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
@require_GET
def media_contact(request, message_id: int, index: int):
    """A customer's shared contact (vCard) as JSON data for the desk's card: names and numbers only."""
    from desk import vcard

    message, item = _visible_attachment(request.user, message_id, index)
    if not vcard.is_vcard(item.get("content_type")) or message.direction != "in":
        raise Http404
    try:
        _type, data = channels.adapter_for(message.interaction.channel).fetch_media(item["url"])
    except channels.MediaUnavailable:
        return JsonResponse({"error": _("The file could not be fetched from Twilio.")}, status=502)
    response = JsonResponse({"contacts": vcard.parse(data)})
    response["Cache-Control"] = "private, max-age=3600"
    return response


def _own_upload(item: dict, *, download: bool):
    stored = desk_files.find(desk_files.token_of(item.get("url", "")))
    if stored is None:
        raise Http404
    response = FileResponse(desk_files.open_stored(stored))
    response["Cache-Control"] = "private, max-age=3600"
    return file_safety.make_inert(response, stored.content_type, stored.name, download=download)


@login_required
@require_POST
def upload(request):
    upload = request.FILES.get("file")
    if upload is None:
        return JsonResponse({"error": _("Choose a file.")}, status=400)
    try:
        stored = desk_files.save_upload(upload, user=request.user)
    except file_safety.Refused as exc:
        return JsonResponse({"error": str(exc), "errors": {"file": [str(exc)]}}, status=400)
    return JsonResponse(stored, status=201)


@never_cache
@require_GET
def desk_file(request, token: str, name: str):
    """An attachment of a reply, public at its unguessable URL while Twilio needs it (then 404)."""
    stored = desk_files.fetch_public(token, name)
    if stored is None:
        raise Http404
    # Twilio requires the type served to match the file (FACTS: media limits): the checked type.
    response = FileResponse(desk_files.open_stored(stored))
    return file_safety.make_inert(response, stored.content_type, stored.name)
