"""A local fake of the parts of Twilio's REST API that OCC uses.

It answers like Twilio: the same paths, HTTP basic auth with the Account SID
and Auth Token, JSON bodies shaped as in Twilio's API description, error
bodies with `code`, `message`, `more_info` and `status`. After accepting a
message it can post signed status callbacks (sent, delivered, read) to the
message's StatusCallback, as Twilio does. One fake serves the tests (over
real HTTP on loopback, `serve()`) and the sandbox (mounted in the app).

Never used in production: Twilio itself is reached there.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from twilio.request_validator import RequestValidator

API_VERSION = "2010-04-01"
E164_WHATSAPP = re.compile(r"^whatsapp:\+[1-9]\d{7,14}$")
# A customer reached by business-scoped user id (WhatsApp usernames, 2026).
USER_ID_WHATSAPP = re.compile(r"^whatsapp:[A-Za-z]{2,3}\.[0-9A-Za-z_-]{1,128}$")


def _now_rfc2822() -> str:
    return formatdate(usegmt=True)


def _sid(prefix: str) -> str:
    return prefix + secrets.token_hex(16)


def twilio_error(status: int, code: int, message: str) -> tuple[int, dict]:
    return status, {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }


@dataclass
class FakeAccount:
    sid: str
    auth_token: str
    friendly_name: str = "OCC test account"
    status: str = "active"  # active / suspended / closed
    type: str = "Full"
    # Twilio's 403 with code 20403 ("Permission Denied"): right credentials
    # that may not use the account (suspended, or a key without permission).
    access_denied: bool = False


@dataclass
class FakeSender:
    sender_id: str  # whatsapp:+E164
    callback_url: str = ""
    status_callback_url: str = ""
    fallback_url: str = ""
    status: str = "ONLINE"
    sid: str = field(default_factory=lambda: _sid("XE"))


@dataclass
class FakeMessagingService:
    """A Messaging Service (MG…) with its WhatsApp senders, as messaging v1 `/v1/Services/{Sid}` shows it."""

    account_sid: str
    friendly_name: str
    senders: list[str] = field(default_factory=list)  # whatsapp:+E164, the sender pool
    inbound_request_url: str | None = None
    fallback_url: str | None = None
    status_callback: str | None = None
    use_inbound_webhook_on_number: bool = False
    sid: str = field(default_factory=lambda: _sid("MG"))
    date_created: str = field(
        default_factory=lambda: datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    )

    def url(self, base: str) -> str:
        return f"{base}/v1/Services/{self.sid}"

    def as_json(self, base: str = "https://messaging.twilio.com") -> dict:
        """The fields and shapes of Twilio's `messaging.v1.service` (its OpenAPI `fetch` example)."""
        url = self.url(base)
        return {
            "account_sid": self.account_sid,
            "sid": self.sid,
            "date_created": self.date_created,
            "date_updated": self.date_created,
            "friendly_name": self.friendly_name,
            "inbound_request_url": self.inbound_request_url,
            "inbound_method": "POST",
            "fallback_url": self.fallback_url,
            "fallback_method": "POST",
            "status_callback": self.status_callback,
            "sticky_sender": True,
            "mms_converter": True,
            "smart_encoding": True,
            "fallback_to_long_code": False,
            "area_code_geomatch": True,
            "validity_period": 14400,
            "scan_message_content": "inherit",
            "synchronous_validation": True,
            "usecase": "discussion",
            "us_app_to_person_registered": False,
            "use_inbound_webhook_on_number": self.use_inbound_webhook_on_number,
            "links": {
                "phone_numbers": f"{url}/PhoneNumbers",
                "short_codes": f"{url}/ShortCodes",
                "alpha_senders": f"{url}/AlphaSenders",
                "messages": f"{url}/Messages",
                "us_app_to_person": f"{url}/Compliance/Usa2p",
                "us_app_to_person_usecases": f"{url}/Compliance/Usa2p/Usecases",
                "channel_senders": f"{url}/ChannelSenders",
                "destination_alpha_senders": f"{url}/DestinationAlphaSenders",
            },
            "url": url,
        }


@dataclass
class FakeContent:
    """One Content resource with its WhatsApp approval request, as ContentAndApprovals lists it."""

    friendly_name: str
    types: dict
    language: str = "en"
    variables: dict = field(default_factory=dict)
    status: str = "approved"  # approved / pending / received / rejected / paused / unsubmitted
    category: str = "UTILITY"
    rejection_reason: str = ""
    sid: str = field(default_factory=lambda: _sid("HX"))
    date_created: str = field(
        default_factory=lambda: datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    )

    def as_json(self, account_sid: str) -> dict:
        kinds = list(self.types)
        return {
            "date_created": self.date_created,
            "date_updated": self.date_created,
            "sid": self.sid,
            "account_sid": account_sid,
            "friendly_name": self.friendly_name,
            "language": self.language,
            "variables": dict(self.variables),
            "types": self.types,
            "approval_requests": {
                "name": self.friendly_name.lower().replace(" ", "_")
                if self.status != "unsubmitted"
                else "",
                "category": self.category if self.status != "unsubmitted" else "",
                "content_type": kinds[0] if kinds else "",
                "status": self.status,
                "rejection_reason": self.rejection_reason,
                "allow_category_change": True,
            },
        }


@dataclass
class PlannedFailure:
    status: int
    code: int
    message: str
    delay: float = 0.0  # seconds to wait before answering (a slow Twilio)


class FakeTwilio:
    """In-memory state and request handling of the fake. Thread-safe."""

    def __init__(
        self,
        *,
        callback_statuses: tuple[str, ...] = ("sent", "delivered", "read"),
        callback_delay: float = 0.05,
    ):
        self.accounts: dict[str, FakeAccount] = {}
        self.senders: dict[str, list[FakeSender]] = {}
        self.messages: list[dict] = []
        self.requests: list[dict] = []  # every request: method, path, params (for assertions)
        self.media: dict[str, tuple[str, bytes]] = {}  # path -> (content type, bytes)
        self.failures: list[PlannedFailure] = []
        self.delay = 0.0
        self.callback_statuses = callback_statuses
        self.callback_delay = callback_delay
        self.callbacks_sent: list[dict] = []
        self.contents: dict[str, list[FakeContent]] = {}  # account SID -> its Content resources
        # The Content API's host as its clients see it (next_page_url is absolute).
        self.content_base_url = "https://content.twilio.com"
        # Typing indicators received (each marks the customer's message read).
        self.typing_indicators: list[dict] = []
        # SIDs of customers' messages Twilio holds (the sandbox phone's, a test's): deletable.
        self.received: set[str] = set()
        # SIDs of messages and media deleted through the API.
        self.deleted: set[str] = set()
        # Messaging Services (MG…) by SID; the Messaging API's host as its clients see it.
        self.messaging_services: dict[str, FakeMessagingService] = {}
        self.messaging_base_url = "https://messaging.twilio.com"
        self._lock = threading.Lock()

    # --- set-up ---------------------------------------------------------------
    def add_account(self, sid: str, auth_token: str, **kwargs) -> FakeAccount:
        account = FakeAccount(sid=sid, auth_token=auth_token, **kwargs)
        self.accounts[sid] = account
        return account

    def add_sender(self, account_sid: str, number: str, **kwargs) -> FakeSender:
        sender = FakeSender(sender_id=f"whatsapp:{number}", **kwargs)
        self.senders.setdefault(account_sid, []).append(sender)
        return sender

    def add_messaging_service(
        self, account_sid: str, friendly_name: str, numbers=(), **kwargs
    ) -> FakeMessagingService:
        """A Messaging Service whose sender pool holds these numbers (each also a WhatsApp sender)."""
        service = FakeMessagingService(
            account_sid=account_sid,
            friendly_name=friendly_name,
            senders=[f"whatsapp:{number}" for number in numbers],
            **kwargs,
        )
        known = {s.sender_id for s in self.senders.get(account_sid, [])}
        for number in numbers:
            if f"whatsapp:{number}" not in known:
                self.add_sender(account_sid, number)
        self.messaging_services[service.sid] = service
        return service

    def messaging_service_of(self, account_sid: str, sender_id: str) -> FakeMessagingService | None:
        """The account's Messaging Service whose pool holds this sender (whatsapp:+…), if any."""
        for service in self.messaging_services.values():
            if service.account_sid == account_sid and sender_id in service.senders:
                return service
        return None

    def add_content(
        self, account_sid: str, friendly_name: str, types: dict, **kwargs
    ) -> FakeContent:
        content = FakeContent(friendly_name=friendly_name, types=types, **kwargs)
        self.contents.setdefault(account_sid, []).append(content)
        return content

    def content(self, sid: str) -> FakeContent | None:
        for contents in self.contents.values():
            for content in contents:
                if content.sid == sid:
                    return content
        return None

    def add_media(self, path: str, content_type: str, data: bytes) -> None:
        self.media[path] = (content_type, data)
        found = re.search(r"/Messages/(\w+)/Media/", path)
        if found:
            self.received.add(found.group(1))

    def add_received(self, message_sid: str) -> None:
        """A customer's message Twilio holds (its webhook went to OCC)."""
        self.received.add(message_sid)

    def holds(self, sid: str) -> bool:
        """Twilio still has this message (sent or received) or media SID."""
        with self._lock:
            if sid in self.deleted:
                return False
            return (
                sid in self.received
                or any(m["sid"] == sid for m in self.messages)
                or any(path.endswith("/Media/" + sid) for path in self.media)
            )

    def fail_next(
        self,
        count: int = 1,
        *,
        status: int = 503,
        code: int = 20500,
        message: str = "Service unavailable",
        delay: float = 0.0,
    ) -> None:
        """Answer the next `count` message creations with an error (or slowly)."""
        with self._lock:
            self.failures.extend(PlannedFailure(status, code, message, delay) for _ in range(count))

    def sent_messages(self) -> list[dict]:
        with self._lock:
            return list(self.messages)

    # --- requests -------------------------------------------------------------
    def handle(
        self, method: str, path: str, query: dict, headers: dict, body: bytes
    ) -> tuple[int, dict | bytes, str]:
        """Answer one request: (status, JSON dict or raw bytes, content type)."""
        params = (
            urllib.parse.parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
            if body
            else {}
        )
        flat = {k: (v if len(v) > 1 else v[0]) for k, v in params.items()}
        with self._lock:
            self.requests.append({"method": method, "path": path, "query": query, "params": flat})
        if self.delay:
            time.sleep(self.delay)

        if path.rstrip("/") == "/v1/ContentAndApprovals":
            account, error = self._authenticate(headers, None)
            if error:
                return (*error, "application/json")
            if method != "GET":
                return (*twilio_error(405, 20004, "Method not allowed"), "application/json")
            return self._content_page(account, query)
        if path == "/v2/Indicators/Typing.json":
            account, error = self._authenticate(headers, None)
            if error:
                return (*error, "application/json")
            if method != "POST":
                return (*twilio_error(405, 20004, "Method not allowed"), "application/json")
            return (*self._typing_indicator(flat), "application/json")

        service_path = re.fullmatch(r"/v1/Services/(MG[0-9a-fA-F]{32})(/ChannelSenders)?/?", path)
        if service_path or path.startswith("/v1/Services"):
            account, error = self._authenticate(headers, None)
            if error:
                return (*error, "application/json")
            if method != "GET":
                return (*twilio_error(405, 20004, "Method not allowed"), "application/json")
            found = self.messaging_services.get(service_path.group(1)) if service_path else None
            if service_path is None or found is None or found.account_sid != account.sid:
                return (
                    *twilio_error(404, 20404, "The requested resource was not found"),
                    "application/json",
                )
            if service_path.group(2):
                return 200, self._channel_senders_page(found), "application/json"
            return 200, found.as_json(self.messaging_base_url.rstrip("/")), "application/json"

        if path.startswith("/v2/Channels/Senders"):
            account, error = self._authenticate(headers, None)
            if error:
                return (*error, "application/json")
            return 200, self._senders_page(account, query), "application/json"

        match = re.fullmatch(
            rf"/{API_VERSION}/Accounts/(AC\w+?)(\.json|/Messages\.json|/Messages/(\w+)\.json"
            rf"|/Messages/(\w+)/Media/(\w+?)(?:\.json)?|/Messages/(\w+)/Media\.json)",
            path,
        )
        if not match:
            return (
                *twilio_error(404, 20404, "The requested resource was not found"),
                "application/json",
            )
        account_sid = match.group(1)
        account, error = self._authenticate(headers, account_sid)
        if error:
            return (*error, "application/json")
        tail = match.group(2)
        if tail == ".json" and method == "GET":
            return 200, self._account_json(account), "application/json"
        if tail == "/Messages.json" and method == "POST":
            return (*self._create_message(account, flat), "application/json")
        if tail == "/Messages.json" and method == "GET":
            mine = [m for m in self.sent_messages() if m["account_sid"] == account.sid]
            return (
                200,
                {"messages": mine, "page": 0, "page_size": 50, "uri": path, "next_page_uri": None},
                "application/json",
            )
        if match.group(3) and method == "GET":
            for message in self.sent_messages():
                if message["sid"] == match.group(3):
                    return 200, message, "application/json"
            return (
                *twilio_error(404, 20404, "The requested resource was not found"),
                "application/json",
            )
        if method == "DELETE" and (match.group(3) or match.group(5)):
            return self._delete(account, match.group(3), match.group(4), match.group(5))
        if match.group(6) and method == "GET":
            return (*self._media_page(account, match.group(6), path), "application/json")
        if match.group(5) and method == "GET":
            if path in self.media and match.group(5) not in self.deleted:
                content_type, data = self.media[path]
                return 200, data, content_type
            return (
                *twilio_error(404, 20404, "The requested resource was not found"),
                "application/json",
            )
        return (*twilio_error(405, 20004, "Method not allowed"), "application/json")

    def _media_path(self, account: FakeAccount, message_sid: str, media_sid: str) -> str:
        return f"/{API_VERSION}/Accounts/{account.sid}/Messages/{message_sid}/Media/{media_sid}"

    def _media_page(self, account: FakeAccount, message_sid: str, uri: str) -> tuple[int, dict]:
        """GET …/Messages/{Sid}/Media.json: the message's media (404 for a message Twilio does not have)."""
        if not self.holds(message_sid):
            return twilio_error(404, 20404, "The requested resource was not found")
        prefix = self._media_path(account, message_sid, "")
        with self._lock:
            sids = [
                p[len(prefix) :]
                for p in self.media
                if p.startswith(prefix) and "." not in p[len(prefix) :]
            ]
            sids = [sid for sid in sids if sid not in self.deleted]
        items = [
            {
                "account_sid": account.sid,
                "content_type": self.media[prefix + sid][0],
                "parent_sid": message_sid,
                "sid": sid,
                "uri": prefix + sid + ".json",
            }
            for sid in sids
        ]
        page = {"page": 0, "page_size": 50, "uri": uri, "next_page_uri": None}
        return 200, {"media_list": items, **page}

    def _delete(
        self,
        account: FakeAccount,
        message_sid: str | None,
        parent_sid: str | None,
        media_sid: str | None,
    ) -> tuple[int, dict | bytes, str]:
        """DELETE a message or a media resource: 204 with no body, as Twilio; 404 for an unknown SID."""
        sid = message_sid or media_sid or ""
        known = self.holds(sid) and (parent_sid is None or self.holds(parent_sid))
        if not known:
            return (
                *twilio_error(404, 20404, "The requested resource was not found"),
                "application/json",
            )
        with self._lock:
            self.deleted.add(sid)
            if message_sid:
                # Since October 2020 Twilio deletes a message's media with the message.
                prefix = self._media_path(account, message_sid, "")
                for path in [p for p in self.media if p.startswith(prefix)]:
                    self.deleted.add(path[len(prefix) :])
                    del self.media[path]
                self.messages = [m for m in self.messages if m["sid"] != message_sid]
            else:
                self.media.pop(self._media_path(account, parent_sid or "", sid), None)
        return 204, b"", "application/json"

    def _typing_indicator(self, params: dict) -> tuple[int, dict]:
        """POST /v2/Indicators/Typing.json (channel=whatsapp, messageId=SM…/MM…): Twilio marks
        the customer's message read and shows "typing…" on their phone for up to 25 s."""
        channel, message_id = params.get("channel"), params.get("messageId")
        if not channel or not message_id:
            missing = "channel" if not channel else "messageId"
            return twilio_error(
                400, 20001, f"Missing required parameter {missing} in the post body"
            )
        if channel != "whatsapp":
            return twilio_error(
                400, 20001, "Typing indicators are supported for the whatsapp channel only"
            )
        if not re.fullmatch(r"(SM|MM)[0-9a-fA-F]{32}", str(message_id)):
            return twilio_error(
                400, 20001, "messageId must be a valid Message SID (SM…) or Media SID (MM…)"
            )
        with self._lock:
            self.typing_indicators.append({"message_id": message_id, "at": time.time()})
        return 200, {"success": True}

    def typing_for(self, message_ids: set[str]) -> tuple[set[str], float]:
        """(the messages among these marked read, the newest typing indicator's time or 0)."""
        with self._lock:
            hits = [t for t in self.typing_indicators if t["message_id"] in message_ids]
        return {t["message_id"] for t in hits}, max((t["at"] for t in hits), default=0.0)

    def _authenticate(self, headers: dict, account_sid: str | None):
        auth = headers.get("authorization") or headers.get("Authorization") or ""
        if not auth.startswith("Basic "):
            return None, twilio_error(401, 20003, "Authenticate")
        try:
            user, _, password = base64.b64decode(auth[6:]).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            return None, twilio_error(401, 20003, "Authenticate")
        account = self.accounts.get(user)
        if account is None or not secrets.compare_digest(account.auth_token, password):
            return None, twilio_error(401, 20003, "Authenticate")
        if account_sid is not None and account_sid != user:
            return None, twilio_error(403, 20003, "Authenticate")
        if account.access_denied:
            return None, twilio_error(403, 20403, "Permission Denied")
        return account, None

    def _account_json(self, account: FakeAccount) -> dict:
        return {
            "sid": account.sid,
            "owner_account_sid": account.sid,
            "friendly_name": account.friendly_name,
            "status": account.status,
            "type": account.type,
            "auth_token": account.auth_token,  # Twilio returns it too: never log this body
            "date_created": _now_rfc2822(),
            "date_updated": _now_rfc2822(),
            "uri": f"/{API_VERSION}/Accounts/{account.sid}.json",
            "subresource_uris": {},
        }

    def _content_page(self, account: FakeAccount, query: dict) -> tuple[int, dict, str]:
        """GET /v1/ContentAndApprovals: `contents` and `meta`, paged by PageSize / Page / PageToken."""
        try:
            size = int(query.get("PageSize") or 50)
            page = int(query.get("Page") or 0)
        except ValueError:
            return (*twilio_error(400, 20001, "Invalid paging parameter"), "application/json")
        if not 1 <= size <= 1000 or page < 0:
            return (*twilio_error(400, 20001, "Invalid paging parameter"), "application/json")
        contents = self.contents.get(account.sid, [])
        items = [c.as_json(account.sid) for c in contents[page * size : (page + 1) * size]]
        base = self.content_base_url.rstrip("/") + "/v1/ContentAndApprovals"

        def url(number: int) -> str:
            token = f"&PageToken=PT{number}" if number else ""
            return f"{base}?PageSize={size}&Page={number}{token}"

        more = (page + 1) * size < len(contents)
        return (
            200,
            {
                "contents": items,
                "meta": {
                    "page": page,
                    "page_size": size,
                    "first_page_url": url(0),
                    "previous_page_url": url(page - 1) if page else None,
                    "url": url(page),
                    "next_page_url": url(page + 1) if more else None,
                    "key": "contents",
                },
            },
            "application/json",
        )

    def _senders_page(self, account: FakeAccount, query: dict) -> dict:
        senders = []
        for sender in self.senders.get(account.sid, []):
            senders.append(
                {
                    "sid": sender.sid,
                    "sender_id": sender.sender_id,
                    "status": sender.status,
                    "webhook": {
                        "callback_url": sender.callback_url,
                        "callback_method": "POST",
                        "fallback_url": sender.fallback_url,
                        "fallback_method": "POST",
                        "status_callback_url": sender.status_callback_url,
                        "status_callback_method": "POST",
                    },
                    "url": f"https://messaging.twilio.com/v2/Channels/Senders/{sender.sid}",
                }
            )
        return {
            "senders": senders,
            "meta": {
                "page": 0,
                "page_size": 50,
                "first_page_url": "https://messaging.twilio.com/v2/Channels/Senders?Channel=whatsapp&PageSize=50&Page=0",
                "previous_page_url": None,
                "url": "https://messaging.twilio.com/v2/Channels/Senders?Channel=whatsapp&PageSize=50&Page=0",
                "next_page_url": None,
                "key": "senders",
            },
        }

    def _channel_senders_page(self, service: FakeMessagingService) -> dict:
        """GET /v1/Services/{Sid}/ChannelSenders: the service's WhatsApp senders (`senders`, `meta`)."""
        base = service.url(self.messaging_base_url.rstrip("/")) + "/ChannelSenders"
        first = f"{base}?PageSize=50&Page=0"
        by_id = {s.sender_id: s for s in self.senders.get(service.account_sid, [])}
        return {
            "meta": {
                "page": 0,
                "page_size": 50,
                "first_page_url": first,
                "previous_page_url": None,
                "next_page_url": None,
                "key": "senders",
                "url": first,
            },
            "senders": [
                {
                    "account_sid": service.account_sid,
                    "messaging_service_sid": service.sid,
                    "sid": by_id[sender].sid if sender in by_id else _sid("XE"),
                    "sender": sender,
                    "sender_type": "WhatsApp",
                    "country_code": "US",
                    "date_created": service.date_created,
                    "date_updated": service.date_created,
                    "url": f"{base}/{by_id[sender].sid if sender in by_id else ''}",
                }
                for sender in service.senders
            ],
        }

    def _create_message(self, account: FakeAccount, params: dict) -> tuple[int, dict]:
        with self._lock:
            failure = self.failures.pop(0) if self.failures else None
        if failure:
            if failure.delay:
                time.sleep(failure.delay)
            return twilio_error(failure.status, failure.code, failure.message)
        if account.status != "active":
            return twilio_error(401, 20005, f"Account not active ({account.status})")
        to, from_ = params.get("To", ""), params.get("From", "")
        to_text = to if isinstance(to, str) else ""
        if not (E164_WHATSAPP.match(to_text) or USER_ID_WHATSAPP.match(to_text)):
            return twilio_error(400, 21211, f"The 'To' number {to} is not a valid phone number.")
        via = params.get("MessagingServiceSid", "")
        if not from_ and not via:
            return twilio_error(400, 21603, "The 'From' phone number is required.")
        pool = None
        if via:
            pool = self.messaging_services.get(via if isinstance(via, str) else "")
            if pool is None or pool.account_sid != account.sid:
                return twilio_error(400, 21701, f"The Messaging Service Sid {via} is invalid.")
            if not from_ and not pool.senders:
                return twilio_error(400, 21704, "The Messaging Service contains no phone numbers.")
        senders = {s.sender_id for s in self.senders.get(account.sid, [])}
        if from_ and senders and from_ not in senders:
            return twilio_error(
                400, 63007, "Twilio could not find a Channel with the specified From address"
            )
        media = params.get("MediaUrl", [])
        media = [media] if isinstance(media, str) else list(media)
        if not (params.get("Body") or media or params.get("ContentSid")):
            return twilio_error(
                400, 21619, "A text message body, media URL or content SID is required"
            )
        content_sid = params.get("ContentSid", "")
        if content_sid:
            content = self.content(content_sid)
            if content is None or content not in self.contents.get(account.sid, []):
                return twilio_error(400, 21655, "The ContentSid is Invalid.")
            raw_variables = params.get("ContentVariables", "")
            if raw_variables:
                try:
                    if not isinstance(json.loads(raw_variables), dict):
                        raise ValueError
                except ValueError:
                    return twilio_error(400, 21656, "The ContentVariables Parameter is invalid.")
        sid = _sid("MM" if media else "SM")
        now = _now_rfc2822()
        # Through a Messaging Service Twilio answers `accepted` with no From yet, then picks a
        # sender of the pool (sticky: the same one for a customer; here, the first).
        sender = from_ or (pool.senders[0] if pool is not None else "")
        message = {
            "account_sid": account.sid,
            "api_version": API_VERSION,
            "body": params.get("Body", ""),
            "date_created": now,
            "date_sent": None,
            "date_updated": now,
            "direction": "outbound-api",
            "error_code": None,
            "error_message": None,
            "from": from_ or None,
            "messaging_service_sid": via or None,
            "num_media": str(len(media)),
            "num_segments": "1",
            "price": None,
            "price_unit": "USD",
            "sid": sid,
            "status": "accepted" if via and not from_ else "queued",
            "subresource_uris": {
                "media": f"/{API_VERSION}/Accounts/{account.sid}/Messages/{sid}/Media.json"
            },
            "to": to,
            "uri": f"/{API_VERSION}/Accounts/{account.sid}/Messages/{sid}.json",
            # Not in Twilio's response; kept for the tests and the phone simulator.
            "_media_urls": media,
            "_content_sid": params.get("ContentSid", ""),
            "_content_variables": params.get("ContentVariables", ""),
            "_status_callback": params.get("StatusCallback", ""),
            "_created_at": datetime.now(UTC).isoformat(),
            "_created_ts": time.time(),
        }
        public = {k: v for k, v in message.items() if not k.startswith("_")}
        if not from_:
            message["from"] = sender  # the sender chosen, as later fetches show it
        with self._lock:
            self.messages.append(message)
            # Twilio keeps a copy of each file it sent, as a Media resource of the message.
            for _url in media:
                self.media[self._media_path(account, sid, _sid("ME"))] = (
                    "application/octet-stream",
                    b"",
                )
        if message["_status_callback"] and self.callback_statuses:
            threading.Thread(
                target=self._post_callbacks, args=(account, message), daemon=True
            ).start()
        return 201, public

    def post_status(self, message_sid: str, status: str, *, error_code: str = "") -> int:
        """Post one signed status callback for a sent message, as Twilio would."""
        message = next(m for m in self.sent_messages() if m["sid"] == message_sid)
        account = self.accounts[message["account_sid"]]
        return self._post_callback(account, message, status, error_code)

    def _post_callbacks(self, account: FakeAccount, message: dict) -> None:
        for status in self.callback_statuses:
            time.sleep(self.callback_delay)
            try:
                self._post_callback(account, message, status)
            except OSError:
                return

    def _post_callback(
        self, account: FakeAccount, message: dict, status: str, error_code: str = ""
    ) -> int:
        url = message["_status_callback"]
        params = {
            "AccountSid": account.sid,
            "ApiVersion": API_VERSION,
            "From": message["from"],
            "To": message["to"],
            "MessageSid": message["sid"],
            "SmsSid": message["sid"],
            "MessageStatus": status,
            "SmsStatus": status,
            "ChannelPrefix": "whatsapp",
        }
        if message.get("messaging_service_sid"):
            params["MessagingServiceSid"] = message["messaging_service_sid"]
        if error_code:
            params["ErrorCode"] = error_code
        if status == "read":
            params["EventType"] = "READ"
        with self._lock:
            message["status"] = status
            self.callbacks_sent.append({"sid": message["sid"], "status": status})
        return post_signed(url, params, account.auth_token, timeout=10)


def post_signed(url: str, params: dict, auth_token: str, *, timeout: float = 15) -> int:
    """POST form parameters signed as Twilio signs its webhooks; the HTTP status answered.

    Raises OSError when the application cannot be reached at all.
    """
    signature = RequestValidator(auth_token).compute_signature(url, params)
    request = urllib.request.Request(
        url,
        data=urllib.parse.urlencode(params).encode(),
        headers={
            "X-Twilio-Signature": signature,
            "Content-Type": "application/x-www-form-urlencoded",
        },
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


class _Handler(BaseHTTPRequestHandler):
    fake: FakeTwilio

    def log_message(self, format, *args):  # keep test output quiet
        pass

    def _serve(self, method: str) -> None:
        parsed = urllib.parse.urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        query = {k: v[-1] for k, v in urllib.parse.parse_qs(parsed.query).items()}
        status, payload, content_type = self.fake.handle(
            method, parsed.path, query, dict(self.headers.items()), body
        )
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        self._serve("GET")

    def do_POST(self):
        self._serve("POST")

    def do_DELETE(self):
        self._serve("DELETE")


class FakeTwilioServer:
    """The fake served over real HTTP on a loopback port, in a daemon thread."""

    def __init__(self, fake: FakeTwilio | None = None, host: str = "127.0.0.1", port: int = 0):
        self.fake = fake or FakeTwilio()
        handler = type("Handler", (_Handler,), {"fake": self.fake})
        self.httpd = ThreadingHTTPServer((host, port), handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> FakeTwilioServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
