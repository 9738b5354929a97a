"""Users → Invite user: an e-mail with a link to choose a password, sent again, expiring, used once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from accounts.models import Invitation
from audit.models import AuditEntry
from tests.accounts.conftest import link_in

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-fresh-passphrase-42"


def invite(admin_client, django_capture_on_commit_callbacks, **overrides):
    data = {
        "username": "carla",
        "first_name": "Carla",
        "last_name": "Rossi",
        "email": "carla@example.com",
    }
    data.update(overrides)
    with django_capture_on_commit_callbacks(execute=True):
        return admin_client.post(reverse("agents:user_invite"), data)


def test_an_invited_user_exists_without_a_password_and_gets_an_email_with_a_link(
    admin_client, django_capture_on_commit_callbacks
):
    response = invite(admin_client, django_capture_on_commit_callbacks)
    user = get_user_model().objects.get(username="carla")
    assert response.status_code == 302 and response["Location"] == reverse(
        "agents:user_edit", args=[user.pk]
    )
    assert not user.has_usable_password() and not user.is_staff and user.agent_profile
    [email] = mail.outbox
    assert email.to == ["carla@example.com"]
    assert (
        "carla" in email.body and reverse("accounts:invitation", args=["x", "y"])[:-5] in email.body
    )


def test_the_invitation_link_sets_the_password_signs_in_and_works_only_once(
    client, admin_client, django_capture_on_commit_callbacks
):
    invite(admin_client, django_capture_on_commit_callbacks)
    link = link_in(mail.outbox[0].body)
    page = client.get(link, follow=True)
    assert page.status_code == 200 and b'id="invitation-form"' in page.content
    response = client.post(
        page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response.status_code == 302 and response["Location"] == reverse("accounts:security")
    user = get_user_model().objects.get(username="carla")
    assert user.check_password(NEW_PASSWORD)
    assert client.session["_auth_user_id"] == str(user.pk)
    assert Invitation.objects.get(user=user).accepted_at is not None
    client.logout()
    again = client.get(link, follow=True)
    assert b"no longer works" in again.content and b'id="invitation-form"' not in again.content


def test_an_expired_invitation_link_is_refused(
    client, admin_client, django_capture_on_commit_callbacks, settings
):
    invite(admin_client, django_capture_on_commit_callbacks)
    link = link_in(mail.outbox[0].body)
    settings.PASSWORD_RESET_TIMEOUT = -1  # every link is already past its time
    page = client.get(link, follow=True)
    assert b"no longer works" in page.content and b'id="invitation-form"' not in page.content


def test_a_bad_invitation_is_a_field_error_and_creates_nobody(
    admin_client, django_capture_on_commit_callbacks, admin_user
):
    admin_user.email = "ada@example.com"
    admin_user.save()
    response = invite(
        admin_client, django_capture_on_commit_callbacks, email="ADA@example.com", username="ada"
    )
    assert response.status_code == 400 or response.status_code == 200
    errors = response.context["form"].errors
    assert "email" in errors and "username" in errors
    assert not get_user_model().objects.filter(username="carla").exists() and mail.outbox == []


def test_an_invitation_can_be_sent_again_with_a_fresh_link(
    admin_client, django_capture_on_commit_callbacks
):
    invite(admin_client, django_capture_on_commit_callbacks)
    user = get_user_model().objects.get(username="carla")
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("agents:user_resend_invitation", args=[user.pk]))
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [["carla@example.com"], ["carla@example.com"]]
    assert Invitation.objects.get(user=user).times_sent == 2


def test_an_invitation_is_not_sent_again_once_the_password_is_chosen(
    admin_client, django_capture_on_commit_callbacks
):
    invite(admin_client, django_capture_on_commit_callbacks)
    user = get_user_model().objects.get(username="carla")
    user.set_password(NEW_PASSWORD)
    user.save()
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse("agents:user_resend_invitation", args=[user.pk]))
    assert len(mail.outbox) == 1


def test_invitations_and_resends_are_in_the_audit_log(
    admin_client, django_capture_on_commit_callbacks
):
    invite(admin_client, django_capture_on_commit_callbacks)
    user = get_user_model().objects.get(username="carla")
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse("agents:user_resend_invitation", args=[user.pk]))
    events = [
        e.changes["invitation"]
        for e in AuditEntry.objects.filter(object_id=str(user.pk)).order_by("at", "id")
        if "invitation" in e.changes
    ]
    assert events == [
        {"event": "sent", "to": "carla@example.com"},
        {"event": "resent", "to": "carla@example.com"},
    ]
    assert all(e.actor_name == "ada" for e in AuditEntry.objects.filter(object_id=str(user.pk)))
    page = admin_client.get(reverse("audit:log")).content.decode()
    assert "sent to carla@example.com" in page and "sent again to carla@example.com" in page


def test_the_link_points_at_the_public_url_when_one_is_set(
    admin_client, django_capture_on_commit_callbacks, settings
):
    settings.OCC_PUBLIC_BASE_URL = "https://occ.example.com"
    invite(admin_client, django_capture_on_commit_callbacks)
    assert link_in(mail.outbox[0].body).startswith("https://occ.example.com/accounts/invitation/")


def test_the_password_reset_timeout_is_what_the_link_lasts(settings):
    from django.contrib.auth.tokens import default_token_generator

    user = get_user_model().objects.create_user("dina", email="dina@example.com")
    user.set_unusable_password()
    token = default_token_generator.make_token(user)
    assert default_token_generator.check_token(user, token)
    settings.PASSWORD_RESET_TIMEOUT = int(timedelta(days=-1).total_seconds())
    assert not default_token_generator.check_token(user, token)
