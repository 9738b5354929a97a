"""`clean_text`'s shortcut for ASCII text gives what the full rule gives, on any text."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from occ.lib.text import clean_text


def reference(value: str) -> str:
    """The rule written out: NUL removed, each lone surrogate replaced by U+FFFD."""
    return re.sub("[\ud800-\udfff]", "\ufffd", value.replace("\x00", ""))


# Mostly ASCII with NULs, some surrogates and other non-ASCII text: every branch.
TEXT = st.text(
    alphabet=st.one_of(
        st.characters(max_codepoint=0x7F),
        st.just("\x00"),
        st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF),
        st.characters(min_codepoint=0x80),
    )
)


@given(TEXT)
def test_clean_text_is_the_rule_on_any_text(value):
    assert clean_text(value) == reference(value)


def test_clean_text_removes_a_nul_from_ascii_and_replaces_a_surrogate_beside_one():
    assert clean_text("a\x00b") == "ab"
    assert clean_text("\x00\ud800é") == "\ufffdé"
    assert clean_text("plain") == "plain"
