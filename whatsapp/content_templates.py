"""Approved WhatsApp templates (Twilio Content API ContentSid HX…), from configuration.

OCC_WHATSAPP_TEMPLATES is a JSON list, e.g.
`[{"sid": "HX…32 hex…", "name": "Follow-up", "body": "Hello {{1}}, about {{2}}…", "variables": ["1", "2"]}]`.
`body` is only a preview for the agent; Twilio renders the approved
content itself. Outside the 24-hour window these are the only messages
WhatsApp accepts.
"""

from __future__ import annotations

import json
import logging
import re

from django.conf import settings

logger = logging.getLogger(__name__)

CONTENT_SID = re.compile(r"^HX[0-9a-fA-F]{32}$")
VARIABLE = re.compile(r"\{\{\s*(\w+)\s*\}\}")


def parse_templates(raw: str) -> list[dict]:
    """Valid entries of the configuration; a wrong one is logged and skipped."""
    if not raw.strip():
        return []
    try:
        items = json.loads(raw)
    except ValueError:
        logger.error("OCC_WHATSAPP_TEMPLATES is not valid JSON; no templates are offered")
        return []
    templates = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict) or not CONTENT_SID.match(str(item.get("sid", ""))):
            logger.error(
                "OCC_WHATSAPP_TEMPLATES: skipped an entry without a ContentSid HX…: %r", item
            )
            continue
        body = str(item.get("body", ""))
        variables = item.get("variables")
        if not isinstance(variables, list):
            variables = list(dict.fromkeys(VARIABLE.findall(body)))
        templates.append(
            {
                "sid": item["sid"],
                "name": str(item.get("name") or item["sid"]),
                "body": body,
                "variables": [str(v) for v in variables],
            }
        )
    return templates


def approved_templates() -> list[dict]:
    return parse_templates(settings.OCC_WHATSAPP_TEMPLATES)


def render_preview(sid: str, variables: dict) -> str:
    """The template's text with its variables filled in (for the desk and the phone simulator)."""
    for template in approved_templates():
        if template["sid"] == sid:
            return VARIABLE.sub(
                lambda m: str(variables.get(m.group(1), m.group(0))), template["body"]
            )
    return ""
