"""Erasing a contact deletes their messages and media at Twilio too: a task on the engine, retried,
against the fake Twilio over real HTTP."""

from __future__ import annotations

from datetime import timedelta

import pytest
import requests
from django.utils import timezone

from audit.models import AuditEntry
from interactions.actions.inbound import InboundMessage, receive_inbound
from interactions.actions.outbound import attempt, create_reply
from privacy import actions
from privacy.models import ProviderErasure
from tests.conftest import ACCOUNT_SID, AUTH_TOKEN, make_tasks_due

pytestmark = pytest.mark.django_db

NUMBER = "+393337654321"
INBOUND_SID = "MM" + "1" * 32
MEDIA_SID = "ME" + "2" * 32
OTHER_SID = "SM" + "9" * 32


def _base(settings) -> str:
    return f"{settings.TWILIO_API_BASE_URL}/2010-04-01/Accounts/{ACCOUNT_SID}"


@pytest.fixture
def world(service, agent, fake_twilio, settings):
    """A customer's picture (at Twilio, with its media) and an agent's reply sent through Twilio;
    another customer's message, which must stay."""
    media_path = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/{INBOUND_SID}/Media/{MEDIA_SID}"
    fake_twilio.add_media(media_path, "image/png", b"\x89PNG")
    interaction = receive_inbound(
        service,
        InboundMessage(
            channel="whatsapp",
            address=NUMBER,
            provider_id=INBOUND_SID,
            body="A picture",
            attachments=[
                {"url": settings.TWILIO_API_BASE_URL + media_path, "content_type": "image/png"}
            ],
        ),
    ).interaction
    interaction.agent = agent
    interaction.state = "assigned"
    interaction.save()
    reply = create_reply(interaction.pk, sender=agent.user, body="Thank you")
    sent = attempt(reply.pk, due_only=False)
    assert sent.provider_id and fake_twilio.holds(sent.provider_id)
    receive_inbound(
        service,
        InboundMessage(
            channel="whatsapp", address="+393330000001", provider_id=OTHER_SID, body="Other"
        ),
    )
    fake_twilio.add_received(OTHER_SID)
    return {"contact": interaction.contact, "reply_sid": sent.provider_id}


def _deletes(fake) -> list[str]:
    return [r["path"] for r in fake.requests if r["method"] == "DELETE"]


def test_erasing_a_contact_deletes_their_messages_and_media_at_twilio(
    world, fake_twilio, run_tasks
):
    contact_id = world["contact"].pk
    actions.erase_contact(world["contact"])
    assert _deletes(fake_twilio) == []  # not in the request: a task
    run_tasks()
    prefix = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages"
    deletes = _deletes(fake_twilio)
    assert f"{prefix}/{INBOUND_SID}/Media/{MEDIA_SID}.json" in deletes
    assert f"{prefix}/{INBOUND_SID}.json" in deletes
    assert f"{prefix}/{world['reply_sid']}.json" in deletes
    assert not fake_twilio.holds(INBOUND_SID) and not fake_twilio.holds(MEDIA_SID)
    assert not fake_twilio.holds(world["reply_sid"])
    assert fake_twilio.holds(OTHER_SID)
    assert not ProviderErasure.objects.exists()
    entry = AuditEntry.objects.get(changes__data_protection__event="erased_at_provider")
    assert entry.object_id == str(contact_id)
    # That it happened, never what: no number, no text, no Twilio id.
    recorded = f"{entry.object_repr} {entry.changes}"
    for secret in (NUMBER, "picture", INBOUND_SID, MEDIA_SID, world["reply_sid"]):
        assert secret not in recorded


def test_twilio_unreachable_is_retried_later_with_a_backoff(
    world, fake_twilio, run_tasks, settings
):
    reachable = settings.TWILIO_API_BASE_URL
    settings.TWILIO_API_BASE_URL = "http://127.0.0.1:9"  # nothing listens: connection refused
    actions.erase_contact(world["contact"])
    run_tasks()
    erasure = ProviderErasure.objects.get()
    assert erasure.attempts == 1 and erasure.failed_at is None
    assert erasure.next_attempt_at > timezone.now() + timedelta(seconds=30)
    assert len(erasure.items) == 2
    assert run_tasks() == 0  # the retry waits for its backoff
    settings.TWILIO_API_BASE_URL = reachable
    make_tasks_due()
    run_tasks()
    assert not ProviderErasure.objects.exists()
    assert not fake_twilio.holds(INBOUND_SID) and not fake_twilio.holds(world["reply_sid"])


def test_a_message_twilio_no_longer_has_counts_as_deleted(world, fake_twilio, run_tasks):
    fake_twilio.deleted.add(INBOUND_SID)  # deleted in Twilio's console already: 404 now
    actions.erase_contact(world["contact"])
    run_tasks()
    assert not ProviderErasure.objects.exists()
    assert not fake_twilio.holds(world["reply_sid"])


def test_an_erasure_is_given_up_after_the_last_attempt(world, run_tasks, settings):
    settings.TWILIO_API_BASE_URL = "http://127.0.0.1:9"
    actions.erase_contact(world["contact"])
    erasure = ProviderErasure.objects.get()
    ProviderErasure.objects.filter(pk=erasure.pk).update(attempts=actions.ERASE_MAX_ATTEMPTS - 1)
    actions.erase_at_provider(erasure.pk, actions.ERASE_MAX_ATTEMPTS)
    erasure.refresh_from_db()
    assert erasure.failed_at is not None and erasure.last_error
    assert actions.provider_erasures() == {"pending": 0, "failed": 1}
    # Neither a repeated task nor the sweep tries it again.
    assert actions.erase_at_provider(erasure.pk, actions.ERASE_MAX_ATTEMPTS) == 0
    assert actions.sweep_provider_erasures(now=timezone.now() + timedelta(days=1)) == 0


def test_the_sweep_takes_over_an_attempt_whose_worker_was_lost(world, fake_twilio, run_tasks):
    actions.erase_contact(world["contact"])
    erasure = ProviderErasure.objects.get()
    # The first attempt claimed the row, then its worker died.
    ProviderErasure.objects.filter(pk=erasure.pk).update(attempts=1)
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.all().delete()
    later = timezone.now() + actions.ERASE_LEASE + timedelta(minutes=2)
    assert actions.sweep_provider_erasures(now=later) == 1
    run_tasks()
    assert not ProviderErasure.objects.exists()
    assert not fake_twilio.holds(INBOUND_SID)


class TestTheFakeAnswersDeletesAsTwilio:
    def test_a_known_message_is_deleted_with_204_and_then_is_404(self, fake_twilio, settings):
        fake_twilio.add_received(OTHER_SID)
        url = f"{_base(settings)}/Messages/{OTHER_SID}.json"
        first = requests.delete(url, auth=(ACCOUNT_SID, AUTH_TOKEN), timeout=5)
        assert first.status_code == 204 and first.content == b""
        again = requests.delete(url, auth=(ACCOUNT_SID, AUTH_TOKEN), timeout=5)
        assert again.status_code == 404 and again.json()["code"] == 20404

    def test_media_is_listed_and_deleted(self, fake_twilio, settings):
        path = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/{INBOUND_SID}/Media/{MEDIA_SID}"
        fake_twilio.add_media(path, "image/png", b"\x89PNG")
        auth = (ACCOUNT_SID, AUTH_TOKEN)
        listed = requests.get(
            f"{_base(settings)}/Messages/{INBOUND_SID}/Media.json", auth=auth, timeout=5
        ).json()
        assert [m["sid"] for m in listed["media_list"]] == [MEDIA_SID]
        media_url = f"{settings.TWILIO_API_BASE_URL}{path}.json"
        assert requests.delete(media_url, auth=auth, timeout=5).status_code == 204
        assert requests.delete(media_url, auth=auth, timeout=5).status_code == 404
        fetched = requests.get(settings.TWILIO_API_BASE_URL + path, auth=auth, timeout=5)
        assert fetched.status_code == 404

    def test_an_unknown_sid_or_wrong_credentials_are_refused(self, fake_twilio, settings):
        url = f"{_base(settings)}/Messages/SM{'0' * 32}.json"
        assert requests.delete(url, auth=(ACCOUNT_SID, AUTH_TOKEN), timeout=5).status_code == 404
        fake_twilio.add_received(OTHER_SID)
        url = f"{_base(settings)}/Messages/{OTHER_SID}.json"
        assert requests.delete(url, auth=(ACCOUNT_SID, "wrong"), timeout=5).status_code == 401
        assert fake_twilio.holds(OTHER_SID)
