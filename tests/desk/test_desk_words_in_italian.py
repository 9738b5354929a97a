"""Every word the desk's scripts show has an Italian translation in the JavaScript catalogue.

The scripts take their words from Django's JavaScript catalogue (/jsi18n/);
a string missing from locale/it/LC_MESSAGES/djangojs.po would show in
English in the Italian desk.
"""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
# The desk's and the supervisor view's ES modules (docs/architecture.md, "Front-end modules").
SCRIPTS = sorted(
    str(path.relative_to(REPO / "static" / "js"))
    for folder in ("desk", "supervisor", "lib")
    for path in (REPO / "static" / "js" / folder).glob("*.js")
)
# Words that are the same in Italian (the keys' names as Italian keyboards print them, too).
SAME = {"Sticker", "Video", "Online", "Offline", "Ctrl", "Esc", "In %(service)s"}
CALL = re.compile(r'\bgettext\(\s*"((?:[^"\\]|\\.)*)"\s*\)')
PLURAL = re.compile(r'ngettext\(\s*"((?:[^"\\]|\\.)*)",\s*"((?:[^"\\]|\\.)*)"')


def words() -> list[str]:
    found: list[str] = []
    for name in SCRIPTS:
        text = (REPO / "static" / "js" / name).read_text()
        found += [
            m.encode().decode("unicode_escape").encode("latin-1").decode()
            for m in CALL.findall(text)
        ]
    return sorted(set(found))


def catalogue() -> gettext.GNUTranslations:
    with open(REPO / "locale/it/LC_MESSAGES/djangojs.mo", "rb") as handle:
        return gettext.GNUTranslations(handle)


@pytest.mark.parametrize("word", words())
def test_each_word_of_the_desks_scripts_is_translated(word):
    italian = catalogue().gettext(word)
    assert italian != word or word in SAME, f"not in djangojs.po: {word!r}"


def test_plural_sentences_are_translated():
    it = catalogue()
    for name in SCRIPTS:
        for one, many in PLURAL.findall((REPO / "static" / "js" / name).read_text()):
            assert it.ngettext(one, many, 1) != one, one
            assert it.ngettext(one, many, 3) != many, many
