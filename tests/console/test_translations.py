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
    scripts = BASE / "static" / "js"
    for script in [
        path for folder in ("desk", "supervisor", "lib") for path in (scripts / folder).glob("*.js")
    ]:
        text = script.read_text(encoding="utf-8")
        used |= {
            ast.literal_eval(literal)
            for literal in re.findall(r'gettext\(("(?:[^"\\]|\\.)*")\)', text)
        }
    assert used
    assert (
        sorted(used - set(po_entries(BASE / "locale" / "it" / "LC_MESSAGES" / "djangojs.po"))) == []
    )


def extracted_msgids(tmp_path, domain: str) -> dict[str, str]:
    """Every string the code marks for translation in `domain`, as makemessages finds it today.

    makemessages runs on a copy of the checkout (the committed catalogues stay as they are):
    {msgid: where it is used}.
    """
    import shutil
    import subprocess
    import sys

    if not shutil.which("xgettext"):
        pytest.skip("needs GNU gettext (xgettext) to extract the strings")
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=BASE, capture_output=True, check=False
    ).stdout
    if not listed:
        pytest.skip("needs a git checkout to know the project's files")
    copy = tmp_path / "copy"
    for name in listed.decode().split("\0"):
        source = BASE / name
        if name and source.is_file():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, copy / name)
    ignore = [
        arg for folder in ("tests", "bench", "build", "node_modules") for arg in ("-i", folder)
    ]
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "it", "-d", domain, *ignore],
        cwd=copy,
        check=True,
        capture_output=True,
        env={**__import__("os").environ, "DJANGO_SETTINGS_MODULE": "occ.settings"},
    )
    found: dict[str, str] = {}
    for po in copy.glob(f"**/locale/it/LC_MESSAGES/{domain}.po"):
        for block in po.read_text(encoding="utf-8").split("\n\n"):
            if "#~" in block:
                continue  # obsolete: no longer in the code
            match = re.search(r'^msgid ((?:".*"\n)+)', block + "\n", re.M)
            if not match:
                continue
            msgid = "".join(ast.literal_eval(line) for line in match.group(1).split("\n") if line)
            context = re.search(r'^msgctxt (".*")$', block, re.M)
            if msgid and context:
                msgid = ast.literal_eval(context.group(1)) + "\x04" + msgid
            where = re.findall(r"^#: (.*)$", block, re.M)
            if msgid:
                found[msgid] = where[0] if where else "?"
    return found


@pytest.mark.parametrize("domain", ["django", "djangojs"])
def test_every_string_the_code_marks_has_its_italian(tmp_path, domain):
    """A string marked in the code (Python, templates, scripts) without an Italian entry in any
    catalogue Django loads (the project's, the apps', Django's own) would show English."""
    from django.utils.translation.trans_real import DjangoTranslation

    catalogue = DjangoTranslation("it", domain=domain)._catalog
    known = {key if isinstance(key, str) else key[0] for key in catalogue.keys()}
    missing = {
        msgid: where
        for msgid, where in extracted_msgids(tmp_path, domain).items()
        if msgid not in known
    }
    assert missing == {}
