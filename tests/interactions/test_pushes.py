"""Pushes go to the assigned agent's group (and supervisors), only after the commit."""

from __future__ import annotations

import pytest

from interactions.models import Interaction
from tests.conftest import load_payload

pytestmark = pytest.mark.django_db

INBOUND = "/whatsapp/twilio/inbound"


def test_nothing_is_pushed_before_the_commit(
    signed_post, service, agent, sent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        signed_post(INBOUND, load_payload("inbound_text"))
    assert sent == []
    for callback in callbacks:
        callback()
    assert [(groups, event["type"]) for groups, event in sent] == [
        ([f"agent.{agent.pk}", "supervisors"], "interaction.assigned"),
        # Message events are for the agent's desk and the supervisors watching that conversation.
        ([f"agent.{agent.pk}", f"watch.{Interaction.objects.get().pk}"], "message.created"),
    ]


def test_queued_interaction_is_pushed_to_supervisors_with_its_place(
    signed_post, service, sent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        signed_post(INBOUND, load_payload("inbound_text"))
    assert [(groups, event["type"]) for groups, event in sent] == [
        (["supervisors"], "interaction.queued"),
        # Nobody holds it yet: its message is pushed to no desk, only to those watching it.
        ([f"watch.{Interaction.objects.get().pk}"], "message.created"),
    ]
    assert sent[0][1]["position"] == 1


def test_duplicate_pushes_nothing(
    signed_post, service, agent, sent, django_capture_on_commit_callbacks
):
    payload = load_payload("inbound_text")
    signed_post(INBOUND, payload)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        signed_post(INBOUND, payload)
    assert callbacks == [] and sent == []


def test_status_change_is_pushed_to_the_agent(
    signed_post, outbound_message, agent, sent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        signed_post("/whatsapp/twilio/status", load_payload("status_delivered"))
    assert [(groups, event["type"], event["message"]["status"]) for groups, event in sent] == [
        (
            [f"agent.{agent.pk}", f"watch.{outbound_message.interaction_id}"],
            "message.status",
            "delivered",
        )
    ]
