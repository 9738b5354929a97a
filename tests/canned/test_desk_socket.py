"""The desk's `note` and `canned` commands, and the live pushes of a note and its mentions."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async

from agents.models import CannedResponse
from interactions.models import Interaction, Note
from tests.desk.helpers import Tab, ainbound, run

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _no_presence_grace(settings):
    settings.OCC_PRESENCE_GRACE_SECONDS = 0


def test_a_note_reaches_the_holder_and_the_mentioned_agent_live_and_nobody_else(
    make_agent, service
):
    alex = make_agent("alex")
    bea = make_agent("bea")
    cy = make_agent("cy")

    async def scenario():
        await ainbound(service, provider_id="SM" + "1" * 32)
        interaction = await database_sync_to_async(Interaction.objects.get)()
        assert interaction.agent_id == alex.pk
        holder, second_tab, mentioned, other = (
            Tab(alex.user),
            Tab(alex.user),
            Tab(bea.user),
            Tab(cy.user),
        )
        for tab in (holder, second_tab, mentioned, other):
            await tab.open()
        # Before the mention bea may not open it.
        refused = await mentioned.command(
            {"type": "open", "interaction_id": interaction.pk}, "error"
        )
        stored = await holder.command(
            {
                "type": "note",
                "interaction_id": interaction.pk,
                "body": "@bea can you check?",
                "client_id": "n1",
            },
            "note.stored",
        )
        on_second_tab = await second_tab.receive_until("note.created")
        on_mentioned = await mentioned.receive_until("note.created")
        mention = await mentioned.receive_until("note.mention")
        opened = await mentioned.command(
            {"type": "open", "interaction_id": interaction.pk}, "conversation"
        )
        reply = await mentioned.command(
            {"type": "reply", "interaction_id": interaction.pk, "body": "Hi"}, "error"
        )
        answer = await mentioned.command(
            {"type": "note", "interaction_id": interaction.pk, "body": "Yes, it shipped."},
            "note.stored",
        )
        back_to_holder = await holder.receive_until("note.created", note__id=answer["note"]["id"])
        nothing_for_cy = await other.nothing_more()
        for tab in (holder, second_tab, mentioned, other):
            await tab.close()
        return locals()

    seen = run(scenario)
    assert seen["refused"]["message"] == "This interaction is not yours."
    note = seen["stored"]["note"]
    assert seen["stored"]["client_id"] == "n1"
    assert note["kind"] == "note" and note["author_name"] == "alex"
    assert note["mentions"] == [{"id": bea.pk, "username": "bea", "name": "bea"}]
    assert seen["on_second_tab"]["note"]["id"] == note["id"]
    assert seen["on_mentioned"]["note"]["id"] == note["id"]
    assert seen["mention"]["interaction"]["contact"]["name"] == "Maria"
    assert seen["mention"]["note"]["body"] == "@bea can you check?"
    [part] = seen["opened"]["history"]
    assert [n["body"] for n in part["notes"]] == ["@bea can you check?"]
    assert seen["reply"]["message"] == "This interaction is not yours."
    assert seen["back_to_holder"]["note"]["body"] == "Yes, it shipped."
    assert seen["nothing_for_cy"] is True
    assert Note.objects.count() == 2


def test_the_canned_command_lists_the_conversation_s_responses_filled(make_agent, service):
    alex = make_agent("alex")
    alex.user.first_name = "Alex"
    alex.user.save()
    CannedResponse.objects.create(
        shortcut="hello", body="Hi {{contact.name}}, {{agent.first_name}} of {{service.name}} here."
    )
    CannedResponse.objects.create(shortcut="mine", body="Bye!", owner=alex.user)

    async def scenario():
        await ainbound(service, provider_id="SM" + "2" * 32)
        interaction = await database_sync_to_async(Interaction.objects.get)()
        desk = Tab(alex.user)
        await desk.open()
        answer = await desk.command(
            {"type": "canned", "interaction_id": interaction.pk}, "canned.list"
        )
        await desk.close()
        return answer

    answer = run(scenario)
    texts = {r["shortcut"]: r["text"] for r in answer["responses"]}
    assert texts == {"hello": "Hi Maria, Alex of Customer care here.", "mine": "Bye!"}
