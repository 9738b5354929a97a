"""Customer satisfaction: a survey after a close, the answer recorded on it and never routed.

The close starts a timer on the real engine (run_tasks runs the database
worker's loop); the survey and the thanks go through the real twilio client
over HTTP to the fake Twilio; the customer's answers are signed webhooks.
"""

from __future__ import annotations

import json

import pytest

from interactions.actions import lifecycle
from interactions.models import Interaction, InteractionState, Message, Survey
from tests.api.conftest import token_client
from tests.conftest import ACCOUNT_SID, load_payload
from tests.whatsapp.conftest import INBOUND

pytestmark = pytest.mark.django_db

_n = iter(range(10**6))


def webhook(**fields) -> dict:
    sid = "SM" + f"{next(_n):032x}"
    return load_payload("inbound_text", MessageSid=sid, SmsSid=sid, SmsMessageSid=sid, **fields)


@pytest.fixture
def survey_template(fake_twilio, chat_settings):
    from whatsapp.content_templates import sync_templates

    content = fake_twilio.add_content(
        ACCOUNT_SID,
        "Survey",
        {
            "twilio/quick-reply": {
                "body": "How satisfied are you? 1 = not at all, 5 = very.",
                "actions": [{"id": f"csat_{n}", "title": str(n)} for n in range(1, 6)],
            }
        },
        variables={},
    )
    assert sync_templates().ok
    return content.sid


@pytest.fixture
def closed(signed_post, service, agent, fake_twilio, survey_template, run_tasks):
    """A conversation closed by its agent on a service that asks for a score; the survey sent."""
    service.csat_enabled = True
    service.csat_template_sid = survey_template
    service.save()
    assert signed_post(INBOUND, webhook()).status_code == 200
    interaction = Interaction.objects.get()
    lifecycle.close_interaction(interaction.pk, actor=agent.user)
    assert not fake_twilio.sent_messages()  # the survey is the engine's work, not the close's
    run_tasks()
    return interaction


def test_the_survey_is_sent_after_the_close_with_its_buttons(closed, fake_twilio, survey_template):
    [sent] = fake_twilio.sent_messages()
    assert sent["_content_sid"] == survey_template and sent["to"] == "whatsapp:+393331234567"
    survey = Survey.objects.get(interaction=closed)
    assert survey.state == "sent"
    message = Message.objects.get(interaction=closed, direction="out")
    assert message.extras["template"]["buttons"] == ["1", "2", "3", "4", "5"]


def test_a_button_press_is_recorded_thanked_and_not_routed(
    closed, signed_post, fake_twilio, run_tasks
):
    press = webhook(Body="4", ButtonPayload="csat_4", ButtonText="4", MessageType="button")
    assert signed_post(INBOUND, press).status_code == 200
    assert Interaction.objects.count() == 1
    closed.refresh_from_db()
    assert closed.state == InteractionState.CLOSED
    survey = Survey.objects.get(interaction=closed)
    assert (survey.state, survey.score) == ("scored", 4)
    answer = Message.objects.get(provider_id=press["MessageSid"])
    assert answer.interaction_id == closed.pk and answer.extras["csat"] == {"score": 4}
    run_tasks()
    thanks = fake_twilio.sent_messages()[-1]
    assert thanks["body"].startswith("Thank you for your rating")

    # The next message is the comment, on the same closed interaction.
    assert signed_post(INBOUND, webhook(Body="Very quick, thanks")).status_code == 200
    survey.refresh_from_db()
    assert (survey.state, survey.comment) == ("commented", "Very quick, thanks")
    assert Interaction.objects.count() == 1

    # Anything after that is a new conversation, routed as usual.
    assert signed_post(INBOUND, webhook(Body="I have another question")).status_code == 200
    assert Interaction.objects.count() == 2
    assert Interaction.objects.exclude(pk=closed.pk).get().state == InteractionState.ASSIGNED


def test_a_typed_number_counts_as_a_score(closed, signed_post):
    assert signed_post(INBOUND, webhook(Body=" 2/5 ")).status_code == 200
    assert Survey.objects.get(interaction=closed).score == 2
    assert Interaction.objects.count() == 1


def test_a_message_that_is_not_a_score_starts_a_new_conversation(closed, signed_post):
    assert signed_post(INBOUND, webhook(Body="My order has not arrived")).status_code == 200
    assert Interaction.objects.count() == 2
    assert Survey.objects.get(interaction=closed).state == "sent"


def test_a_repeated_answer_is_stored_once(closed, signed_post):
    press = webhook(Body="5", ButtonPayload="csat_5", ButtonText="5")
    signed_post(INBOUND, press)
    signed_post(INBOUND, press)
    assert Message.objects.filter(provider_id=press["MessageSid"]).count() == 1
    assert Survey.objects.get(interaction=closed).score == 5


def test_the_score_is_in_the_api(closed, signed_post, admin_user):
    signed_post(INBOUND, webhook(Body="3", ButtonPayload="csat_3", ButtonText="3"))
    data = token_client(admin_user).get(f"/api/v1/interactions/{closed.pk}/").json()
    assert data["csat"]["score"] == 3 and data["csat"]["state"] == "scored"


def test_the_survey_is_in_italian_for_an_italian_contact_without_template(
    signed_post, service, agent, fake_twilio, run_tasks
):
    service.csat_enabled = True
    service.save()
    signed_post(INBOUND, webhook())
    interaction = Interaction.objects.get()
    interaction.contact.language = "it"
    interaction.contact.save()
    lifecycle.close_interaction(interaction.pk, actor=agent.user)
    run_tasks()
    [sent] = fake_twilio.sent_messages()
    assert sent["body"].startswith("Quanto sei soddisfatto")
    signed_post(INBOUND, webhook(Body="5"))
    run_tasks()
    assert fake_twilio.sent_messages()[-1]["body"].startswith("Grazie")


def test_no_survey_without_csat_and_a_reopened_conversation_gets_none(
    signed_post, service, agent, fake_twilio, run_tasks
):
    signed_post(INBOUND, webhook())
    lifecycle.close_interaction(Interaction.objects.get().pk, actor=agent.user)
    run_tasks()
    assert fake_twilio.sent_messages() == [] and not Survey.objects.exists()


def test_the_survey_is_not_sent_outside_the_window_without_a_template(
    signed_post, service, agent, fake_twilio, run_tasks
):
    from datetime import timedelta

    from django.utils import timezone

    service.csat_enabled = True
    service.save()
    signed_post(INBOUND, webhook())
    interaction = Interaction.objects.get()
    Interaction.objects.filter(pk=interaction.pk).update(
        last_inbound_at=timezone.now() - timedelta(hours=25)
    )
    lifecycle.close_interaction(interaction.pk, actor=agent.user)
    run_tasks()
    assert fake_twilio.sent_messages() == []
    survey = Survey.objects.get()
    assert survey.state == "not_sent" and "window" in survey.note
    assert json.dumps(survey.note)
