"""Forgot your password?: a link by e-mail, the same answer for any address, throttled per address."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from tests.accounts.conftest import link_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_counts():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def bea(django_user_model):
    return django_user_model.objects.create_user(
        "bea", email="bea@example.com", password="old-pass-12345"
    )


def page(client, url) -> str:
    """The page without its per-request CSRF token."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", client.get(url).content.decode())


def ask(client, email, ip="203.0.113.5"):
    return client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=ip)


def test_the_log_in_page_links_to_the_password_reset(client):
    assert reverse("password_reset").encode() in client.get(reverse("login")).content


def test_a_known_address_gets_a_link_that_sets_a_new_password_once(client, bea):
    response = ask(client, "bea@example.com")
    assert response.status_code == 302 and response["Location"] == reverse("password_reset_done")
    [email] = mail.outbox
    link = link_in(email.body)
    form = client.get(link, follow=True)
    assert b'id="password-reset-confirm-form"' in form.content
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "new-pass-67890x", "new_password2": "new-pass-67890x"},
    )
    assert done.status_code == 302
    bea.refresh_from_db()
    assert bea.check_password("new-pass-67890x")
    assert b"no longer works" in client.get(link, follow=True).content


def test_an_unknown_address_gets_exactly_the_same_answer(client, bea):
    known = ask(client, "bea@example.com")
    unknown = ask(client, "nobody@example.com")
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert len(mail.outbox) == 1
    assert page(client, known["Location"]) == page(client, unknown["Location"])


def test_too_many_requests_send_nothing_more_and_still_look_the_same(client, bea, settings):
    settings.OCC_PASSWORD_RESETS_PER_HOUR = 2
    answers = {ask(client, "bea@example.com")["Location"] for _ in range(4)}
    assert answers == {reverse("password_reset_done")}
    assert len(mail.outbox) == 2


def test_someone_elsewhere_cannot_use_up_another_persons_allowance(client, bea, settings):
    settings.OCC_PASSWORD_RESETS_PER_HOUR = 2
    for _ in range(5):
        ask(client, "bea@example.com", ip="198.51.100.66")
    assert len(mail.outbox) == 2
    ask(client, "bea@example.com", ip="203.0.113.5")
    assert len(mail.outbox) == 3


def test_one_address_cannot_flood_many_mailboxes(client, settings):
    settings.OCC_PASSWORD_RESETS_PER_ADDRESS_PER_HOUR = 3
    for index in range(6):
        get_user_model().objects.create_user(
            f"user{index}", email=f"u{index}@example.com", password="pass-12345678"
        )
        ask(client, f"u{index}@example.com", ip="198.51.100.66")
    assert len(mail.outbox) == 3


def test_resetting_never_locks_the_log_in(client, bea, settings):
    settings.OCC_LOGIN_MAX_FAILURES = 1
    for _ in range(5):
        ask(client, "bea@example.com")
    response = client.post(
        reverse("login"),
        {"username": "bea", "password": "old-pass-12345"},
        REMOTE_ADDR="203.0.113.5",
    )
    assert response.status_code == 302
