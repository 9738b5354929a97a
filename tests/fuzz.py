"""Hypothesis strategies for hostile text, shared by the fuzzing suites.

Hypothesis' default text leaves lone surrogates out: they are added here,
with C0/C1 control characters, DEL and CR/LF, which is where the server
errors were (occ.lib.text).
"""

from __future__ import annotations

from hypothesis import strategies as st

BAD_CHARACTERS = [
    "\x00",
    "\x01",
    "\x08",
    "\x0b",
    "\x1b",
    "\x7f",
    "\x85",
    "\x9f",
    "\r",
    "\n",
    "\t",
    "\ud800",
    "\udfff",
    "\ud83d",
    "\u2028",
    "\ufeff",
]

hostile_characters = st.one_of(st.characters(), st.sampled_from(BAD_CHARACTERS))


def hostile_text(max_size: int = 40, min_size: int = 0):
    return st.text(alphabet=hostile_characters, min_size=min_size, max_size=max_size)


def as_sent(value: str) -> str:
    """`value` as a server decodes it from a UTF-8 form: a lone surrogate arrives as U+FFFD."""
    return value.encode("utf-8", "surrogatepass").decode("utf-8", "replace")


def form_bytes(params: dict) -> bytes:
    """A urlencoded body that may carry lone surrogates (as the bytes a careless client would send)."""
    from urllib.parse import quote_plus

    def enc(text: str) -> str:
        return quote_plus(text.encode("utf-8", "surrogatepass"))

    return "&".join(f"{enc(str(k))}={enc(str(v))}" for k, v in params.items()).encode()
