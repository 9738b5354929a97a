"""Operations on the chat channel settings: verify the Twilio account and record the result."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from settings.models import ChatChannelSettings
from whatsapp import gateway

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Verification:
    ok: bool
    kind: str  # ok / credentials / forbidden / suspended / closed / network / error
    message: str  # in the administrator's language
    friendly_name: str = ""
    status: str = ""


def describe(check: gateway.AccountCheck) -> str:
    """The gateway's answer in plain words, in the active language."""
    if check.kind == "ok":
        return _("Account verified: %(name)s, status %(status)s.") % {
            "name": check.friendly_name,
            "status": check.status,
        }
    if check.kind == "credentials":
        return _(
            "Twilio refused these credentials (Twilio error 20003): check the Account SID and the Auth Token."
        )
    if check.kind == "forbidden":
        return _(
            "Twilio refused access to this account (Twilio error 20403, permission denied): the account may be "
            "suspended, or these credentials lack permission for it. Check the account's status in the Twilio console."
        )
    if check.kind == "suspended":
        return _(
            "The credentials are right, but the Twilio account %(name)s is suspended: reactivate it on Twilio."
        ) % {"name": check.friendly_name}
    if check.kind == "closed":
        return _(
            "The credentials are right, but the Twilio account %(name)s is closed: use the credentials of an active account."
        ) % {"name": check.friendly_name}
    if check.kind == "network":
        return _(
            "Twilio could not be reached within %(seconds)s seconds (network failure or timeout). Check the network and try again."
        ) % {"seconds": f"{settings.TWILIO_TIMEOUT_SECONDS:g}"}
    return _("Twilio answered with an unexpected error; try again later. Details: %(detail)s") % {
        "detail": check.message
    }


@sensitive_variables("auth_token")
def verify_credentials(account_sid: str, auth_token: str) -> Verification:
    """Ask Twilio whether these credentials open an active account. Never raises for Twilio's answers."""
    try:
        check = gateway.verify_account(account_sid, auth_token)
    except Exception as exc:  # an answer the client cannot read must not become a page error
        logger.warning("Twilio account check failed unexpectedly: %s", type(exc).__name__)
        check = gateway.AccountCheck(False, "error", type(exc).__name__)
    return Verification(check.ok, check.kind, describe(check), check.friendly_name, check.status)


def record_verification(config: ChatChannelSettings, result: Verification) -> ChatChannelSettings:
    """Store the outcome of verifying the stored credentials."""
    config.verified_at = timezone.now()
    config.verification_ok = result.ok
    config.verification_message = result.message[:300]
    config.save(
        update_fields=["verified_at", "verification_ok", "verification_message", "updated_at"]
    )
    return config
