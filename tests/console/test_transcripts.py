"""Transcripts: supervisors read any conversation, open or closed; agents and anonymous visitors cannot."""

from __future__ import annotations

import pytest
from django.urls import reverse

from agents.roles import Role, set_role
from interactions.actions.inbound import InboundMessage, receive_inbound
from interactions.actions.lifecycle import close_interaction
from interactions.actions.outbound import create_reply

pytestmark = pytest.mark.django_db


@pytest.fixture
def supervisor_client(client, django_user_model):
    user = django_user_model.objects.create_user("sam", password="sup-pass-123")
    set_role(user, Role.SUPERVISOR)
    client.force_login(user)
    return client


@pytest.fixture
def closed(service, agent):
    interaction = receive_inbound(
        service,
        InboundMessage(
            channel="whatsapp",
            address="+393331112222",
            provider_id="SM" + "1" * 32,
            body="Where is parcel 4411?",
            name="Maria",
        ),
    ).interaction
    create_reply(interaction.pk, sender=agent.user, body="It left this morning.")
    close_interaction(interaction.pk, actor=agent.user)
    return interaction


def test_a_supervisor_reads_a_closed_transcript(supervisor_client, closed):
    page = supervisor_client.get(reverse("supervise:transcript", args=[closed.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Where is parcel 4411?" in html and "It left this morning." in html
    assert html.index("Where is parcel 4411?") < html.index("It left this morning.")
    assert "+393331112222" in html and 'id="transcript-state">closed<' in html


def test_the_list_shows_closed_conversations_and_filters_by_contact(supervisor_client, closed):
    listing = supervisor_client.get(reverse("supervise:transcripts")).content.decode()
    assert f'data-interaction="{closed.pk}"' in listing
    other = supervisor_client.get(reverse("supervise:transcripts"), {"q": "nobody"})
    assert f'data-interaction="{closed.pk}"' not in other.content.decode()
    assert 'id="no-transcripts"' in other.content.decode()
    found = supervisor_client.get(reverse("supervise:transcripts"), {"q": "Mari"})
    assert f'data-interaction="{closed.pk}"' in found.content.decode()
    still_open = supervisor_client.get(reverse("supervise:transcripts"), {"state": "open"})
    assert f'data-interaction="{closed.pk}"' not in still_open.content.decode()


def test_agents_cannot_read_transcripts(client, agent, closed):
    client.force_login(agent.user)
    assert client.get(reverse("supervise:transcript", args=[closed.pk])).status_code == 403
    assert client.get(reverse("supervise:transcripts")).status_code == 403
    client.logout()
    assert client.get(reverse("supervise:transcripts")).status_code == 302
