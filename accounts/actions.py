"""Writes of accounts: invitations, two-factor enrolment and reset, each audit-logged."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import two_factor
from accounts.models import Invitation
from audit.models import AuditEntry
from audit.receivers import record

logger = logging.getLogger(__name__)


def base_url(request) -> str:
    """Where links in e-mails point: the public URL when configured, else the one the request used."""
    return settings.OCC_PUBLIC_BASE_URL or request.build_absolute_uri("/").rstrip("/")


def invitation_link(user, root: str) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return root + reverse("accounts:invitation", kwargs={"uidb64": uid, "token": token})


def _send_invitation(user, invitation: Invitation, root: str, invited_by) -> None:
    context = {
        "user": user,
        "link": invitation_link(user, root),
        "invited_by": invited_by.get_full_name() or invited_by.get_username(),
        "days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
        "username": user.get_username(),
    }
    subject = render_to_string("accounts/email/invitation_subject.txt", context).strip()
    body = render_to_string("accounts/email/invitation_body.txt", context)
    send_mail(subject, body, None, [invitation.email])


@transaction.atomic
def invite(
    *,
    username: str,
    first_name: str,
    last_name: str,
    email: str,
    is_staff: bool,
    invited_by,
    root: str,
):
    """Create a user without a usable password and e-mail them a link to choose one."""
    from agents.models import AgentProfile

    user = get_user_model()(
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=email,
        is_staff=is_staff,
    )
    user.set_unusable_password()
    user.save()
    AgentProfile.objects.get_or_create(user=user)
    invitation = Invitation.objects.create(user=user, email=email, invited_by=invited_by)
    record(user, AuditEntry.Action.CHANGED, {"invitation": {"event": "sent", "to": email}})
    transaction.on_commit(lambda: _send_invitation(user, invitation, root, invited_by))
    logger.info("user %s invited by %s", username, invited_by.get_username())
    return user


class InvitationNotPending(Exception):
    """The user already chose a password: there is nothing to accept any more."""


@transaction.atomic
def resend_invitation(user, *, invited_by, root: str) -> Invitation:
    """Send the invitation again, to the user's current e-mail, with a fresh link."""
    if user.has_usable_password():
        raise InvitationNotPending
    invitation, created = Invitation.objects.get_or_create(
        user=user, defaults={"email": user.email, "invited_by": invited_by}
    )
    if not created:
        invitation.email = user.email
        invitation.sent_at = timezone.now()
        invitation.times_sent += 1
        invitation.save(update_fields=["email", "sent_at", "times_sent"])
    record(
        user, AuditEntry.Action.CHANGED, {"invitation": {"event": "resent", "to": invitation.email}}
    )
    transaction.on_commit(lambda: _send_invitation(user, invitation, root, invited_by))
    logger.info("invitation of %s sent again by %s", user.get_username(), invited_by.get_username())
    return invitation


def invitation_accepted(user) -> None:
    Invitation.objects.filter(user=user, accepted_at__isnull=True).update(
        accepted_at=timezone.now()
    )


def enrolment_device(user) -> TOTPDevice:
    """The user's unconfirmed authenticator device, kept until confirmed so the QR code stays the same."""
    device = two_factor.totp_device(user, confirmed=False)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    return device


@transaction.atomic
def confirm_enrolment(user, device: TOTPDevice) -> list[str]:
    """Turn two-factor on with this (verified) device; the fresh recovery codes are returned once."""
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = two_factor.new_recovery_codes(user)
    record(user, AuditEntry.Action.CHANGED, {"two_factor": {"event": "enabled"}})
    logger.info("two-factor sign-in enabled by %s", user.get_username())
    return codes


@transaction.atomic
def regenerate_recovery_codes(user) -> list[str]:
    codes = two_factor.new_recovery_codes(user)
    record(user, AuditEntry.Action.CHANGED, {"two_factor": {"event": "recovery_codes"}})
    return codes


def _remove_devices(user) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


@transaction.atomic
def disable(user) -> None:
    """The user turns two-factor off (having given a code)."""
    _remove_devices(user)
    record(user, AuditEntry.Action.CHANGED, {"two_factor": {"event": "disabled"}})
    logger.info("two-factor sign-in disabled by %s", user.get_username())


@transaction.atomic
def reset_by_administrator(user, *, by) -> None:
    """A user lost their phone: remove their devices; they sign in with the password and enrol again."""
    _remove_devices(user)
    record(user, AuditEntry.Action.CHANGED, {"two_factor": {"event": "reset"}})
    logger.info("two-factor sign-in of %s reset by %s", user.get_username(), by.get_username())
