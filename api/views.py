"""Settings → API tokens: administrators create and revoke the tokens scripts use."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from api import tokens
from api.forms import TokenCreateForm
from occ.lib.permissions import administrator_required


@administrator_required
def token_list(request, status: int = 200):
    users = (
        get_user_model()
        .objects.filter(is_active=True)
        .select_related("auth_token")
        .order_by("username")
    )
    new_key = request.session.pop("occ_new_api_token", None)
    return render(request, "api/tokens.html", {"users": users, "new_key": new_key}, status=status)


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
