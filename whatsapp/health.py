"""The per-service Twilio health check: more than a credentials test.

It answers "will a customer's WhatsApp message to this service reach an
agent?" step by step, each failed step with the fix to apply:

1. the service and the account have WhatsApp on, with credentials;
2. Twilio lists the service's number as a WhatsApp sender of the account
   (GET https://messaging.twilio.com/v2/Channels/Senders?Channel=whatsapp);
   for a service with a Messaging Service instead, Twilio has that Messaging
   Service (GET /v1/Services/{Sid}) with at least one WhatsApp sender in its
   pool (GET /v1/Services/{Sid}/ChannelSenders);
3. the webhook URLs Twilio holds for that sender (or that Messaging Service,
   unless it leaves them to its numbers) are the ones this installation
   expects (whatsapp.urls_public);
4. a signed test webhook, sent over real HTTP to this installation's own
   public inbound URL, is accepted.

The test webhook is a real, signed Twilio-shaped request carrying one extra
signed field, `OccHealthCheck=<random nonce>` (whatsapp.parsing.HEALTH_CHECK_FIELD).
The inbound view checks the signature and parses it like any message, then
answers it without storing anything, echoing the nonce in the
`X-OCC-Health-Check` header and the service id it resolved in
`X-OCC-Health-Service`. Because the field is signed, nobody without the
Auth Token can use it. Its MessageSid is random, so it could never collide
with, or deduplicate, a real message.
"""

from __future__ import annotations

import json
import logging
import secrets
from dataclasses import dataclass, field
from typing import Any

import requests
from django.utils.translation import gettext as _
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.request_validator import RequestValidator

from whatsapp import gateway
from whatsapp.parsing import HEALTH_CHECK_FIELD
from whatsapp.urls_public import inbound_webhook_url, status_webhook_url

logger = logging.getLogger(__name__)

SELF_TEST_TIMEOUT_SECONDS = 5
OK, WARNING, ERROR, SKIPPED = "ok", "warning", "error", "skipped"


@dataclass
class Check:
    key: str
    title: str
    state: str
    detail: str
    fix: str = ""

    @property
    def ok(self) -> bool:
        return self.state in (OK, WARNING)


@dataclass
class HealthReport:
    service_id: int
    checks: list[Check] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks)

    def get(self, key: str) -> Check | None:
        return next((check for check in self.checks if check.key == key), None)


def _same_url(a: str, b: str) -> bool:
    # Both spellings (with and without the trailing slash) are served.
    return (a or "").strip().rstrip("/") == (b or "").strip().rstrip("/")


def _webhook_field(webhook, name: str) -> str:
    if webhook is None:
        return ""
    value = webhook.get(name) if isinstance(webhook, dict) else getattr(webhook, name, None)
    return value or ""


def check_configuration(service, account) -> Check:
    problems = []
    if not account.whatsapp_enabled:
        problems.append(
            _("WhatsApp is off for the account: turn it on in Settings → Advanced → Chat channel.")
        )
    if not (account.account_sid and account.has_auth_token):
        problems.append(
            _(
                "The Account SID or the Auth Token is missing: enter both in Settings → Advanced → Chat channel."
            )
        )
    if not service.whatsapp_ready:
        problems.append(
            _(
                "The service is not ready for WhatsApp: it must be active, with the chat channel, WhatsApp and its Twilio phone number."
            )
        )
    if problems:
        return Check(
            "configuration",
            _("Configuration"),
            ERROR,
            _("WhatsApp cannot work yet."),
            " ".join(problems),
        )
    if service.messaging_service_sid:
        return Check(
            "configuration",
            _("Configuration"),
            OK,
            _("WhatsApp is on for the account and the service; Messaging Service %(sid)s.")
            % {"sid": service.messaging_service_sid},
        )
    return Check(
        "configuration",
        _("Configuration"),
        OK,
        _("WhatsApp is on for the account and the service; number %(number)s.")
        % {"number": service.twilio_number},
    )


def find_sender(client, number: str):
    """The account's WhatsApp sender for `number`, and every sender id listed."""
    senders = client.messaging.v2.channels_senders.list(channel="whatsapp")
    wanted = f"whatsapp:{number}"
    listed = [sender.sender_id for sender in senders]
    match = next(
        (sender for sender in senders if (sender.sender_id or "").replace(" ", "") == wanted), None
    )
    return match, listed


def _error_of(exc: TwilioException) -> tuple[int | None, int | None]:
    """HTTP status and Twilio code of an error; list pages raise a bare TwilioException."""
    if isinstance(exc, TwilioRestException):
        return exc.status, exc.code
    response = exc.args[1] if len(exc.args) > 1 else None
    status = getattr(response, "status_code", None)
    try:
        code = json.loads(getattr(response, "text", "") or "{}").get("code")
    except (ValueError, AttributeError):
        code = None
    return status, code


def _refused(exc: TwilioException, key: str, title: str) -> Check:
    """The check failed because Twilio answered an error: credentials, or anything else."""
    status, code = _error_of(exc)
    if status == 401 or code == 20003:
        return Check(
            key,
            title,
            ERROR,
            _("Twilio refused the credentials (error 20003)."),
            _("Check the Account SID and the Auth Token in Settings → Advanced → Chat channel."),
        )
    return Check(
        key,
        title,
        ERROR,
        _("Twilio answered with an error (HTTP %(status)s, code %(code)s).")
        % {"status": status, "code": code},
        _("Try again later; if it persists, check the account on the Twilio console."),
    )


def check_messaging_service(service, client) -> tuple[Check, Any, list[str]]:
    """The service's Messaging Service at Twilio, and the WhatsApp senders of its pool."""
    title = _("Messaging Service on Twilio")
    sid = service.messaging_service_sid
    try:
        found = client.messaging.v1.services(sid).fetch()
        pool = client.messaging.v1.services(sid).channel_senders.list()
    except TwilioException as exc:
        status, _code = _error_of(exc)
        if status == 404:
            return (
                Check(
                    "messaging_service",
                    title,
                    ERROR,
                    _("Twilio has no Messaging Service %(sid)s in this account.") % {"sid": sid},
                    _(
                        "Copy the Messaging Service SID from the Twilio console (Messaging → Services), or empty the field to use the phone number."
                    ),
                ),
                None,
                [],
            )
        return _refused(exc, "messaging_service", title), None, []
    except gateway.NETWORK_ERRORS:
        return (
            Check(
                "messaging_service",
                title,
                ERROR,
                _("Twilio could not be reached."),
                _("Check this server's outbound network access to messaging.twilio.com."),
            ),
            None,
            [],
        )
    senders = [
        (item.sender or "").replace(" ", "")
        for item in pool
        if (item.sender or "").lower().startswith("whatsapp:")
    ]
    name = found.friendly_name or sid
    if not senders:
        return (
            Check(
                "messaging_service",
                title,
                ERROR,
                _("The Messaging Service %(name)s has no WhatsApp sender.") % {"name": name},
                _(
                    "Add the WhatsApp sender to the Messaging Service's sender pool on the Twilio console."
                ),
            ),
            found,
            [],
        )
    numbers = ", ".join(sender.removeprefix("whatsapp:") for sender in senders)
    if service.twilio_number and f"whatsapp:{service.twilio_number}" not in senders:
        return (
            Check(
                "messaging_service",
                title,
                WARNING,
                _(
                    "The Messaging Service %(name)s sends from %(senders)s, not from the service's number %(number)s."
                )
                % {"name": name, "senders": numbers, "number": service.twilio_number},
                _(
                    "Add %(number)s to the Messaging Service's sender pool, or correct the service's number: website widgets lead visitors to it."
                )
                % {"number": service.twilio_number},
            ),
            found,
            senders,
        )
    return (
        Check(
            "messaging_service",
            title,
            OK,
            _("The Messaging Service %(name)s sends from %(senders)s.")
            % {"name": name, "senders": numbers},
        ),
        found,
        senders,
    )


def _url_checks(
    urls: dict[str, str], expected_inbound: str, expected_status: str, texts: dict
) -> list[Check]:
    """The incoming, status and fallback URLs Twilio holds (`urls`), against this installation's.

    `texts`: the wording of the place that holds them (a sender, or a Messaging Service).
    """
    checks = []
    callback, method = urls["inbound"], (urls["method"] or "POST").upper()
    title = _("Incoming messages URL")
    if _same_url(callback, expected_inbound) and method == "POST":
        checks.append(
            Check(
                "inbound_url",
                title,
                OK,
                _("Twilio posts incoming messages to %(url)s.") % {"url": expected_inbound},
            )
        )
    else:
        checks.append(
            Check(
                "inbound_url",
                title,
                ERROR,
                _(
                    "Twilio posts incoming messages to %(actual)s (%(method)s), not to this installation."
                )
                % {"actual": callback or _("nowhere"), "method": method},
                texts["inbound_fix"] % {"url": expected_inbound},
            )
        )
    status_url = urls["status"]
    title = _("Status callback URL")
    if not status_url or _same_url(status_url, expected_status):
        # Every message OCC sends names its own status callback, so an empty URL there is fine.
        checks.append(
            Check(
                "status_url",
                title,
                OK,
                _("Status callbacks reach %(url)s.") % {"url": expected_status},
            )
        )
    else:
        checks.append(
            Check(
                "status_url",
                title,
                WARNING,
                texts["status_found"] % {"actual": status_url, "url": expected_status},
                texts["status_fix"] % {"url": expected_status},
            )
        )
    fallback = urls["fallback"]
    if fallback and not _same_url(fallback, expected_inbound):
        checks.append(
            Check(
                "fallback_url",
                _("Fallback URL"),
                WARNING,
                _("When this installation is slow, Twilio sends messages to %(actual)s instead.")
                % {"actual": fallback},
                _("Set the fallback URL to %(url)s (duplicates are recognised) or leave it empty.")
                % {"url": expected_inbound},
            )
        )
    return checks


def check_messaging_service_webhooks(found, expected_inbound: str, expected_status: str) -> list:
    """The URLs a Messaging Service holds, which Twilio uses for every sender in its pool."""
    urls = {
        "inbound": found.inbound_request_url or "",
        "method": found.inbound_method or "",
        "status": found.status_callback or "",
        "fallback": found.fallback_url or "",
    }
    texts = {
        "inbound_fix": _(
            "On the Twilio console, set the Messaging Service's integration to send a webhook to %(url)s with method POST."
        ),
        "status_found": _(
            "The Messaging Service's status callback URL is %(actual)s; messages sent by OCC still report to %(url)s."
        ),
        "status_fix": _(
            "On the Twilio console, set the Messaging Service's status callback URL to %(url)s or leave it empty."
        ),
    }
    return _url_checks(urls, expected_inbound, expected_status, texts)


def check_sender(service, client, number: str | None = None) -> tuple[Check, object | None]:
    title = _("WhatsApp sender on Twilio")
    number = number or service.twilio_number
    try:
        sender, listed = find_sender(client, number)
    except TwilioException as exc:
        return _refused(exc, "sender", title), None
    except gateway.NETWORK_ERRORS:
        return Check(
            "sender",
            title,
            ERROR,
            _("Twilio could not be reached."),
            _("Check this server's outbound network access to messaging.twilio.com."),
        ), None
    if sender is None:
        found = ", ".join(listed) or _("none")
        return Check(
            "sender",
            title,
            ERROR,
            _(
                "%(number)s is not a WhatsApp sender of this Twilio account (senders found: %(found)s)."
            )
            % {"number": number, "found": found},
            _(
                "Register %(number)s as a WhatsApp sender on the Twilio console (Messaging → Senders → WhatsApp senders), or correct the service's Twilio phone number."
            )
            % {"number": number},
        ), None
    sender_status = (getattr(sender, "status", "") or "").upper()
    if sender_status and sender_status != "ONLINE":
        return Check(
            "sender",
            title,
            WARNING,
            _("%(number)s is a WhatsApp sender, but its status is %(status)s.")
            % {"number": number, "status": sender_status},
            _("Complete the sender's registration on the Twilio console until it is ONLINE."),
        ), sender
    return Check(
        "sender",
        title,
        OK,
        _("%(number)s is a WhatsApp sender of the account (ONLINE).") % {"number": number},
    ), sender


def check_webhooks(sender, expected_inbound: str, expected_status: str) -> list[Check]:
    webhook = getattr(sender, "webhook", None)
    urls = {
        "inbound": _webhook_field(webhook, "callback_url"),
        "method": _webhook_field(webhook, "callback_method"),
        "status": _webhook_field(webhook, "status_callback_url"),
        "fallback": _webhook_field(webhook, "fallback_url"),
    }
    texts = {
        "inbound_fix": _(
            "On the Twilio console, set the sender's webhook URL for incoming messages to %(url)s with method POST."
        ),
        "status_found": _(
            "The sender's status callback URL is %(actual)s; messages sent by OCC still report to %(url)s."
        ),
        "status_fix": _(
            "On the Twilio console, set the sender's status callback URL to %(url)s or leave it empty."
        ),
    }
    return _url_checks(urls, expected_inbound, expected_status, texts)


def self_test_params(service, account_sid: str, nonce: str, to_number: str = "") -> dict:
    """A Twilio-shaped incoming message from the service to itself, marked as a test
    (through its Messaging Service when it has one)."""
    sid = "SM" + secrets.token_hex(16)
    number = f"whatsapp:{to_number or service.twilio_number}"
    params = {
        "MessageSid": sid,
        "SmsMessageSid": sid,
        "SmsSid": sid,
        "AccountSid": account_sid,
        "From": number,
        "To": number,
        "Body": "OCC health check",
        "NumMedia": "0",
        "NumSegments": "1",
        "SmsStatus": "received",
        "ApiVersion": "2010-04-01",
        HEALTH_CHECK_FIELD: nonce,
    }
    if service.messaging_service_sid:
        params["MessagingServiceSid"] = service.messaging_service_sid
    return params


def check_self_webhook(
    service, account_sid: str, auth_token: str, url: str, to_number: str = ""
) -> Check:
    from whatsapp.views import HEALTH_CHECK_HEADER, HEALTH_SERVICE_HEADER

    title = _("Test webhook")
    nonce = secrets.token_hex(8)
    params = self_test_params(service, account_sid, nonce, to_number)
    signature = RequestValidator(auth_token).compute_signature(url, params)
    try:
        response = requests.post(
            url,
            data=params,
            headers={"X-Twilio-Signature": signature},
            timeout=SELF_TEST_TIMEOUT_SECONDS,
            allow_redirects=False,
        )
    except requests.RequestException as exc:
        logger.warning("health check: %s unreachable: %s", url, type(exc).__name__)
        return Check(
            "self_test",
            title,
            ERROR,
            _("This server could not reach its own public URL %(url)s.") % {"url": url},
            _(
                "Check OCC_PUBLIC_BASE_URL, DNS and the firewall: Twilio must reach that URL from the internet."
            ),
        )
    if response.status_code == 403:
        return Check(
            "self_test",
            title,
            ERROR,
            _("The test webhook was refused: its signature did not match the URL the server saw."),
            _(
                "Set OCC_PUBLIC_BASE_URL to the public address Twilio uses (scheme, host and port), or set OCC_TRUSTED_PROXIES to the address of the proxy that sets X-Forwarded-Proto/Host/Port."
            ),
        )
    if response.status_code != 200 or response.headers.get(HEALTH_CHECK_HEADER) != nonce:
        return Check(
            "self_test",
            title,
            ERROR,
            _("%(url)s answered HTTP %(status)s, not this installation's webhook.")
            % {"url": url, "status": response.status_code},
            _(
                "Make sure %(url)s reaches this OCC installation (proxy rules, redirects to another host)."
            )
            % {"url": url},
        )
    if response.headers.get(HEALTH_SERVICE_HEADER) != str(service.pk):
        return Check(
            "self_test",
            title,
            ERROR,
            _("The test webhook was accepted, but no service took messages to %(number)s.")
            % {"number": service.messaging_service_sid or to_number or service.twilio_number},
            _(
                "Turn on WhatsApp for the account and the service, and check the service's Twilio phone number."
            ),
        )
    return Check(
        "self_test",
        title,
        OK,
        _(
            "A signed test webhook to %(url)s was accepted and reached this service (nothing was stored)."
        )
        % {"url": url},
    )


def check_service(service, request=None, *, self_test: bool = True) -> HealthReport:
    """Run every check for one service and say what to fix."""
    from settings.models import ChatChannelSettings

    account = ChatChannelSettings.load()
    report = HealthReport(service_id=service.pk)
    expected_inbound = inbound_webhook_url(request)
    expected_status = status_webhook_url(request)
    configuration = check_configuration(service, account)
    report.checks.append(configuration)
    if not configuration.ok:
        return report
    account_sid, auth_token = account.account_sid, account.get_auth_token()
    client = gateway.client(account_sid, auth_token)
    to_number = service.twilio_number or ""
    if service.messaging_service_sid:
        pool_check, found, senders = check_messaging_service(service, client)
        report.checks.append(pool_check)
        if found is None or not senders:
            return report
        to_number = to_number if f"whatsapp:{to_number}" in senders else ""
        to_number = to_number or senders[0].removeprefix("whatsapp:")
        if found.use_inbound_webhook_on_number:
            # Twilio then calls each sender's own webhook, not the Messaging Service's.
            sender_check, sender = check_sender(service, client, to_number)
            report.checks.append(sender_check)
            if sender is not None:
                report.checks.extend(check_webhooks(sender, expected_inbound, expected_status))
        else:
            report.checks.extend(
                check_messaging_service_webhooks(found, expected_inbound, expected_status)
            )
    else:
        sender_check, sender = check_sender(service, client)
        report.checks.append(sender_check)
        if sender is not None:
            report.checks.extend(check_webhooks(sender, expected_inbound, expected_status))
    if self_test:
        report.checks.append(
            check_self_webhook(service, account_sid, auth_token, expected_inbound, to_number)
        )
    return report
