"""API tokens listed per user (prefix, created, last used), revocable by the user and by administrators, audit-logged."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from api import tokens
from api.models import TokenUse
from audit.models import AuditEntry

pytestmark = pytest.mark.django_db

PAGE = "/settings/api-tokens/"
OWN = "/account/api-token/"


def call_api(key):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api.get("/api/v1/me/")


def token_events(user):
    return [
        e.changes["api_token"]
        for e in AuditEntry.objects.filter(object_id=str(user.pk)).order_by("id")
        if "api_token" in e.changes
    ]


def test_the_console_lists_prefix_created_and_last_used(admin_client, agent):
    key = tokens.create_token(agent.user)
    page = admin_client.get(PAGE).content.decode()
    assert f"{key[:8]}…" in page and key not in page
    assert 'class="last-used"><span class="muted">never' in page
    assert call_api(key).status_code == 200
    used = TokenUse.objects.get(user=agent.user).last_used_at
    assert timezone.now() - used < timedelta(seconds=5)
    page = admin_client.get(PAGE).content.decode()
    assert used.strftime("%Y-%m-%d %H:%M") in page


def test_a_use_is_written_at_most_once_a_minute(agent):
    key = tokens.create_token(agent.user)
    call_api(key)
    first = TokenUse.objects.get(user=agent.user).last_used_at
    call_api(key)
    assert TokenUse.objects.get(user=agent.user).last_used_at == first
    TokenUse.objects.filter(user=agent.user).update(last_used_at=first - timedelta(minutes=2))
    call_api(key)
    assert TokenUse.objects.get(user=agent.user).last_used_at > first - timedelta(seconds=1)


def test_a_user_sees_and_revokes_their_own_token(client, agent):
    key = tokens.create_token(agent.user)
    client.force_login(agent.user)
    page = client.get(OWN).content.decode()
    assert f"{key[:8]}…" in page and key not in page
    response = client.post(OWN + "revoke/", follow=True)
    assert response.status_code == 200 and 'id="no-own-token"' in response.content.decode()
    assert not Token.objects.filter(user=agent.user).exists()
    assert call_api(key).status_code == 401
    assert token_events(agent.user) == [
        {"event": "created", "prefix": key[:8]},
        {"event": "revoked", "prefix": key[:8]},
    ]
    entry = AuditEntry.objects.filter(changes__api_token__event="revoked").get()
    assert entry.actor_id == agent.user.pk


def test_an_administrator_revokes_and_replaces_with_audit_entries(admin_client, admin_user, agent):
    admin_client.post(PAGE + "create/", {"user": agent.user_id})
    first = Token.objects.get(user=agent.user).key
    admin_client.post(PAGE + "create/", {"user": agent.user_id})
    second = Token.objects.get(user=agent.user).key
    admin_client.post(f"{PAGE}{agent.user_id}/revoke/")
    assert token_events(agent.user) == [
        {"event": "created", "prefix": first[:8]},
        {"event": "replaced", "prefix": first[:8]},
        {"event": "created", "prefix": second[:8]},
        {"event": "revoked", "prefix": second[:8]},
    ]
    assert set(
        AuditEntry.objects.filter(changes__has_key="api_token").values_list("actor_id", flat=True)
    ) == {admin_user.pk}
    # The key itself is in no audit entry.
    assert not any(
        first in str(e.changes) or second in str(e.changes) for e in AuditEntry.objects.all()
    )


def test_users_cannot_revoke_someone_elses_token_from_their_page(client, agent, make_agent):
    other = make_agent("bea")
    key = tokens.create_token(other.user)
    client.force_login(agent.user)
    client.post(OWN + "revoke/")
    assert Token.objects.filter(user=other.user, key=key).exists()
    assert client.post(f"{PAGE}{other.user_id}/revoke/").status_code == 403
