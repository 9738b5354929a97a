"""Pushes go to the assigned agent's group (and supervisors), only after the commit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from interactions.actions import watching
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
        # Message events are for the agent's desk (and the supervisors watching: none yet).
        ([f"agent.{agent.pk}"], "message.created"),
    ]


def test_queued_interaction_is_pushed_to_supervisors_with_its_place(
    signed_post, service, sent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        signed_post(INBOUND, load_payload("inbound_text"))
    # Nobody holds it yet and nobody watches it: its message is pushed to no desk.
    assert [(groups, event["type"]) for groups, event in sent] == [
        (["supervisors"], "interaction.queued"),
    ]
    assert sent[0][1]["position"] == 1


def test_a_watched_conversations_messages_reach_its_watchers_and_stop_when_the_mark_lapses(
    signed_post, service, sent, django_capture_on_commit_callbacks
):
    signed_post(INBOUND, load_payload("inbound_text"))
    interaction = Interaction.objects.get()
    watching.mark_watched(interaction.pk)
    sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        signed_post(INBOUND, {**load_payload("inbound_text"), "MessageSid": "SM" + "7" * 32})
    assert [(groups, event["type"]) for groups, event in sent] == [
        ([f"watch.{interaction.pk}"], "message.created")
    ]
    # A tab that went away renews nothing: once the mark lapses, no more publishes.
    watching.mark_watched(interaction.pk, now=timezone.now() - timedelta(minutes=10))
    sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        signed_post(INBOUND, {**load_payload("inbound_text"), "MessageSid": "SM" + "8" * 32})
    assert sent == []


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
        ([f"agent.{agent.pk}"], "message.status", "delivered")
    ]


def test_a_status_change_in_a_watched_conversation_reaches_its_watchers(
    signed_post, outbound_message, agent, sent, django_capture_on_commit_callbacks
):
    watching.mark_watched(outbound_message.interaction_id)
    with django_capture_on_commit_callbacks(execute=True):
        signed_post("/whatsapp/twilio/status", load_payload("status_delivered"))
    assert [(groups, event["type"]) for groups, event in sent] == [
        ([f"agent.{agent.pk}", f"watch.{outbound_message.interaction_id}"], "message.status")
    ]
