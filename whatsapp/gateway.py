"""The one place that talks to Twilio: credentials, base URLs, timeouts, errors.

Base URLs come from settings so tests and the sandbox point the real twilio
client at a local fake over real HTTP. Every call is bounded by
TWILIO_TIMEOUT_SECONDS (at most 10 s). The Auth Token is read from the
database only here, and only to authenticate.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import requests
from django.conf import settings
from django.views.decorators.debug import sensitive_variables
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

logger = logging.getLogger(__name__)


class NotConfigured(Exception):
    """WhatsApp credentials are missing in Settings → Advanced → Chat channel."""


# The Auth Token is in these functions' variables: error reports hide them
# (occ/error_reports.py also hides any value holding it).
@sensitive_variables()
def stored_credentials() -> tuple[str, str]:
    from settings.models import ChatChannelSettings

    config = ChatChannelSettings.load()
    if not config.account_sid or not config.has_auth_token:
        raise NotConfigured("Account SID and Auth Token are not configured.")
    return config.account_sid, config.get_auth_token()


@sensitive_variables("auth_token", "http_client", "twilio")
def client(account_sid: str | None = None, auth_token: str | None = None) -> Client:
    """A twilio Client with the configured base URLs and a bounded timeout."""
    if account_sid is None or auth_token is None:
        account_sid, auth_token = stored_credentials()
    http_client = TwilioHttpClient(timeout=settings.TWILIO_TIMEOUT_SECONDS, pool_connections=True)
    twilio = Client(account_sid, auth_token, http_client=http_client)
    twilio.api.base_url = settings.TWILIO_API_BASE_URL.rstrip("/")
    twilio.messaging.base_url = settings.TWILIO_MESSAGING_BASE_URL.rstrip("/")
    twilio.content.base_url = settings.TWILIO_CONTENT_BASE_URL.rstrip("/")
    return twilio


# Network failures the twilio client lets through from `requests`.
NETWORK_ERRORS = (requests.exceptions.ConnectionError, requests.exceptions.Timeout)


@dataclass(frozen=True)
class AccountCheck:
    ok: bool
    kind: str  # ok / credentials / suspended / closed / network / error
    message: str
    friendly_name: str = ""
    status: str = ""
    account_type: str = ""


@sensitive_variables("auth_token")
def verify_account(account_sid: str, auth_token: str) -> AccountCheck:
    """Ask Twilio for the account (GET /2010-04-01/Accounts/{sid}.json) and say what it answered."""
    try:
        account = client(account_sid, auth_token).api.v2010.accounts(account_sid).fetch()
    except TwilioRestException as exc:
        if exc.status == 401 or exc.code == 20003:
            return AccountCheck(
                False,
                "credentials",
                "Twilio refused these credentials: check the Account SID and the Auth Token (Twilio error 20003).",
            )
        if exc.code == 20403:
            # Permanent until someone acts on Twilio's side: "try again" would be wrong advice.
            return AccountCheck(
                False, "forbidden", "Twilio refused access to this account (Twilio error 20403)."
            )
        logger.warning("Twilio account check failed: HTTP %s, code %s", exc.status, exc.code)
        return AccountCheck(
            False, "error", f"Twilio answered with an error (HTTP {exc.status}, code {exc.code})."
        )
    except NETWORK_ERRORS as exc:
        logger.warning("Twilio account check could not reach Twilio: %s", type(exc).__name__)
        kind = "timed out" if isinstance(exc, requests.exceptions.Timeout) else "could not connect"
        return AccountCheck(
            False,
            "network",
            f"Twilio could not be reached ({kind}). Check the network and try again.",
        )
    status = account.status or ""
    if status == "active":
        return AccountCheck(
            True,
            "ok",
            f"Verified: {account.friendly_name} ({status}).",
            account.friendly_name,
            status,
            account.type or "",
        )
    return AccountCheck(
        False,
        status if status in {"suspended", "closed"} else "error",
        f"The credentials are right, but the account {account.friendly_name} is {status}: reactivate it on Twilio.",
        account.friendly_name,
        status,
        account.type or "",
    )


class MediaRefused(Exception):
    """The media URL is not Twilio's, or Twilio did not hand it over."""


def _twilio_media_bases() -> list[str]:
    return [settings.TWILIO_API_BASE_URL.rstrip("/") + "/", "https://api.twilio.com/"]


@sensitive_variables("auth_token")
def fetch_media(url: str, *, max_bytes: int = 20 * 2**20) -> tuple[str, bytes]:
    """Download a customer's media from Twilio with the account's credentials: (content type, bytes).

    The credentials go only to Twilio's own media URLs, never to any other
    host named in a webhook. Twilio answers media URLs with a redirect to
    its storage; `requests` drops the Authorization header when the host
    changes, as it should.
    """
    if not any(url.startswith(base) for base in _twilio_media_bases()):
        raise MediaRefused("not a Twilio media URL")
    account_sid, auth_token = stored_credentials()
    try:
        response = requests.get(
            url,
            auth=(account_sid, auth_token),
            timeout=settings.TWILIO_TIMEOUT_SECONDS,
            stream=True,
        )
    except NETWORK_ERRORS as exc:
        raise MediaRefused("Twilio could not be reached") from exc
    with response:
        if response.status_code != 200:
            raise MediaRefused(f"Twilio answered HTTP {response.status_code}")
        data = response.raw.read(max_bytes + 1, decode_content=True)
        if len(data) > max_bytes:
            raise MediaRefused("media too large")
        return response.headers.get("Content-Type", "application/octet-stream").split(";")[0], data


class DeleteFailed(Exception):
    """Twilio could not delete a message or its media now (unreachable, refused): try again later."""


def delete_message(message_sid: str, media_sids: list[str] | tuple[str, ...] = ()) -> None:
    """Delete a message and its media at Twilio: DELETE …/Messages/{Sid}/Media/{Sid}.json, then
    DELETE …/Messages/{Sid}.json (twilio/FACTS.md).

    Each media SID OCC knows of and those Twilio lists for the message are
    deleted first (Twilio deletes a message's media with it since October
    2020; deleting them one by one does not depend on that). A 404 is a
    resource already gone: done, so a retry after a partial run is safe.
    """
    messages = client().api.v2010.account.messages
    try:
        listed = [media.sid for media in messages(message_sid).media.list(page_size=100)]
    except TwilioException as exc:
        # A list page's error is a TwilioException carrying the response, not a TwilioRestException.
        status = getattr(exc, "status", None) or getattr(
            exc.args[1] if len(exc.args) > 1 else None, "status_code", None
        )
        if status != 404:
            raise DeleteFailed(f"Twilio answered HTTP {status}") from exc
        listed = []
    except NETWORK_ERRORS as exc:
        raise DeleteFailed("Twilio could not be reached") from exc
    for media_sid in dict.fromkeys([*media_sids, *listed]):
        _delete(messages(message_sid).media(media_sid))
    _delete(messages(message_sid))


def _delete(resource) -> None:
    try:
        resource.delete()
    except TwilioRestException as exc:
        if exc.status != 404:
            raise DeleteFailed(f"Twilio answered HTTP {exc.status} (code {exc.code})") from exc
    except NETWORK_ERRORS as exc:
        raise DeleteFailed("Twilio could not be reached") from exc
