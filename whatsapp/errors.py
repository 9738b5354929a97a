"""Twilio error codes in plain words, with what to do about them."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

# code -> (what happened, what to do)
TWILIO_ERRORS = {
    "20003": (
        _("Twilio refused the Account SID or Auth Token."),
        _("Check both in Settings → Advanced → Chat channel and press Verify account."),
    ),
    "20403": (
        _(
            "Twilio refused access to the account (permission denied): it may be suspended, or the credentials lack permission."
        ),
        _("Check the account's status in the Twilio console, then press Verify account."),
    ),
    "20005": (
        _("The Twilio account is not active."),
        _("Reactivate the account on the Twilio console."),
    ),
    "20429": (
        _("Twilio is receiving too many requests."),
        _("Nothing to do: the message is retried automatically."),
    ),
    "21211": (
        _("The customer's number is not a valid phone number."),
        _("Check the contact's number."),
    ),
    "21408": (
        _("Sending to this region is not enabled on the Twilio account."),
        _("Enable the region in Twilio's geo permissions."),
    ),
    "21610": (
        _("The customer has opted out of messages from this number."),
        _("The customer must write again to opt back in."),
    ),
    "63003": (
        _("The customer's number has no WhatsApp account."),
        _("Reach the customer by another channel."),
    ),
    "63007": (
        _("The service's number is not a WhatsApp sender on the Twilio account."),
        _(
            "Register the number as a WhatsApp sender on Twilio, or correct the service's Twilio phone number."
        ),
    ),
    "63015": (
        _("In the Twilio sandbox the customer must first join the sandbox."),
        _("Ask the customer to send the sandbox's join code."),
    ),
    "63016": (
        _("More than 24 hours have passed since the customer's last message."),
        _("Send an approved template; free text is possible again once the customer replies."),
    ),
    "63018": (
        _("WhatsApp's rate limit for this number was exceeded."),
        _("Wait a moment; the message can be sent again."),
    ),
    "63024": (
        _("The customer's number is not valid on WhatsApp."),
        _("Check the contact's number."),
    ),
    "63032": (
        _("WhatsApp does not deliver to this customer because of their settings."),
        _("Reach the customer by another channel."),
    ),
    "30003": (_("The customer's phone is unreachable."), _("Try again later.")),
    "30005": (
        _("The customer's number is unknown or no longer exists."),
        _("Check the contact's number."),
    ),
    "30007": (
        _("The carrier filtered the message."),
        _("Rephrase the message or use an approved template."),
    ),
    "30008": (
        _("Delivery failed for an unknown reason."),
        _("Try again; if it fails again, contact Twilio support."),
    ),
}


def describe_twilio_error(code: str | int | None) -> tuple[str, str]:
    """(plain explanation, what to do) for a Twilio error code."""
    key = str(code or "").strip()
    if key in TWILIO_ERRORS:
        what, fix = TWILIO_ERRORS[key]
        return str(what), str(fix)
    if not key:
        return str(_("The message could not be sent.")), str(_("Try again."))
    return (
        str(_("Twilio reported error %(code)s.") % {"code": key}),
        str(_("See https://www.twilio.com/docs/errors/%(code)s") % {"code": key}),
    )
