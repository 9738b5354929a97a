"""WhatsApp click-to-chat links and the reference codes that ride in their text.

Pure functions: the QR code, the script and the console all take their links
from here, so what a visitor scans is what a visitor clicks.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from occ.lib.phone import wa_digits

WA_ME = "https://wa.me/"
WHATSAPP_WEB_SEND = "https://web.whatsapp.com/send"

# A reference code is 8 upper-case hex digits (widgets.models.new_ref_code).
# Customers may edit the pre-filled text, so the code is looked for anywhere
# in the message, in either case, as a whole word.
REF_CODE_PATTERN = re.compile(r"(?<![0-9A-Za-z])([0-9A-Fa-f]{8})(?![0-9A-Za-z])")


def _quoted(text: str) -> str:
    # WhatsApp decodes %20 and + differently across clients; %20 is safe everywhere.
    return quote(text, safe="")


def app_link(number: str, text: str = "") -> str:
    """`https://wa.me/<digits>[?text=...]`: opens the app on phones (and the QR payload)."""
    link = WA_ME + wa_digits(number)
    return f"{link}?text={_quoted(text)}" if text else link


def web_link(number: str, text: str = "") -> str:
    """`https://web.whatsapp.com/send?phone=<digits>[&text=...]`: WhatsApp Web on a desktop."""
    link = f"{WHATSAPP_WEB_SEND}?phone={wa_digits(number)}"
    return f"{link}&text={_quoted(text)}" if text else link


def text_with_ref(text: str, ref_code: str) -> str:
    """The pre-filled text with a visit's reference code appended."""
    suffix = f"(ref. {ref_code})"
    return f"{text.rstrip()} {suffix}" if text.strip() else suffix


def ref_codes_in(body: str) -> list[str]:
    """Candidate reference codes in a message body, upper-cased, in order, without repeats."""
    seen: dict[str, None] = {}
    for match in REF_CODE_PATTERN.finditer(body or ""):
        seen.setdefault(match.group(1).upper(), None)
    return list(seen)
