"""The one visibility rule (interactions.selectors): what an agent, a supervisor and others see."""

from __future__ import annotations

from unittest import mock

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse

from interactions import selectors
from interactions.models import AssignmentEvent, InteractionState

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(make_agent, admin_user):
    return make_agent("alex"), make_agent("bea"), admin_user


def visible(user):
    return set(selectors.visible_interactions(user).values_list("pk", flat=True))


class TestAgents:
    def test_an_agent_sees_the_conversations_they_closed(self, people, conversation_factory):
        alex, bea, _admin = people
        mine = conversation_factory("Maria", "+393330000001", "hello", agent=alex)
        theirs = conversation_factory("Luca", "+393330000002", "ciao", agent=bea)
        assert visible(alex.user) == {mine.pk}
        assert selectors.can_view(alex.user, mine)
        assert not selectors.can_view(alex.user, theirs)

    def test_an_agent_sees_a_conversation_they_handled_then_transferred(
        self, people, conversation_factory
    ):
        alex, bea, _admin = people
        handed_on = conversation_factory("Maria", "+393330000001", "hi", agent=bea)
        AssignmentEvent.objects.create(
            interaction=handed_on, kind=AssignmentEvent.Kind.ASSIGNED, agent=alex
        )
        assert visible(alex.user) == {handed_on.pk}
        assert selectors.can_view(alex.user, handed_on)
        # Seeing is not acting: it is Bea's.
        assert not selectors.can_act(alex.user, handed_on)

    def test_an_agent_sees_what_they_closed_for_a_colleague(self, people, conversation_factory):
        alex, bea, _admin = people
        closed_for_bea = conversation_factory("Maria", "+393330000001", "hi", agent=bea)
        closed_for_bea.closed_by = alex.user
        closed_for_bea.save()
        assert visible(alex.user) == {closed_for_bea.pk}

    def test_a_closed_one_shows_itself_not_the_contacts_other_conversations(
        self, people, conversation_factory
    ):
        alex, bea, _admin = people
        mine = conversation_factory("Maria", "+393330000001", "first", agent=alex)
        later = conversation_factory("Maria", "+393330000001", "later", agent=bea)
        assert visible(alex.user) == {mine.pk}
        assert not selectors.can_view(alex.user, later)

    def test_the_contacts_whole_history_comes_with_it(self, people, conversation_factory):
        alex, bea, _admin = people
        earlier = conversation_factory("Maria", "+393330000001", "first", agent=bea)
        now = conversation_factory(
            "Maria", "+393330000001", "again", agent=alex, state=InteractionState.ASSIGNED
        )
        assert visible(alex.user) == {earlier.pk, now.pk}
        assert selectors.can_view(alex.user, earlier)
        assert not selectors.can_act(alex.user, earlier)
        assert selectors.can_act(alex.user, now)
        assert set(selectors.actionable_interactions(alex.user)) == {now}

    def test_a_colleagues_conversation_in_a_shared_service_stays_out_of_view(
        self, people, conversation_factory
    ):
        alex, bea, _admin = people
        conversation_factory(
            "Luca", "+393330000002", "x", agent=bea, state=InteractionState.ASSIGNED
        )
        assert visible(alex.user) == set()


class TestOthers:
    def test_a_supervisor_sees_and_acts_on_everything(self, people, conversation_factory):
        alex, bea, admin = people
        a = conversation_factory("Maria", "+393330000001", "x", agent=alex)
        b = conversation_factory("Luca", "+393330000002", "y", agent=bea)
        assert visible(admin) == {a.pk, b.pk}
        assert selectors.can_view(admin, b) and selectors.can_act(admin, b)

    def test_no_agent_profile_or_no_session_sees_nothing(
        self, people, conversation_factory, django_user_model
    ):
        alex, _bea, _admin = people
        a = conversation_factory("Maria", "+393330000001", "x", agent=alex)
        nobody = django_user_model.objects.create_user(username="nobody", password="x-pass-123")
        assert visible(nobody) == set() and not selectors.can_view(nobody, a)
        assert visible(AnonymousUser()) == set() and not selectors.can_view(AnonymousUser(), a)


def test_the_desk_media_follow_the_same_rule(client, people, conversation_factory):
    """A closed conversation's attachment: its agent may download it, a colleague gets 404."""
    from interactions.models import Message

    alex, bea, _admin = people
    closed = conversation_factory("Maria", "+393330000001", "see attached", agent=alex)
    message = Message.objects.get(interaction=closed)
    message.direction = "out"
    message.attachments = [{"url": "/desk/files/nope/x.png", "content_type": "image/png"}]
    message.save()
    client.force_login(bea.user)
    assert client.get(f"/desk/media/{message.pk}/0/").status_code == 404
    client.force_login(alex.user)
    # Visible to Alex: past the rule, the file store answers (stood in for here).
    with mock.patch("desk.desk_views._own_upload", return_value=HttpResponse("ok")):
        assert client.get(f"/desk/media/{message.pk}/0/").status_code == 200
