"""Labels on a conversation, closing with a reason and a wrap-up note, and transfers with a note
(to an agent, another service's queue, or back to the queue)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from agents.models import Presence
from interactions import events, selectors
from interactions.actions import ActionError, labels, lifecycle, outbound
from interactions.models import AssignmentEvent, CloseReason, Interaction, Label
from services.models import Service
from tests.interactions.conftest import customer

pytestmark = pytest.mark.django_db


@pytest.fixture
def sales(chat_settings):
    return Service.objects.create(
        name="Sales", chat_enabled=True, whatsapp_enabled=True, twilio_number="+390299999999"
    )


@pytest.fixture
def recorded(monkeypatch):
    """Every domain event emitted, in order."""
    seen: list[events.Event] = []
    original = events.emit
    monkeypatch.setattr(events, "emit", lambda event: (seen.append(event), original(event)))
    return seen


@pytest.fixture
def refund(db):
    return Label.objects.create(name="Refund", colour="#c62828")


@pytest.fixture
def vip(db):
    return Label.objects.create(name="VIP", colour="#ffd54f")


class TestLabels:
    def test_labels_go_on_and_come_off_with_one_event_each_and_a_new_version(
        self, agent, receive, refund, vip, recorded
    ):
        interaction = receive(1).interaction
        version = Interaction.objects.get(pk=interaction.pk).version
        labels.change_labels(interaction.pk, add=[refund.pk, vip.pk], actor=agent.user)
        labels.change_labels(interaction.pk, remove=[refund.pk], actor=agent.user)
        stored = Interaction.objects.get(pk=interaction.pk)
        assert list(stored.labels.values_list("name", flat=True)) == ["VIP"]
        assert stored.version == version + 2
        changes = [e for e in recorded if isinstance(e, events.InteractionLabelsChanged)]
        assert [([x.name for x in e.added], [x.name for x in e.removed]) for e in changes] == [
            (["Refund", "VIP"], []),
            ([], ["Refund"]),
        ]
        assert [x.name for x in changes[-1].labels] == ["VIP"]

    def test_putting_on_a_label_it_has_changes_nothing(self, agent, receive, refund, recorded):
        interaction = receive(1).interaction
        labels.change_labels(interaction.pk, add=[refund.pk])
        labels.change_labels(interaction.pk, add=[refund.pk])
        assert sum(isinstance(e, events.InteractionLabelsChanged) for e in recorded) == 1

    def test_an_unknown_label_is_refused_and_nothing_changes(self, agent, receive, refund):
        interaction = receive(1).interaction
        with pytest.raises(ActionError):
            labels.change_labels(interaction.pk, add=[refund.pk, 999_999])
        assert not Interaction.objects.get(pk=interaction.pk).labels.exists()

    def test_the_text_colour_reads_on_the_label(self, refund, vip):
        assert refund.text_colour == "#ffffff" and vip.text_colour == "#000000"


class TestClosing:
    def test_the_reason_and_the_wrap_up_note_are_stored_and_in_the_history(self, agent, receive):
        resolved = CloseReason.objects.create(name="Resolved")
        interaction = receive(1).interaction
        lifecycle.close_interaction(
            interaction.pk,
            actor=agent.user,
            close_reason_id=resolved.pk,
            wrap_up_note="  Refund sent by bank transfer.  ",
        )
        stored = Interaction.objects.get(pk=interaction.pk)
        assert stored.state == "closed" and stored.close_reason == resolved
        assert stored.wrap_up_note == "Refund sent by bank transfer."
        history = selectors.conversation(stored)["history"]
        assert history[-1]["interaction"]["close_reason"] == {"id": resolved.pk, "name": "Resolved"}
        assert history[-1]["interaction"]["wrap_up_note"] == "Refund sent by bank transfer."

    def test_a_service_that_requires_a_reason_refuses_a_close_without_one(
        self, agent, receive, service
    ):
        service.close_reason_required = True
        service.save()
        interaction = receive(1).interaction
        with pytest.raises(ActionError, match="requires a close reason"):
            lifecycle.close_interaction(interaction.pk, actor=agent.user)
        assert Interaction.objects.get(pk=interaction.pk).state == "assigned"

    def test_the_system_may_close_without_a_reason_even_when_one_is_required(
        self, agent, receive, service
    ):
        service.close_reason_required = True
        service.save()
        interaction = receive(1).interaction
        lifecycle.close_interaction(interaction.pk, actor=None)  # e.g. an idle close
        assert Interaction.objects.get(pk=interaction.pk).state == "closed"

    def test_an_inactive_reason_cannot_be_picked(self, agent, receive):
        old = CloseReason.objects.create(name="Old", is_active=False)
        interaction = receive(1).interaction
        with pytest.raises(ActionError):
            lifecycle.close_interaction(interaction.pk, actor=agent.user, close_reason_id=old.pk)
        assert Interaction.objects.get(pk=interaction.pk).state == "assigned"


class TestTransfer:
    def test_to_a_colleague_with_a_note_the_receiver_sees_who_and_why(self, make_agent, receive):
        anna = make_agent("anna")
        interaction = receive(1).interaction
        anna.user.first_name = "Anna"
        anna.user.save()
        bruno = make_agent("bruno")
        lifecycle.transfer_interaction(
            interaction.pk, to_agent_id=bruno.pk, note=" customer wants a refund ", actor=anna.user
        )
        stored = Interaction.objects.get(pk=interaction.pk)
        assert stored.agent_id == bruno.pk
        handover = selectors.handovers([stored.pk])[stored.pk]
        assert handover["by"] == "Anna" and handover["note"] == "customer wants a refund"
        assert handover["kind"] == "transferred"
        snapshot = selectors.desk_snapshot(bruno)
        assert snapshot["interactions"][0]["handover"]["note"] == "customer wants a refund"

    def test_a_colleague_at_their_max_interactions_is_refused(self, make_agent, receive):
        anna = make_agent("anna", max_interactions=5)
        first = receive(1).interaction
        bruno = make_agent("bruno", max_interactions=1)
        receive(2)  # bruno's one (anna holds 1, bruno 0: least loaded)
        assert Interaction.objects.filter(agent=bruno).count() == 1
        with pytest.raises(ActionError, match="Max interactions"):
            lifecycle.transfer_interaction(first.pk, to_agent_id=bruno.pk, actor=anna.user)

    def test_back_to_the_queue_keeps_its_place_and_the_note(self, make_agent, receive):
        anna = make_agent("anna")
        interaction = receive(1).interaction
        queued_at = Interaction.objects.get(pk=interaction.pk).queued_at
        anna.presence = Presence.AWAY
        anna.save()
        lifecycle.transfer_interaction(interaction.pk, note="call back at 3", actor=anna.user)
        stored = Interaction.objects.get(pk=interaction.pk)
        assert stored.state == "queued" and stored.queued_at == queued_at
        assert selectors.handovers([stored.pk])[stored.pk]["kind"] == "requeued"

    def test_to_another_services_queue_it_waits_at_the_end_and_is_routed_there_first_in_first_out(
        self, make_agent, receive, sales
    ):
        anna = make_agent("anna")
        interaction = receive(1, 0).interaction  # anna's, the oldest of all
        seller = make_agent("seller", max_interactions=1, services=[sales])
        receive(2, 1, to=sales)  # the seller's one
        older = receive(3, 2, to=sales).interaction  # waits in Sales' queue
        assert Interaction.objects.get(pk=interaction.pk).agent_id == anna.pk
        lifecycle.transfer_interaction(
            interaction.pk, to_service_id=sales.pk, note="wants a quote", actor=anna.user
        )
        moved = Interaction.objects.get(pk=interaction.pk)
        assert (moved.service_id, moved.state, moved.agent_id) == (sales.pk, "queued", None)
        assert moved.origin_service_id != sales.pk and moved.queued_at > older.queued_at
        assert selectors.queue_position(moved) == 2  # behind the one already waiting
        # The seller frees a place: the oldest waiting one goes first, then the transferred one.
        lifecycle.close_interaction(
            Interaction.objects.get(agent=seller, state="assigned").pk, actor=seller.user
        )
        assert Interaction.objects.get(pk=older.pk).agent_id == seller.pk
        assert Interaction.objects.get(pk=moved.pk).state == "queued"
        lifecycle.close_interaction(older.pk, actor=seller.user)
        routed = Interaction.objects.get(pk=moved.pk)
        assert (routed.state, routed.agent_id) == ("assigned", seller.pk)
        assert selectors.handovers([routed.pk])[routed.pk]["note"] == "wants a quote"

    def test_the_customer_keeps_writing_to_and_hearing_from_the_number_they_wrote_to(
        self, make_agent, receive, sales, service, fake_twilio
    ):
        from interactions.actions.inbound import InboundMessage, receive_inbound
        from tests.conftest import SERVICE_NUMBER
        from tests.interactions.conftest import sid

        def write_now(body):
            message = InboundMessage(
                channel="whatsapp", address=customer(1), provider_id=sid(), body=body
            )
            return receive_inbound(service, message).interaction  # to Customer care's number

        anna = make_agent("anna")
        seller = make_agent("seller", services=[sales])
        interaction = write_now("hello")
        lifecycle.transfer_interaction(interaction.pk, to_service_id=sales.pk, actor=anna.user)
        assert Interaction.objects.get(pk=interaction.pk).agent_id == seller.pk
        again = write_now("any news?")
        assert again.pk == interaction.pk
        assert Interaction.objects.filter(contact__address=customer(1)).count() == 1
        # Inside the window the customer opened on that number, and from it.
        outbound.send_reply(interaction.pk, sender=seller.user, body="Here is your quote")
        assert [m["from"] for m in fake_twilio.sent_messages()] == [f"whatsapp:{SERVICE_NUMBER}"]

    def test_to_a_service_where_the_customer_already_has_a_conversation_is_refused(
        self, make_agent, receive, sales
    ):
        anna = make_agent("anna")
        make_agent("seller", services=[sales])
        interaction = receive(1).interaction
        receive(1, 1, to=sales)
        with pytest.raises(ActionError, match="already has an open conversation"):
            lifecycle.transfer_interaction(interaction.pk, to_service_id=sales.pk, actor=anna.user)
        assert Interaction.objects.get(pk=interaction.pk).agent_id == anna.pk

    def test_transferred_back_to_where_it_came_from_it_has_no_other_origin(
        self, make_agent, receive, sales, service
    ):
        anna = make_agent("anna")
        make_agent("seller", services=[sales])
        interaction = receive(1).interaction
        lifecycle.transfer_interaction(interaction.pk, to_service_id=sales.pk, actor=anna.user)
        lifecycle.transfer_interaction(interaction.pk, to_service_id=service.pk, actor=anna.user)
        back = Interaction.objects.get(pk=interaction.pk)
        assert back.service_id == service.pk and back.origin_service_id is None
        kinds = list(
            AssignmentEvent.objects.filter(interaction=back).values_list("kind", flat=True)
        )
        assert kinds.count("transferred") == 2


def test_a_closed_interaction_cannot_be_transferred(agent, receive):
    interaction = receive(1).interaction
    lifecycle.close_interaction(interaction.pk, actor=agent.user, now=timezone.now() + timedelta(1))
    with pytest.raises(ActionError):
        lifecycle.transfer_interaction(interaction.pk, actor=agent.user)


@pytest.mark.postgres
def test_on_postgresql_the_one_statement_path_continues_a_transferred_conversation(
    make_agent, receive, sales, service
):
    """The fast path (interactions/fastpaths) finds it too, not only the general path after it."""
    from interactions.actions.inbound import InboundMessage
    from interactions.fastpaths.receive_in_open_interaction import append_to_open_interaction
    from tests.interactions.conftest import sid

    anna = make_agent("anna")
    make_agent("seller", services=[sales])
    interaction = receive(1).interaction
    lifecycle.transfer_interaction(interaction.pk, to_service_id=sales.pk, actor=anna.user)
    message = InboundMessage(channel="whatsapp", address=customer(1), provider_id=sid(), body="?")
    found = append_to_open_interaction(service.pk, message, timezone.now())
    assert found is not None and found[0].pk == interaction.pk and found[0].service_id == sales.pk
