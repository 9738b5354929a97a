"""API tokens: administrators create and revoke the tokens scripts use (Settings → API tokens);
every user sees their own token (prefix, created, last used) and can revoke it (Security → API token)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agents.roles import Role, roles_of
from api import tokens
from api.forms import TokenCreateForm
from occ.lib.permissions import administrator_required


@administrator_required
def token_list(request, status: int = 200):
    users = list(get_user_model().objects.filter(is_active=True).order_by("username"))
    found = tokens.tokens_of(users)
    roles = roles_of(users)
    role_names = dict(Role.choices)
    rows = [{"user": u, "token": found.get(u.pk), "role": role_names[roles[u.pk]]} for u in users]
    new_key = request.session.pop("occ_new_api_token", None)
    return render(request, "api/tokens.html", {"rows": rows, "new_key": new_key}, status=status)


@administrator_required
@require_POST
def token_create(request):
    form = TokenCreateForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("user", []):
            messages.error(request, error)
        return token_list(request, status=400)
    user = form.cleaned_data["user"]
    key = tokens.create_token(user)
    # Shown once, on the next page only.
    request.session["occ_new_api_token"] = {"username": user.get_username(), "key": key}
    messages.success(
        request,
        _("Token created for %(user)s. Copy it now: it is shown only once.")
        % {"user": user.get_username()},
    )
    return redirect("api_console:tokens")


@administrator_required
@require_POST
def token_revoke(request, user_id: int):
    user = get_object_or_404(get_user_model(), pk=user_id)
    if tokens.revoke_token(user):
        messages.success(
            request,
            _("Token of %(user)s revoked: scripts using it are refused from now on.")
            % {"user": user.get_username()},
        )
    return redirect("api_console:tokens")


@login_required
def own_token(request):
    """The signed-in user's own token: its prefix, when it was created and last used."""
    found = tokens.tokens_of([request.user]).get(request.user.pk)
    return render(request, "api/own_token.html", {"token": found})


@login_required
@require_POST
def own_token_revoke(request):
    if tokens.revoke_token(request.user):
        messages.success(
            request, _("Your API token is revoked: scripts using it are refused from now on.")
        )
    return redirect("api_own:token")
