"""Supervisors' pages: transcripts of any conversation, open or closed (read only).

The live view (desk/desk_views.py:supervisor) watches open conversations
over the desk's WebSocket; these pages read what was said afterwards. Both
use the one visibility rule (interactions.selectors): supervisors and
administrators see every conversation.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import render

from desk import selectors as desk
from interactions.models import InteractionState
from interactions.selectors import visible_interactions
from occ.lib.permissions import supervisor_required
from services.models import Service

PAGE_SIZE = 50
STATES = {
    "closed": [InteractionState.CLOSED],
    "open": [InteractionState.QUEUED, InteractionState.ASSIGNED],
}


@supervisor_required
def transcript_list(request):
    """Conversations, newest first: closed ones by default; by contact, service or state."""
    state = request.GET.get("state", "closed")
    query = (request.GET.get("q") or "").strip()[:100]
    service_id = request.GET.get("service") or ""
    rows = visible_interactions(request.user).select_related("contact", "service", "agent__user")
    if state in STATES:
        rows = rows.filter(state__in=STATES[state])
    if query:
        rows = rows.filter(Q(contact__name__icontains=query) | Q(contact__address__icontains=query))
    if service_id.isdigit():
        rows = rows.filter(service_id=int(service_id))
    page = Paginator(rows.order_by("-created_at", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "page": page,
        "state": state if state in STATES else "all",
        "q": query,
        "service_id": int(service_id) if service_id.isdigit() else None,
        "services": Service.objects.order_by("name"),
    }
    return render(request, "supervise/transcript_list.html", context)


@supervisor_required
def transcript(request, interaction_id: int):
    interaction = (
        visible_interactions(request.user)
        .select_related("contact", "service", "agent__user", "closed_by", "close_reason")
        .filter(pk=interaction_id)
        .first()
    )
    if interaction is None:
        raise Http404
    return render(request, "supervise/transcript.html", desk.transcript(interaction))
