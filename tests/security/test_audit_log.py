"""The audit log records who changed which setting when, and never a secret's value."""

from __future__ import annotations

import pytest
from django.urls import reverse

from agents.models import AgentProfile
from audit.context import acting_as
from audit.models import AuditEntry
from services.models import Service
from settings.models import ChatChannelSettings
from tests.conftest import AUTH_TOKEN
from widgets.models import Widget

pytestmark = pytest.mark.django_db


def entries_for(obj):
    return AuditEntry.objects.filter(object_type=obj._meta.label, object_id=str(obj.pk)).order_by(
        "at", "id"
    )


def test_a_changed_setting_records_who_what_and_when(admin_user):
    config = ChatChannelSettings.load()
    assert not entries_for(config).exists(), "loading the default row is not a change"
    with acting_as(admin_user, "10.0.0.7"):
        config.whatsapp_enabled = True
        config.account_sid = "AC" + "ab" * 16
        config.save()
    entry = entries_for(config).get()
    assert entry.actor == admin_user and entry.actor_name == "ada" and entry.ip == "10.0.0.7"
    assert entry.action == AuditEntry.Action.CHANGED
    assert entry.changes["whatsapp_enabled"] == {"from": "False", "to": "True"}
    assert entry.changes["account_sid"] == {"from": None, "to": "AC" + "ab" * 16}


def test_the_auth_token_is_recorded_only_as_changed(admin_user):
    config = ChatChannelSettings.load()
    with acting_as(admin_user):
        config.set_auth_token(AUTH_TOKEN)
        config.save()
    entry = entries_for(config).get()
    assert entry.changes == {"auth_token_encrypted": {"secret": True}}
    stored = str(list(AuditEntry.objects.values_list("changes", "object_repr")))
    assert AUTH_TOKEN not in stored and config.auth_token_encrypted not in stored


def test_saving_without_a_new_token_records_nothing(chat_settings, admin_user):
    before = AuditEntry.objects.count()
    with acting_as(admin_user):
        ChatChannelSettings.load().save()
    assert AuditEntry.objects.count() == before


def test_service_agent_widget_and_user_changes_are_recorded(admin_user, service, agent):
    last_id = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
    with acting_as(admin_user):
        service.twilio_number = "+390299999999"
        service.save()
        agent.max_interactions = 7
        agent.save()
        other = Service.objects.create(name="Sales")
        agent.services.add(other)
        agent.services.remove(other)
        widget = Widget.objects.create(name="Home page", whatsapp_service=service)
        widget.in_use = False
        widget.save()
        agent.user.set_password("a-new-password-123")
        agent.user.save()
        other.delete()
    assert entries_for(service).last().changes["twilio_number"] == {
        "from": "+390212345678",
        "to": "+390299999999",
    }
    agent_changes = [e.changes for e in entries_for(agent)]
    assert {"max_interactions": {"from": "3", "to": "7"}} in agent_changes
    assert {"services": {"added": ["Sales"]}} in agent_changes
    assert {"services": {"removed": ["Sales"]}} in agent_changes
    assert [e.action for e in entries_for(widget)] == ["created", "changed"]
    assert entries_for(widget).last().changes == {"in_use": {"from": "True", "to": "False"}}
    password_entry = entries_for(agent.user).last()
    assert password_entry.changes == {"password": {"secret": True}}
    assert AuditEntry.objects.filter(
        object_type="services.Service", action="deleted", object_repr="Sales"
    ).exists()
    assert all(e.actor == admin_user for e in AuditEntry.objects.filter(id__gt=last_id))


def test_a_log_in_is_not_a_configuration_change(client, agent):
    before = AuditEntry.objects.count()
    assert (
        client.post(
            reverse("login"), {"username": "alex", "password": "agent-pass-123"}
        ).status_code
        == 302
    )
    assert AuditEntry.objects.count() == before


def test_presence_changes_are_not_recorded(agent):
    from desk.actions import set_presence

    before = AuditEntry.objects.count()
    set_presence(agent, "away")
    assert AuditEntry.objects.count() == before


def test_changes_made_through_a_request_name_the_signed_in_user(
    admin_client, admin_user, service, monkeypatch
):
    """The middleware hands the request's user to the signal receivers."""
    from django.urls import path

    def change_view(request):
        from django.http import HttpResponse

        target = Service.objects.get(pk=service.pk)
        target.name = "Renamed"
        target.save()
        return HttpResponse("ok")

    import occ.urls

    monkeypatch.setattr(
        occ.urls, "urlpatterns", [path("test-change/", change_view), *occ.urls.urlpatterns]
    )
    from django.urls import clear_url_caches

    clear_url_caches()
    try:
        assert admin_client.get("/test-change/", REMOTE_ADDR="192.0.2.9").status_code == 200
    finally:
        clear_url_caches()
    entry = entries_for(service).last()
    assert entry.actor == admin_user and entry.ip == "192.0.2.9"
    assert entry.changes == {"name": {"from": "Customer care", "to": "Renamed"}}


def test_the_audit_page_shows_changes_to_administrators(admin_client, admin_user, service):
    with acting_as(admin_user):
        service.name = "Help <desk>"
        service.save()
        config = ChatChannelSettings.load()
        config.set_auth_token("another-token-value-xyz")
        config.save()
    response = admin_client.get(reverse("audit:log"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Help &lt;desk&gt;" in html and "Help <desk>" not in html
    assert "changed (the value is never recorded)" in html
    assert "another-token-value-xyz" not in html
    assert reverse("audit:log") in admin_client.get(reverse("services:list")).content.decode(), (
        "linked from the nav"
    )
    filtered = admin_client.get(reverse("audit:log"), {"type": "services.Service"}).content.decode()
    assert (
        "Help &lt;desk&gt;" in filtered and "changed (the value is never recorded)" not in filtered
    )


def test_the_audit_page_is_for_administrators_only(client, agent):
    url = reverse("audit:log")
    assert client.get(url).status_code == 302
    client.force_login(agent.user)
    assert client.get(url).status_code == 403


def test_creating_an_agent_profile_is_recorded(admin_user, django_user_model):
    with acting_as(admin_user):
        user = django_user_model.objects.create_user("bea", password="bea-pass-12345")
        profile = AgentProfile.objects.create(
            user=user, chat_enabled=True, whatsapp_enabled=True, max_interactions=4
        )
    entry = entries_for(profile).get()
    assert entry.action == "created"
    assert entry.changes["max_interactions"] == {"from": "3", "to": "4"}
    assert entries_for(user).get().changes["password"] == {"secret": True}


def test_the_audit_page_speaks_italian(admin_client, admin_user, service):
    with acting_as(admin_user):
        config = ChatChannelSettings.load()
        config.set_auth_token("x-token-value")
        config.save()
    html = admin_client.get(reverse("audit:log"), HTTP_ACCEPT_LANGUAGE="it").content.decode()
    assert "Registro delle modifiche" in html and "il valore non viene mai registrato" in html
