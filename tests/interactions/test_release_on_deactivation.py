"""A deactivated agent's open interactions go back to the queue and on to a colleague."""

import pytest

from interactions.actions.inbound import InboundMessage, receive_inbound
from interactions.models import Interaction

pytestmark = pytest.mark.django_db


def inbound(number: str, sid_char: str) -> InboundMessage:
    return InboundMessage(
        channel="whatsapp", address=number, provider_id="SM" + sid_char * 32, body="Hi"
    )


def test_deactivating_an_agent_hands_their_interactions_to_a_colleague(
    service, make_agent, admin_client
):
    leaving = make_agent("leaving", max_interactions=2)
    first = receive_inbound(service, inbound("+393330000001", "a")).interaction
    second = receive_inbound(service, inbound("+393330000002", "b")).interaction
    assert {first.agent_id, second.agent_id} == {leaving.pk}
    colleague = make_agent("colleague", max_interactions=1)

    response = admin_client.post(f"/users/{leaving.user.pk}/deactivate/")

    assert response.status_code == 302
    states = dict(Interaction.objects.values_list("pk", "agent_id"))
    # The colleague takes one (their cap is 1), the other waits, keeping its place.
    assert sorted(states.values(), key=str) == sorted([colleague.pk, None], key=str)
    assert Interaction.objects.get(agent=None).state == "queued"
    assert not Interaction.objects.filter(agent=leaving).exists()


def test_activating_again_takes_waiting_customers(service, make_agent, admin_client):
    agent = make_agent("back", max_interactions=1)
    agent.user.is_active = False
    agent.user.save()
    receive_inbound(service, inbound("+393330000003", "c"))
    assert Interaction.objects.get().state == "queued"

    admin_client.post(f"/users/{agent.user.pk}/activate/")

    assert Interaction.objects.get().agent_id == agent.pk
