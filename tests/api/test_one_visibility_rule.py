"""One rule decides who sees and acts on an interaction: the desk, its media view and the API agree."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from agents.models import AgentProfile, Presence
from desk.selectors import NotYours, interaction_for
from interactions.actions.lifecycle import close_interaction, transfer_interaction
from interactions.models import Interaction, Message
from interactions.selectors import actionable_interactions, can_act, can_view, visible_interactions
from services.models import Service

URL = "/api/v1/interactions/"


def desk_allows(user, interaction, *, act: bool) -> bool:
    try:
        interaction_for(user, interaction.pk, act=act)
    except NotYours:
        return False
    return True


def media_allows(client, interaction) -> bool:
    """The desk's media view: 404 when hidden; otherwise it tries the channel (502: not a Twilio URL)."""
    message = Message.objects.filter(interaction=interaction).first()
    message.attachments = [{"url": "https://example.com/not-twilio", "content_type": "image/png"}]
    message.save(update_fields=["attachments"])
    status = client.get(f"/desk/media/{message.pk}/0/").status_code
    assert status in (404, 502)
    return status == 502


def api_allows(user, interaction, *, act: bool) -> bool:
    api = APIClient()
    api.force_authenticate(user)
    if not act:
        status = api.get(f"{URL}{interaction.pk}/").status_code
        assert status in (200, 404)
        return status == 200
    # An empty reply: refused as invalid (400) when allowed, hidden (404) when not; nothing is sent.
    status = api.post(f"{URL}{interaction.pk}/messages/", {"body": ""}, format="json").status_code
    assert status in (400, 404)
    return status == 400


@pytest.fixture
def world(service, make_agent, admin_user, inbound, django_user_model):
    """Alex holds Maria's conversation; Bea, of the same service, held Maria's earlier one and
    holds Luca's now; Carl serves another service."""
    other_service = Service.objects.create(
        name="Billing", twilio_number="+15550001111", whatsapp_enabled=True
    )
    bea = make_agent("bea", max_interactions=1)
    earlier = inbound("+393330000001")
    assert earlier.agent_id == bea.pk
    close_interaction(earlier.pk)
    luca = inbound("+393330000002")
    assert luca.agent_id == bea.pk
    alex = make_agent("alex", max_interactions=1)
    carl = make_agent("carl", services=[other_service])
    maria = inbound("+393330000001")
    assert maria.agent_id == alex.pk
    return {
        "admin": admin_user,
        "alex": alex.user,
        "bea": bea.user,
        "carl": carl.user,
        "maria": maria,
        "earlier": Interaction.objects.get(pk=earlier.pk),
        "luca": luca,
    }


# (who, which interaction) → (may see, may act)
EXPECTED = {
    ("admin", "maria"): (True, True),
    ("alex", "maria"): (True, True),  # the agent holding it
    ("bea", "maria"): (False, False),  # an agent of the same service
    ("carl", "maria"): (False, False),  # an agent of another service
    ("alex", "earlier"): (True, False),  # the history of the contact Alex holds
    ("bea", "earlier"): (True, False),  # her own closed one: she handled it (not Maria's later one)
    ("admin", "luca"): (True, True),
    ("alex", "luca"): (False, False),
}


@pytest.mark.django_db
@pytest.mark.parametrize(("who", "which"), list(EXPECTED))
def test_desk_media_and_api_agree_on_who_sees_and_acts(world, client, who, which):
    user, interaction = world[who], world[which]
    may_see, may_act = EXPECTED[(who, which)]
    client.force_login(user)

    assert can_view(user, interaction) is may_see
    assert visible_interactions(user).filter(pk=interaction.pk).exists() is may_see
    assert desk_allows(user, interaction, act=False) is may_see
    assert media_allows(client, interaction) is may_see
    assert api_allows(user, interaction, act=False) is may_see

    assert can_act(user, interaction) is may_act
    assert actionable_interactions(user).filter(pk=interaction.pk).exists() is may_act
    assert desk_allows(user, interaction, act=True) is may_act
    if may_see:  # the API answers 404 for anything hidden, whatever else the user could do
        assert api_allows(user, interaction, act=True) is may_act


@pytest.mark.django_db
def test_a_transfer_moves_the_history_out_of_the_former_agents_view(world):
    """Alex keeps a view of the conversation he handled, not of the contact's other ones."""
    maria, alex = world["maria"], world["alex"]
    AgentProfile.objects.filter(user=alex).update(presence=Presence.AWAY)  # so the queue keeps it
    maria = transfer_interaction(maria.pk, to_agent_id=None)
    assert can_view(alex, maria) and visible_interactions(alex).filter(pk=maria.pk).exists()
    assert not can_act(alex, maria) and not desk_allows(alex, maria, act=True)
    assert not can_view(alex, world["earlier"])
    assert not desk_allows(alex, world["earlier"], act=False)
