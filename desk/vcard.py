"""A customer's shared contact (a vCard file) read as plain data: a name and numbers.

Pure functions, no database. The file is the customer's: it is parsed as
text, never rendered, and only the few fields the desk shows come out,
cut to a sane length.
"""

from __future__ import annotations

MAX_BYTES = 64 * 1024
MAX_CONTACTS = 10
MAX_NUMBERS = 5
MAX_TEXT = 120


def _unfold(text: str) -> list[str]:
    lines: list[str] = []
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if raw[:1] in (" ", "\t") and lines:
            lines[-1] += raw[1:]
        else:
            lines.append(raw)
    return lines


def _value(line: str) -> tuple[str, str]:
    name, _, value = line.partition(":")
    key = name.split(";", 1)[0].split(".")[-1].upper()
    value = value.replace("\\,", ",").replace("\\;", ";").replace("\\n", " ").replace("\\\\", "\\")
    return key, "".join(ch for ch in value if ch.isprintable()).strip()[:MAX_TEXT]


def parse(data: bytes) -> list[dict]:
    """[{"name": "…", "numbers": ["+39…"], "emails": ["…"]}] for each card in the file."""
    text = data[:MAX_BYTES].decode("utf-8", "replace")
    cards: list[dict] = []
    card: dict | None = None
    for line in _unfold(text):
        key, value = _value(line)
        if key == "BEGIN" and value.upper() == "VCARD":
            card = {"name": "", "numbers": [], "emails": []}
        elif key == "END" and card is not None:
            if card["name"] or card["numbers"] or card["emails"]:
                cards.append(card)
            card = None
            if len(cards) >= MAX_CONTACTS:
                break
        elif card is None or not value:
            continue
        elif key == "FN":
            card["name"] = value
        elif key == "N" and not card["name"]:
            parts = [p.strip() for p in value.split(";")]
            card["name"] = " ".join(p for p in (parts[1:2] + parts[:1]) if p)
        elif key == "TEL" and len(card["numbers"]) < MAX_NUMBERS:
            card["numbers"].append(value.removeprefix("tel:"))
        elif key == "EMAIL" and len(card["emails"]) < MAX_NUMBERS:
            card["emails"].append(value)
    return cards


VCARD_TYPES = frozenset({"text/vcard", "text/x-vcard", "text/directory"})


def is_vcard(content_type: str | None) -> bool:
    return (content_type or "").split(";", 1)[0].strip().lower() in VCARD_TYPES
