"""The desk's pages beyond the live conversation: Closed and All, search, a conversation's
history (reopen), contacts (the customer panel, start a conversation, merge).

Server-rendered; they only translate: reads are `interactions.search` and
`interactions.selectors` (the one visibility rule), writes are actions.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agents.roles import is_supervisor
from desk.history_forms import ContactForm, MergeForm, SearchForm
from desk.selectors import desk_attribution, profile_for
from interactions import search, selectors
from interactions.actions import ActionError, contacts, lifecycle
from interactions.models import Contact, ContactAttribute, Interaction

HISTORY_PER_PAGE = 50


def _render(request, template: str, context: dict, status: int = 200):
    """render(), with what the tabs need (whether the user may see All)."""
    return render(
        request, template, {"supervisor": is_supervisor(request.user), **context}, status=status
    )


def _page_number(request) -> int:
    try:
        return max(1, int(request.GET.get("page", "1")))
    except ValueError:
        return 1


@login_required
def conversations(request):
    """Closed (mine, newest first) and, for supervisors, All; both searchable."""
    view = request.GET.get("view", "closed")
    supervisor = is_supervisor(request.user)
    if view != "all" or not supervisor:
        view = "closed"
    form = SearchForm(request.GET or None)
    filters = (
        form.filters(closed_only=view == "closed")
        if form.is_bound
        else search.Filters(closed_only=view == "closed")
    )
    page = search.search(request.user, filters, page=_page_number(request))
    query = request.GET.copy()
    query.pop("page", None)
    return _render(
        request,
        "agents/conversations.html",
        {
            "view": view,
            "form": form,
            "page": page,
            "searched": not filters.is_empty(),
            # The filters beyond words and contact are folded away unless one is in use.
            "filtered": any(
                request.GET.get(name)
                for name in ("label", "close_reason", "service", "agent", "date_from", "date_to")
            ),
            "query": query.urlencode(),
        },
    )


def _visible_interaction(request, pk: int) -> Interaction:
    interaction = get_object_or_404(
        Interaction.objects.select_related("service", "contact", "close_reason", "agent__user"),
        pk=pk,
    )
    if not selectors.can_view(request.user, interaction):
        raise Http404
    return interaction


def _panel_context(request, contact: Contact, *, interaction: Interaction | None = None, form=None):
    history = selectors.contact_history(contact.pk)
    visible = set(
        selectors.visible_interactions(request.user)
        .filter(contact=contact)
        .values_list("pk", flat=True)[:200]
    )
    return {
        "contact": contact,
        "contact_form": form or ContactForm(contact=contact),
        "attributes": [
            (d, (contact.attributes or {}).get(d.key, "")) for d in ContactAttribute.objects.all()
        ],
        "previous": [
            row
            for row in history[:20]
            if row.pk in visible and (interaction is None or row.pk != interaction.pk)
        ],
        "attribution": desk_attribution(interaction) if interaction is not None else None,
        "interaction": interaction,
        "labels": list(interaction.labels.all()) if interaction is not None else [],
    }


@login_required
def conversation_history(request, pk: int):
    """One conversation's whole history (any state), with the customer panel; reopen if closed."""
    interaction = _visible_interaction(request, pk)
    context = _panel_context(request, interaction.contact, interaction=interaction)
    context.update(
        {
            "messages_list": [
                {**selectors.message_view(m, interaction.channel), "at": m.created_at}
                for m in selectors.messages_of(interaction)
            ],
            "can_act": selectors.can_act(request.user, interaction),
            "events": list(interaction.events.select_related("agent__user")),
        }
    )
    return _render(request, "agents/conversation_history.html", context)


@login_required
@require_POST
def reopen(request, pk: int):
    interaction = _visible_interaction(request, pk)
    try:
        interaction, assigned = lifecycle.reopen_interaction(interaction.pk, actor=request.user)
    except ActionError as exc:
        messages.error(request, str(exc))
        return redirect("agents:conversation_history", pk=pk)
    if assigned:
        messages.success(request, _("Reopened: the conversation is yours again."))
        return redirect(reverse("agents:desk") + f"?open={interaction.pk}")
    messages.success(
        request,
        _("Reopened: you hold your Max interactions or are not online, so it waits in the queue."),
    )
    return redirect("agents:conversation_history", pk=pk)


# --- contacts ---------------------------------------------------------------------------


@login_required
def contact_list(request):
    query = request.GET.get("q", "")[:100]
    paginator = Paginator(selectors.find_contacts(request.user, query), 50)
    page = paginator.get_page(request.GET.get("page"))
    return _render(request, "agents/contacts.html", {"page": page, "q": query})


def _visible_contact(request, pk: int) -> Contact:
    contact = get_object_or_404(Contact, pk=pk)
    if not selectors.visible_contacts(request.user).filter(pk=pk).exists():
        raise Http404
    return contact


@login_required
def contact_detail(request, pk: int):
    contact = _visible_contact(request, pk)
    rows = selectors.contact_history(contact.pk)
    if not is_supervisor(request.user):
        rows = rows.filter(pk__in=selectors.visible_interactions(request.user).values("pk"))
    page = Paginator(rows, HISTORY_PER_PAGE).get_page(request.GET.get("page"))
    profile = profile_for(request.user)
    context = _panel_context(request, contact)
    context.update(
        {
            "history_page": page,
            "services": list(profile.services.order_by("name")) if profile else [],
            "merge_form": MergeForm(),
        }
    )
    return _render(request, "agents/contact_detail.html", context)


@login_required
def contact_panel(request, pk: int):
    """The customer panel beside the desk's conversation (a fragment the desk fetches)."""
    contact = _visible_contact(request, pk)
    interaction = None
    if request.GET.get("interaction"):
        interaction = _visible_interaction(request, int(request.GET["interaction"]))
    return _render(
        request,
        "agents/_customer_panel.html",
        _panel_context(request, contact, interaction=interaction),
    )


def _back(request, default: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    return default


@login_required
@require_POST
def contact_edit(request, pk: int):
    contact = _visible_contact(request, pk)
    form = ContactForm(request.POST, contact=contact)
    saved = False
    if form.is_valid():
        try:
            contacts.update_contact(
                contact.pk,
                name=form.cleaned_data["name"],
                language=form.cleaned_data["language"],
                note=form.cleaned_data["note"],
                attributes=form.attributes(),
            )
            saved = True
        except ActionError as exc:
            form.add_error(None, str(exc))
    if request.headers.get("X-OCC-Fragment"):  # the desk's panel: the panel again, in place
        contact.refresh_from_db()
        interaction = None
        if request.POST.get("interaction"):
            interaction = _visible_interaction(request, int(request.POST["interaction"]))
        context = _panel_context(
            request, contact, interaction=interaction, form=None if saved else form
        )
        context["saved"] = saved
        return _render(
            request, "agents/_customer_panel.html", context, status=200 if saved else 400
        )
    if saved:
        messages.success(request, _("Contact saved."))
    else:
        messages.error(
            request, " ".join(str(e) for e in form.non_field_errors()) or _("Check the fields.")
        )
    return redirect(_back(request, reverse("agents:contact_detail", args=[pk])))


@login_required
@require_POST
def contact_start(request, pk: int):
    contact = _visible_contact(request, pk)
    try:
        service_id = int(request.POST.get("service", ""))
        interaction = lifecycle.start_conversation(contact.pk, service_id, actor=request.user)
    except ValueError:
        messages.error(request, _("Choose a service."))
    except ActionError as exc:
        messages.error(request, str(exc))
    else:
        return redirect(reverse("agents:desk") + f"?open={interaction.pk}")
    return redirect("agents:contact_detail", pk=pk)


@login_required
def contact_merge(request, pk: int):
    """Merge another contact into this one: find it (GET ?other=), check, confirm (POST)."""
    contact = _visible_contact(request, pk)
    other = None
    candidates: list[Contact] = []
    if request.method == "POST":
        other = _visible_contact(request, int(request.POST.get("other_id", "0") or 0))
        try:
            contacts.merge_contacts(contact.pk, other.pk, actor=request.user)
        except ActionError as exc:
            messages.error(request, str(exc))
            return redirect("agents:contact_detail", pk=pk)
        messages.success(request, _("Merged: every conversation is now under this contact."))
        return redirect("agents:contact_detail", pk=pk)
    form = MergeForm(request.GET or None)
    if form.is_valid():
        candidates = list(
            selectors.find_contacts(request.user, form.cleaned_data["other"]).exclude(pk=pk)[:10]
        )
    if request.GET.get("other_id"):
        other = _visible_contact(request, int(request.GET["other_id"]))
    return _render(
        request,
        "agents/contact_merge.html",
        {
            "contact": contact,
            "form": form,
            "candidates": candidates,
            "other": other,
            "other_count": other.interactions.count() if other else 0,
        },
    )
