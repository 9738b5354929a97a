"""Users → agent profiles, in the administrators' console."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, update_session_auth_hash
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import actions as account_actions
from accounts import two_factor
from agents.forms import AgentCreateForm, AgentProfileForm, UserInviteForm
from agents.models import AgentProfile
from agents.roles import Role, roles_of, set_role
from desk.actions import capacity_changed
from occ.lib.permissions import administrator_required

logger = logging.getLogger(__name__)


@administrator_required
def user_list(request):
    users = list(
        get_user_model()
        .objects.select_related("agent_profile")
        .prefetch_related("agent_profile__services")
        .order_by("username")
    )
    two_factor_users = set(
        TOTPDevice.objects.filter(confirmed=True).values_list("user_id", flat=True)
    )
    role_names = dict(Role.choices)
    roles = roles_of(users)
    for user in users:
        user.role_name = role_names[roles[user.pk]]  # type: ignore[attr-defined]  # for the template
    return render(
        request, "agents/user_list.html", {"users": users, "two_factor_users": two_factor_users}
    )


@administrator_required
def user_invite(request):
    """A new user gets an e-mail with a link to choose their password (no password typed by anyone else)."""
    form = UserInviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        role = data.pop("role") or Role.AGENT
        with transaction.atomic():
            user = account_actions.invite(
                **data,
                is_staff=role == Role.ADMINISTRATOR,
                invited_by=request.user,
                root=account_actions.base_url(request),
            )
            set_role(user, role, actor=request.user)
        messages.success(
            request,
            _(
                "Invitation sent to %(email)s. Now enable the channels, set Max interactions and choose the services."
            )
            % {"email": user.email},
        )
        return redirect("agents:user_edit", pk=user.pk)
    days = max(1, settings.PASSWORD_RESET_TIMEOUT // 86400)
    return render(request, "agents/user_invite.html", {"form": form, "days": days})


@administrator_required
@require_POST
def user_resend_invitation(request, pk: int):
    user = get_object_or_404(get_user_model(), pk=pk)
    if not user.email:
        messages.error(request, _("Enter an e-mail address for this user first."))
        return redirect("agents:user_edit", pk=user.pk)
    try:
        account_actions.resend_invitation(
            user, invited_by=request.user, root=account_actions.base_url(request)
        )
    except account_actions.InvitationNotPending:
        messages.error(
            request, _("“%(name)s” has already chosen a password.") % {"name": user.get_username()}
        )
    else:
        messages.success(request, _("Invitation sent again to %(email)s.") % {"email": user.email})
    return redirect("agents:user_list")


@administrator_required
@require_POST
def user_reset_two_factor(request, pk: int):
    """For a user who lost their phone: they sign in with the password and set two-factor up again."""
    user = get_object_or_404(get_user_model(), pk=pk)
    if not two_factor.has_two_factor(user):
        messages.info(
            request,
            _("“%(name)s” has no two-factor sign-in to reset.") % {"name": user.get_username()},
        )
    else:
        account_actions.reset_by_administrator(user, by=request.user)
        messages.success(
            request,
            _("Two-factor sign-in of “%(name)s” reset: they set it up again at their next log-in.")
            % {"name": user.get_username()},
        )
    return redirect("agents:user_edit", pk=user.pk)


@administrator_required
@sensitive_post_parameters("password1", "password2")
def user_create(request):
    form = AgentCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        logger.info("agent %s created by %s", user.get_username(), request.user.get_username())
        messages.success(
            request,
            _(
                "Agent “%(username)s” created: now enable the channels, set Max interactions and choose the services."
            )
            % {"username": user.get_username()},
        )
        return redirect("agents:user_edit", pk=user.pk)
    return render(request, "agents/user_create.html", {"form": form})


@administrator_required
@sensitive_post_parameters("new_password")
def user_edit(request, pk: int):
    user = get_object_or_404(get_user_model(), pk=pk)
    profile = AgentProfile.objects.filter(user=user).first() or AgentProfile(user=user)
    form = AgentProfileForm(request.POST or None, instance=profile, user=user, editor=request.user)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            profile = form.save()
        logger.info(
            "profile of %s saved by %s: active %s, Chat %s, WhatsApp %s, Max interactions %s, services %s",
            user.get_username(),
            request.user.get_username(),
            user.is_active,
            profile.chat_enabled,
            profile.whatsapp_enabled,
            profile.max_interactions,
            sorted(profile.services.values_list("pk", flat=True)),
        )
        if form.cleaned_data.get("new_password") and user.pk == request.user.pk:
            update_session_auth_hash(request, user)
        # More capacity, another service or a channel switched on: serve the queue now.
        capacity_changed(profile)
        messages.success(
            request, _("Profile of “%(name)s” saved.") % {"name": profile.display_name}
        )
        return redirect("agents:user_list")
    context = {
        "form": form,
        "subject": user,
        "has_two_factor": two_factor.has_two_factor(user),
        "invitation_pending": not user.has_usable_password(),
        "invitation": getattr(user, "invitation", None),
    }
    return render(request, "agents/user_edit.html", context)


@administrator_required
@require_POST
def user_set_active(request, pk: int, active: bool):
    user = get_object_or_404(get_user_model(), pk=pk)
    name = user.get_full_name() or user.get_username()
    if not active and user.pk == request.user.pk:
        messages.error(request, _("You cannot deactivate your own account."))
        return redirect("agents:user_list")
    user.is_active = active
    user.save(update_fields=["is_active"])
    logger.info(
        "user %s %s by %s",
        user.get_username(),
        "activated" if active else "deactivated",
        request.user.get_username(),
    )
    profile = AgentProfile.objects.filter(user=user).first()
    if profile is not None:
        capacity_changed(profile)  # takes waiting customers, or hands held ones back
    if active:
        messages.success(request, _("“%(name)s” activated.") % {"name": name})
    else:
        messages.success(
            request,
            _(
                "“%(name)s” deactivated: they can no longer log in or receive interactions; their open interactions went back to the queue."
            )
            % {"name": name},
        )
    return redirect("agents:user_list")
