"""The desk's label, close and transfer commands: live to every tab, refused in words (and in
the tab's language), the receiving agent told who transferred it and why."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async

from interactions.models import CloseReason, Interaction, Label
from services.models import Service
from tests.desk.helpers import ainbound, run

pytestmark = pytest.mark.django_db(transaction=True)


@database_sync_to_async
def db(function, *args, **kwargs):
    return function(*args, **kwargs)


def test_a_label_put_on_in_one_tab_shows_in_the_other(tab, agent, service):
    refund = Label.objects.create(name="Refund", colour="#c62828")

    async def scenario():
        first, second = tab(agent.user), tab(agent.user)
        await first.open()
        await second.open()
        result = await ainbound(service, provider_id="SM" + "1" * 32)
        snapshot = await first.command({"type": "sync"}, "snapshot")
        await first.command(
            {"type": "label", "interaction_id": result.interaction.pk, "label_id": refund.pk},
            "label.ok",
        )
        pushed = await second.receive_until("interaction.labels")
        await first.command(
            {
                "type": "label",
                "interaction_id": result.interaction.pk,
                "label_id": refund.pk,
                "on": False,
            },
            "label.ok",
        )
        emptied = await second.receive_until("interaction.labels")
        await first.close()
        await second.close()
        return snapshot, pushed, emptied

    snapshot, pushed, emptied = run(scenario)
    assert snapshot["labels"] == [
        {"id": refund.pk, "name": "Refund", "colour": "#c62828", "text_colour": "#ffffff"}
    ]
    assert [label["name"] for label in pushed["labels"]] == ["Refund"]
    assert emptied["labels"] == [] and emptied["version"] > pushed["version"]


def test_a_close_without_the_required_reason_is_refused_in_the_tabs_language(
    tab, agent, service, monkeypatch
):
    from tests.desk import helpers

    signed_in = helpers.session_cookie
    # The tab of someone who chose Italian in the language menu (Django's language cookie).
    monkeypatch.setattr(
        helpers, "session_cookie", lambda user: signed_in(user) + b"; django_language=it"
    )
    service.close_reason_required = True
    service.save()
    resolved = CloseReason.objects.create(name="Risolto")

    async def scenario():
        desk = tab(agent.user)
        await desk.open()
        result = await ainbound(service, provider_id="SM" + "2" * 32)
        refused = await desk.command(
            {"type": "close", "interaction_id": result.interaction.pk}, "error"
        )
        state = (await db(Interaction.objects.get, pk=result.interaction.pk)).state
        await desk.command(
            {
                "type": "close",
                "interaction_id": result.interaction.pk,
                "close_reason_id": resolved.pk,
                "wrap_up_note": "Tutto a posto",
            },
            "close.ok",
        )
        await desk.close()
        return refused, state, result.interaction.pk

    refused, state, pk = run(scenario)
    assert state == "assigned"
    assert refused["command"] == "close" and "richiede un motivo di chiusura" in refused["message"]
    closed = Interaction.objects.get(pk=pk)
    assert (closed.state, closed.close_reason.name, closed.wrap_up_note) == (
        "closed",
        "Risolto",
        "Tutto a posto",
    )


def test_transfer_to_another_service_with_a_note_reaches_its_agent_with_who_and_why(
    tab, make_agent, service
):
    sales = Service.objects.create(name="Sales", chat_enabled=True)
    anna = make_agent("anna")
    anna.user.first_name = "Anna"
    anna.user.save()
    seller = make_agent("seller", services=[sales])

    async def scenario():
        giver, receiver = tab(anna.user), tab(seller.user)
        await giver.open()
        await receiver.open()
        result = await ainbound(service, provider_id="SM" + "3" * 32)
        await giver.receive_until("interaction.assigned", interaction__id=result.interaction.pk)
        targets = await giver.command(
            {"type": "transfer_targets", "interaction_id": result.interaction.pk},
            "transfer.targets",
        )
        await giver.command(
            {
                "type": "transfer",
                "interaction_id": result.interaction.pk,
                "to_service_id": sales.pk,
                "note": "customer wants a refund",
            },
            "transfer.ok",
        )
        removed = await giver.receive_until("interaction.removed")
        arrived = await receiver.receive_until("interaction.assigned")
        snapshot = await receiver.command({"type": "sync"}, "snapshot")
        await giver.close()
        await receiver.close()
        return targets, removed, arrived, snapshot

    targets, removed, arrived, snapshot = run(scenario)
    assert targets["services"] == [{"id": sales.pk, "name": "Sales"}]
    assert removed["interaction"]["service"]["id"] == sales.pk
    handover = arrived["interaction"]["handover"]
    assert (handover["by"], handover["note"], handover["kind"]) == (
        "Anna",
        "customer wants a refund",
        "transferred",
    )
    assert snapshot["interactions"][0]["handover"]["note"] == "customer wants a refund"
