"""The committed Italian catalogues are complete and their compiled .mo files match the .po files.

CI has no GNU gettext, so the compiled catalogue is committed; this catches a
.po edited without recompiling.
"""

from __future__ import annotations

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings

BASE = Path(settings.BASE_DIR)
# The project's catalogues (django.po for Python and templates, djangojs.po for the
# desk's and the supervisor's scripts) and those of apps with their own locale folder.
CATALOGUES = [
    BASE / "locale" / "it" / "LC_MESSAGES" / "django.po",
    BASE / "locale" / "it" / "LC_MESSAGES" / "djangojs.po",
] + sorted(BASE.glob("*/locale/it/LC_MESSAGES/django.po"))
catalogues = pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: str(p.relative_to(BASE)))


def po_entries(po: Path) -> dict[str, str]:
    text = po.read_text(encoding="utf-8")
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
        # An entry with a context is keyed as gettext keys it: "context\x04msgid".
        context = re.search(r'^msgctxt (".*")$', block, re.M)
        if msgid and context:
            msgid = ast.literal_eval(context.group(1)) + "\x04" + msgid
        if msgid:
            entries[msgid] = join(match.group(2))
        assert "#, fuzzy" not in block, f"fuzzy entry: {msgid!r}"
    return entries


@catalogues
def test_every_italian_entry_is_translated(po):
    entries = po_entries(po)
    assert entries
    assert [msgid for msgid, msgstr in entries.items() if not msgstr] == []


@catalogues
def test_the_compiled_catalogue_matches_the_po(po):
    with open(po.with_suffix(".mo"), "rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = [msgid for msgid, msgstr in po_entries(po).items() if compiled.gettext(msgid) != msgstr]
    assert stale == [], (
        f"run: django-admin compilemessages -l it (GNU gettext) and commit {po.with_suffix('.mo').name}"
    )


@catalogues
def test_placeholders_survive_translation(po):
    for msgid, msgstr in po_entries(po).items():
        assert sorted(re.findall(r"%\(\w+\)s", msgid)) == sorted(
            re.findall(r"%\(\w+\)s", msgstr)
        ), msgid


def test_every_word_the_desk_scripts_show_is_in_the_javascript_catalogue():
    """A gettext() call added to a script without running makemessages -d djangojs is caught."""
    used = set()
    for script in ("desk.js", "supervisor.js"):
        text = (BASE / "static" / "js" / script).read_text(encoding="utf-8")
        used |= {
            ast.literal_eval(literal)
            for literal in re.findall(r'gettext\(("(?:[^"\\]|\\.)*")\)', text)
        }
    assert used
    assert (
        sorted(used - set(po_entries(BASE / "locale" / "it" / "LC_MESSAGES" / "djangojs.po"))) == []
    )
