"""The accounts pages and e-mails speak Italian."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

pytestmark = pytest.mark.django_db

IT = {"HTTP_ACCEPT_LANGUAGE": "it"}


@pytest.mark.parametrize(
    "name, phrase",
    [
        ("login", "Password dimenticata?"),
        ("password_reset", "Invia il link"),
        ("password_reset_done", "Controlla la tua e-mail"),
        ("agents:user_invite", "Invia l'invito"),
        ("accounts:security_settings", "Come funziona l'accesso"),
        ("accounts:security", "Inquadra questo codice QR con l'app."),
        ("accounts:outbox", "Posta in uscita"),
    ],
)
def test_each_page_in_italian(admin_client, name, phrase):
    page = admin_client.get(reverse(name), **IT).content.decode()
    assert phrase in page


def test_the_invitation_email_in_italian(admin_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            reverse("agents:user_invite"), {"username": "carla", "email": "carla@example.com"}, **IT
        )
    [email] = mail.outbox
    assert email.subject == "Sei invitato in OCC"
    assert "Scegli la tua password qui:" in email.body and "per 3 giorni" in email.body
