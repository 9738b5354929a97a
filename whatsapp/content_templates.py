"""The account's WhatsApp templates: synced from Twilio's Content API, offered when approved.

`sync_templates()` reads `GET https://content.twilio.com/v1/ContentAndApprovals`
(every page) through the twilio client and stores each Content resource with
the WhatsApp approval Twilio reports: status, category (Meta may change it
after approval: read back on every sync), rejection reason, language and
variables. It runs on demand (the console's "Sync with Twilio") and as the
periodic job `whatsapp.sync_templates` (`whatsapp/tasks.py`). Only approved
templates still listed by Twilio are offered to agents and accepted by
`create_reply`; Twilio renders the approved content itself, `body` is the
agent's preview.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from twilio.base.exceptions import TwilioException, TwilioRestException

from whatsapp import gateway
from whatsapp.models import ContentTemplate, TemplateSync

logger = logging.getLogger(__name__)

CONTENT_SID = re.compile(r"^HX[0-9a-fA-F]{32}$")
VARIABLE = re.compile(r"\{\{\s*(\w+)\s*\}\}")
# The types whose text is the message (first found wins), as Twilio's Content types name them.
BODY_TYPES = (
    "twilio/text",
    "twilio/quick-reply",
    "twilio/call-to-action",
    "twilio/media",
    "whatsapp/card",
    "twilio/card",
    "whatsapp/authentication",
    "twilio/list-picker",
)


def _approval(raw) -> dict:
    """WhatsApp's approval request: the object itself, or under `whatsapp` (both shapes are seen)."""
    if not isinstance(raw, dict):
        return {}
    inner = raw.get("whatsapp")
    return inner if isinstance(inner, dict) else raw


def _body_and_buttons(types: dict) -> tuple[str, list[dict]]:
    body = ""
    for kind in BODY_TYPES:
        content = types.get(kind)
        if isinstance(content, dict):
            text = content.get("body") or content.get("title") or ""
            if isinstance(text, str) and text:
                body = text
                break
    buttons = []
    quick = types.get("twilio/quick-reply")
    if isinstance(quick, dict):
        for action in quick.get("actions") or []:
            if isinstance(action, dict) and action.get("title"):
                buttons.append(
                    {"id": str(action.get("id") or action["title"]), "title": str(action["title"])}
                )
    return body, buttons


@dataclass
class SyncResult:
    ok: bool
    message: str
    counts: dict = field(default_factory=dict)


def _page_error(exc: TwilioException) -> tuple[int | None, int | None]:
    """(HTTP status, Twilio code) of a list page Twilio refused (twilio-python raises the base class)."""
    response = exc.args[1] if len(exc.args) > 1 else None
    status = getattr(response, "status_code", None)
    try:
        code = json.loads(getattr(response, "text", "") or "{}").get("code")
    except (ValueError, AttributeError):
        code = None
    return status, code


def _error_words(exc: Exception) -> str:
    if isinstance(exc, gateway.NotConfigured):
        return _("Configure the Account SID and the Auth Token first.")
    if isinstance(exc, TwilioException):
        if isinstance(exc, TwilioRestException):
            status, code = exc.status, exc.code
        else:
            status, code = _page_error(exc)
        if status == 401 or code == 20003:
            return _("Twilio refused the credentials (Twilio error 20003).")
        return _("Twilio answered with an error (HTTP %(status)s, code %(code)s).") % {
            "status": status,
            "code": code,
        }
    return _("Twilio could not be reached; the templates already synced stay as they were.")


def sync_templates() -> SyncResult:
    """Read every template of the account from Twilio and store what it says. Never raises for Twilio."""
    now = timezone.now()
    try:
        listed = list(gateway.client().content.v1.content_and_approvals.list(page_size=100))
    except (gateway.NotConfigured, TwilioException, *gateway.NETWORK_ERRORS) as exc:
        logger.warning("template sync failed: %s", type(exc).__name__)
        result = SyncResult(False, _error_words(exc))
        _record(result, now)
        return result
    seen = set()
    counts = {"approved": 0, "other": 0, "removed": 0}
    with transaction.atomic():
        for item in listed:
            sid = item.sid or ""
            if not CONTENT_SID.match(sid):
                continue
            seen.add(sid)
            approval = _approval(item.approval_requests)
            types = item.types if isinstance(item.types, dict) else {}
            variables = item.variables if isinstance(item.variables, dict) else {}
            body, buttons = _body_and_buttons(types)
            # A placeholder in the text but not in `variables` is still a variable.
            for name in VARIABLE.findall(body):
                variables.setdefault(name, "")
            status = str(approval.get("status") or "unsubmitted").strip().lower()[:32]
            ContentTemplate.objects.update_or_create(
                sid=sid,
                defaults={
                    "friendly_name": (item.friendly_name or "")[:200],
                    "whatsapp_name": str(approval.get("name") or "")[:200],
                    "language": (item.language or "")[:16],
                    "status": status,
                    "category": str(approval.get("category") or "").strip().upper()[:32],
                    "rejection_reason": str(approval.get("rejection_reason") or ""),
                    "types": types,
                    "variables": {str(k): str(v) for k, v in variables.items()},
                    "body": body,
                    "buttons": buttons,
                    "synced_at": now,
                    "removed_at": None,
                },
            )
            counts["approved" if status == ContentTemplate.Status.APPROVED else "other"] += 1
        counts["removed"] = (
            ContentTemplate.objects.filter(removed_at__isnull=True)
            .exclude(sid__in=seen)
            .update(removed_at=now)
        )
    result = SyncResult(
        True,
        _("%(total)d templates read from Twilio, %(approved)d of them approved.")
        % {"total": len(seen), "approved": counts["approved"]},
        counts,
    )
    _record(result, now)
    logger.info("templates synced from Twilio: %s", counts)
    return result


def _record(result: SyncResult, now) -> None:
    TemplateSync.objects.update_or_create(
        pk=1,
        defaults={
            "at": now,
            "ok": result.ok,
            "message": result.message[:300],
            "counts": result.counts,
        },
    )


def as_offer(template: ContentTemplate) -> dict:
    """What the desk and the API show of an approved template."""
    return {
        "sid": template.sid,
        "name": template.friendly_name or template.whatsapp_name or template.sid,
        "body": template.body,
        "variables": template.variable_names(),
        # Twilio's default placeholder values: shown as hints beside each input.
        "examples": {name: template.variables.get(name, "") for name in template.variable_names()},
        "language": template.language,
        "category": template.category,
        "buttons": template.buttons,
    }


def approved_templates() -> list[dict]:
    """The templates agents may send: approved by WhatsApp and still on the account."""
    return [
        as_offer(t)
        for t in ContentTemplate.objects.filter(
            status=ContentTemplate.Status.APPROVED, removed_at__isnull=True
        )
        if t.sendable
    ]


def render(template_body: str, variables: dict) -> str:
    return VARIABLE.sub(lambda m: str(variables.get(m.group(1)) or m.group(0)), template_body)


def render_preview(sid: str, variables: dict) -> str:
    """A template's text with its variables filled in (the desk's history and the phone simulator)."""
    template = ContentTemplate.objects.filter(sid=sid).first()
    return render(template.body, variables) if template else ""
