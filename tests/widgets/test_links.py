"""Click-to-chat links and reference codes, without a database."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from widgets import links


@pytest.mark.parametrize(
    "number",
    [
        "+39 02 1234 5678",
        "+39-02-1234-5678",
        "0039 02 1234 5678",
        "whatsapp:+390212345678",
        "+39 (02) 1234.5678",
    ],
)
def test_every_way_of_writing_a_number_gives_digits_only(number):
    assert links.app_link(number) == "https://wa.me/390212345678"
    assert links.web_link(number) == "https://web.whatsapp.com/send?phone=390212345678"


def test_text_is_url_encoded_with_percent_twenty():
    link = links.app_link("+390212345678", "Ciao & più? 50%/#1")
    assert link == "https://wa.me/390212345678?text=Ciao%20%26%20pi%C3%B9%3F%2050%25%2F%231"


def test_a_national_number_is_refused():
    with pytest.raises(ValidationError):
        links.app_link("02 1234 5678")


@settings(max_examples=40, deadline=None)
@given(st.text(min_size=1, max_size=60).filter(lambda t: t.strip()))
def test_any_text_survives_the_round_trip(text):
    for link, key in (
        (links.app_link("+390212345678", text), "text"),
        (links.web_link("+390212345678", text), "text"),
    ):
        query = parse_qs(urlsplit(link).query, keep_blank_values=True)
        assert query[key] == [text]


def test_reference_code_is_appended_to_the_text():
    assert links.text_with_ref("Hello!", "1A2B3C4D") == "Hello! (ref. 1A2B3C4D)"
    assert links.text_with_ref("", "1A2B3C4D") == "(ref. 1A2B3C4D)"


def test_reference_codes_are_found_as_whole_words_in_any_case():
    body = "Hello (ref. 1a2b3c4d) and order 12345678901 and X1A2B3C4D and 1A2B3C4D again, DEADBEEF"
    assert links.ref_codes_in(body) == ["1A2B3C4D", "DEADBEEF"]
    assert links.ref_codes_in("") == []
