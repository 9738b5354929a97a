"""Two-factor sign-in: who must have it, whether a session is verified, checking a code.

The devices are django-otp's: one TOTP device (an authenticator app) and one
static device holding the recovery codes. Only confirmed devices count.
"""

from __future__ import annotations

from django.db import transaction
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import verify_token as otp_verify_token
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import SecuritySettings, TwoFactorRequirement
from agents.roles import is_supervisor

RECOVERY_CODES = 10


def must_have(user) -> bool:
    """The administrators require two-factor sign-in of this user."""
    required = (
        SecuritySettings.objects.filter(pk=1).values_list("two_factor_required", flat=True).first()
    )
    if required == TwoFactorRequirement.EVERYONE:
        return True
    # Supervisors read every conversation: they count as staff here (agents.roles).
    return required == TwoFactorRequirement.STAFF and is_supervisor(user)


def totp_device(user, *, confirmed: bool = True) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=confirmed).order_by("pk").first()


def has_two_factor(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def session_device(user, session) -> Device | None:
    """The confirmed device of `user` this session was verified with, if any."""
    persistent_id = session.get(DEVICE_ID_SESSION_KEY) if session is not None else None
    if not persistent_id:
        return None
    device = Device.from_persistent_id(persistent_id)
    if device is None or device.user_id != user.pk or not device.confirmed:
        return None
    return device


def session_allowed(user, session) -> bool:
    """May this signed-in session work (open the desk's WebSocket, any page)?

    Not when the user has two-factor and the session never gave a code (it
    was signed in some other way), nor when two-factor is required and the
    user has none yet.
    """
    if session_device(user, session) is not None:
        return True
    return not has_two_factor(user) and not must_have(user)


def normalise(code: str) -> str:
    return "".join(str(code or "").split()).replace("-", "").lower()


def verify_code(user, code: str) -> Device | None:
    """The device that accepts this code: the authenticator's, or a recovery code, used up.

    A recovery code works once: it is deleted in the same statement that
    finds it, so two requests racing with it cannot both succeed.
    """
    code = normalise(code)
    if not code or len(code) > 16:
        return None
    if code.isdigit():
        device = totp_device(user)
        if device is None:
            return None
        # django-otp locks the device row and refuses a code already used.
        return otp_verify_token(user, device.persistent_id, code)
    with transaction.atomic():
        token = (
            StaticToken.objects.select_for_update()
            .filter(device__user=user, device__confirmed=True, token=code)
            .select_related("device")
            .first()
        )
        if token is None:
            return None
        deleted, _rows = StaticToken.objects.filter(pk=token.pk).delete()
        return token.device if deleted else None


def new_recovery_codes(user) -> list[str]:
    """Replace the user's recovery codes with fresh ones (returned once, stored as they are typed)."""
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name="recovery", defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes
