"""Private notes: stored apart from messages, @mentions resolved, the visibility rule, the API."""

from __future__ import annotations

import pytest

from interactions import selectors
from interactions.actions import ActionError
from interactions.actions.lifecycle import close_interaction
from interactions.actions.notes import add_note, mentioned_usernames
from interactions.models import Message, Note
from tests.api.conftest import token_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(make_agent):
    """alex (holds the conversation), bea and cy (colleagues of the same service)."""
    alex = make_agent("alex")
    return alex, make_agent("bea"), make_agent("cy")


def test_mentions_are_usernames_after_an_at_sign_not_inside_words_or_addresses():
    body = "@bea please look. Ask @Cy.Lee. Not me@example.com, nor @@x; @bea again"
    assert mentioned_usernames(body) == ["bea", "Cy.Lee", "@x"]


def test_a_note_is_stored_apart_from_the_messages_with_its_mentions(team, inbound):
    alex, bea, cy = team
    interaction = inbound()
    assert interaction.agent_id == alex.pk
    messages_before = Message.objects.count()
    note = add_note(interaction.pk, author=alex.user, body="  @BEA can you check? @nobody @alex  ")
    assert note.body == "@BEA can you check? @nobody @alex"
    # Case-insensitive, the author never mentions themselves, unknown names are plain text.
    assert list(note.mentions.all()) == [bea]
    assert Message.objects.count() == messages_before


def test_an_inactive_agent_is_not_mentioned(team, inbound):
    alex, bea, _cy = team
    bea.user.is_active = False
    bea.user.save()
    note = add_note(inbound().pk, author=alex.user, body="@bea")
    assert not note.mentions.exists()


def test_an_empty_or_too_long_note_is_refused(team, inbound):
    alex = team[0]
    interaction = inbound()
    with pytest.raises(ActionError):
        add_note(interaction.pk, author=alex.user, body="   ")
    with pytest.raises(ActionError):
        add_note(interaction.pk, author=alex.user, body="x" * 4001)
    assert not Note.objects.exists()


def test_a_mentioned_agent_may_read_the_conversation_while_it_is_open_never_act(team, inbound):
    alex, bea, cy = team
    interaction = inbound()
    earlier_messages = interaction.messages.count()
    assert not selectors.can_view(bea.user, interaction)
    assert interaction not in selectors.visible_interactions(bea.user)
    add_note(interaction.pk, author=alex.user, body="@bea what do you think?")
    assert selectors.can_view(bea.user, interaction)
    assert interaction in selectors.visible_interactions(bea.user)
    assert not selectors.can_act(bea.user, interaction)
    assert interaction not in selectors.actionable_interactions(bea.user)
    # A colleague not mentioned still sees nothing.
    assert not selectors.can_view(cy.user, interaction)
    assert interaction not in selectors.visible_interactions(cy.user)
    assert earlier_messages == interaction.messages.count()
    close_interaction(interaction.pk, actor=alex.user)
    interaction.refresh_from_db()
    assert not selectors.can_view(bea.user, interaction)
    assert interaction not in selectors.visible_interactions(bea.user)


def test_the_conversation_and_the_snapshot_carry_the_notes_and_mentions(team, inbound):
    from desk.selectors import desk_snapshot

    alex, bea, _cy = team
    interaction = inbound()
    add_note(interaction.pk, author=alex.user, body="@bea first")
    add_note(interaction.pk, author=alex.user, body="second")
    [part] = selectors.conversation(interaction)["history"]
    assert [n["body"] for n in part["notes"]] == ["@bea first", "second"]
    assert part["notes"][0]["kind"] == "note"
    assert part["notes"][0]["mentions"] == [{"id": bea.pk, "username": "bea", "name": "bea"}]
    assert all(m["body"] not in {"@bea first", "second"} for m in part["messages"])
    mentions = desk_snapshot(bea)["mentions"]
    assert [m["note"]["body"] for m in mentions] == ["@bea first"]
    assert desk_snapshot(alex)["mentions"] == []


class TestTheApi:
    def test_the_holder_lists_and_adds_notes(self, team, inbound):
        alex, bea, _cy = team
        interaction = inbound()
        api = token_client(alex.user)
        url = f"/api/v1/interactions/{interaction.pk}/notes/"
        answer = api.post(url, {"body": "Call back tomorrow @bea"}, format="json")
        assert answer.status_code == 201, answer.content
        created = answer.json()
        assert created["author"] == alex.user.pk
        assert created["mentions"] == [{"id": bea.pk, "username": "bea", "name": "bea"}]
        assert [n["body"] for n in api.get(url).json()["results"]] == ["Call back tomorrow @bea"]
        assert api.post(url, {"body": "  "}, format="json").status_code == 400

    def test_a_colleague_gets_404_until_mentioned(self, team, inbound):
        alex, bea, cy = team
        interaction = inbound()
        url = f"/api/v1/interactions/{interaction.pk}/notes/"
        bea_api = token_client(bea.user)
        assert bea_api.get(url).status_code == 404
        assert bea_api.post(url, {"body": "x"}, format="json").status_code == 404
        add_note(interaction.pk, author=alex.user, body="@bea")
        assert bea_api.get(url).status_code == 200
        assert bea_api.post(url, {"body": "On it"}, format="json").status_code == 201
        assert token_client(cy.user).get(url).status_code == 404
        # Reading is not acting: no reply through the API.
        reply = bea_api.post(
            f"/api/v1/interactions/{interaction.pk}/messages/", {"body": "Hi"}, format="json"
        )
        assert reply.status_code == 404
