"""The committed Italian catalogue is complete and its compiled .mo matches the .po.

CI has no GNU gettext, so the compiled catalogue is committed; this catches a
.po edited without recompiling.
"""

from __future__ import annotations

import ast
import gettext
import re
from pathlib import Path

from django.conf import settings

LOCALE = Path(settings.BASE_DIR) / "locale" / "it" / "LC_MESSAGES"


def po_entries() -> dict[str, str]:
    text = (LOCALE / "django.po").read_text(encoding="utf-8")
    entries = {}
    for block in text.split("\n\n"):
        if "msgid_plural" in block or "#~" in block:
            continue
        match = re.search(r'^msgid ((?:".*"\n)+)msgstr ((?:".*"\n?)+)', block + "\n", re.M)
        if not match:
            continue

        def join(part: str) -> str:
            return "".join(ast.literal_eval(line) for line in part.strip().splitlines())

        msgid = join(match.group(1))
        if msgid:
            entries[msgid] = join(match.group(2))
        assert "#, fuzzy" not in block, f"fuzzy entry: {msgid!r}"
    return entries


def test_every_italian_entry_is_translated():
    entries = po_entries()
    assert len(entries) > 100
    assert [msgid for msgid, msgstr in entries.items() if not msgstr] == []


def test_the_compiled_catalogue_matches_the_po():
    with open(LOCALE / "django.mo", "rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = [msgid for msgid, msgstr in po_entries().items() if compiled.gettext(msgid) != msgstr]
    assert stale == [], "run: django-admin compilemessages -l it (GNU gettext) and commit django.mo"


def test_placeholders_survive_translation():
    for msgid, msgstr in po_entries().items():
        assert sorted(re.findall(r"%\(\w+\)s", msgid)) == sorted(re.findall(r"%\(\w+\)s", msgstr)), msgid
