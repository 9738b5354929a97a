"""Canned responses in the console (supervisors: shared ones) and from the desk (everyone: their own)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from agents.models import CannedResponse
from audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_a_supervisor_creates_a_shared_response_limited_to_a_service_and_it_is_audited(
    client, supervisor, service
):
    client.force_login(supervisor)
    response = client.post(
        reverse("agents:canned_create"),
        {
            "shortcut": "hello",
            "title": "Greeting",
            "body": "Hi {{contact.name}}, {{agent.first_name}} here.",
            "services": [service.pk],
        },
    )
    assert response.status_code == 302
    saved = CannedResponse.objects.get(shortcut="hello")
    assert saved.owner is None and list(saved.services.all()) == [service]
    entries = AuditEntry.objects.filter(
        object_type="agents.CannedResponse", object_id=str(saved.pk)
    )
    assert {e.action for e in entries} == {"created", "changed"}
    created = entries.get(action="created")
    assert created.actor == supervisor
    assert created.changes["body"]["to"].startswith("Hi {{contact.name}}")
    assert entries.get(action="changed").changes == {"services": {"added": ["Customer care"]}}
    page = client.get(reverse("agents:canned_list")).content.decode()
    assert "/hello" in page and "Customer care" in page


def test_an_unknown_placeholder_is_refused_when_saving_with_the_known_ones_listed(
    client, supervisor
):
    client.force_login(supervisor)
    response = client.post(
        reverse("agents:canned_create"), {"shortcut": "bad", "body": "Dear {{customer.name}}"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Unknown placeholder: {{customer.name}}" in page
    assert "{{contact.name}}" in page
    assert not CannedResponse.objects.exists()


def test_a_shortcut_is_unique_among_shared_ones_but_an_agent_may_reuse_it(
    client, supervisor, agent
):
    CannedResponse.objects.create(shortcut="hello", body="Hello!")
    client.force_login(supervisor)
    response = client.post(reverse("agents:canned_create"), {"shortcut": "Hello", "body": "x"})
    assert "already has this shortcut" in response.content.decode()
    client.force_login(agent.user)
    response = client.post(
        reverse("agents:desk_canned_create"), {"shortcut": "hello", "body": "Mine"}
    )
    assert response.status_code == 302
    assert CannedResponse.objects.get(owner=agent.user).body == "Mine"


def test_agents_cannot_manage_shared_responses(client, agent):
    shared = CannedResponse.objects.create(shortcut="hello", body="Hello!")
    client.force_login(agent.user)
    assert client.get(reverse("agents:canned_list")).status_code == 403
    assert client.post(reverse("agents:canned_delete", args=[shared.pk])).status_code == 403
    assert CannedResponse.objects.filter(pk=shared.pk).exists()


def test_an_agent_sees_and_edits_only_their_own_personal_responses(client, agent, make_agent):
    other = make_agent("bea")
    theirs = CannedResponse.objects.create(shortcut="bye", body="Bye", owner=other.user)
    mine = CannedResponse.objects.create(shortcut="thanks", body="Thanks", owner=agent.user)
    client.force_login(agent.user)
    page = client.get(reverse("agents:desk_canned_list")).content.decode()
    assert "/thanks" in page and "/bye" not in page
    assert client.get(reverse("agents:desk_canned_edit", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("agents:desk_canned_delete", args=[theirs.pk])).status_code == 404
    response = client.post(
        reverse("agents:desk_canned_edit", args=[mine.pk]),
        {"shortcut": "thanks", "body": "Thank you!"},
    )
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.body == "Thank you!"
    # The delete page asks first (no browser confirm()); the POST deletes and is audited.
    assert (
        "Delete the canned response /thanks?"
        in client.get(reverse("agents:desk_canned_delete", args=[mine.pk])).content.decode()
    )
    client.post(reverse("agents:desk_canned_delete", args=[mine.pk]))
    assert not CannedResponse.objects.filter(pk=mine.pk).exists()
    assert AuditEntry.objects.filter(
        object_type="agents.CannedResponse", object_id=str(mine.pk), action="deleted"
    ).exists()


def test_the_pages_speak_italian(client, supervisor):
    client.force_login(supervisor)
    client.cookies["django_language"] = "it"
    page = client.get(reverse("agents:canned_list"), HTTP_ACCEPT_LANGUAGE="it").content.decode()
    assert "Risposte predefinite condivise" in page
    page = client.get(reverse("agents:canned_create"), HTTP_ACCEPT_LANGUAGE="it").content.decode()
    assert "Segnaposto" in page
    response = client.post(
        reverse("agents:canned_create"),
        {"shortcut": "x", "body": "{{nope}}"},
        HTTP_ACCEPT_LANGUAGE="it",
    )
    assert "Segnaposto sconosciuto: {{nope}}" in response.content.decode()
