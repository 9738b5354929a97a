"""Settings → Background tasks: counts, the last failures and a retry, for administrators only."""

from __future__ import annotations

import pytest
from django.test import Client
from django_tasks_db.models import DBTaskResult

from audit.models import AuditEntry
from hooks.models import Delivery, DeliveryState
from interactions.actions.inbound import InboundMessage, receive_inbound

PAGE = "/settings/tasks/"


@pytest.fixture
def gave_up(endpoint, receiver, service, agent, settings, run_tasks):
    """A delivery retried with backoff up to the maximum, every attempt refused."""
    settings.OCC_WEBHOOK_MAX_ATTEMPTS = 3
    receiver.statuses = [503] * 9
    receive_inbound(
        service,
        InboundMessage(channel="whatsapp", address="+393330000001", provider_id="SM1", body="Hi"),
    )
    Delivery.objects.exclude(event__type="message.received").delete()  # follow one event
    run_tasks()
    delivery = Delivery.objects.get()
    assert delivery.state == DeliveryState.FAILED and delivery.attempts == 3
    return delivery


def test_a_retry_that_reaches_the_maximum_is_shown_failed_with_its_reason(admin_client, gave_up):
    page = admin_client.get(PAGE).content.decode()
    failed = DBTaskResult.objects.get(status="FAILED")
    assert failed.task_path == "hooks.tasks.deliver" and failed.args_kwargs["args"] == [
        gave_up.pk,
        3,
    ]
    assert 'data-count="failed" class="result-bad">1<' in page
    assert (
        "hooks.tasks.deliver" in page and "GaveUp" in page and "HTTP 503 after 3 attempts" in page
    )
    assert f'action="{PAGE}{failed.pk}/retry/"' in page


def test_an_administrator_retries_a_failed_task_and_it_is_audited(
    admin_user, gave_up, receiver, run_tasks
):
    failed = DBTaskResult.objects.get(status="FAILED")
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(admin_user)
    assert browser.post(f"{PAGE}{failed.pk}/retry/").status_code == 403  # no CSRF token
    assert DBTaskResult.objects.filter(status="READY", task_path="hooks.tasks.deliver").count() == 0
    browser.get(PAGE)
    response = browser.post(
        f"{PAGE}{failed.pk}/retry/", {"csrfmiddlewaretoken": browser.cookies["csrftoken"].value}
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.get(object_id=str(failed.pk))
    assert entry.actor == admin_user and entry.changes["status"]["from"] == "FAILED"
    receiver.statuses = []  # the receiver is fixed
    run_tasks()
    gave_up.refresh_from_db()
    assert gave_up.state == DeliveryState.DELIVERED and gave_up.attempts == 4
    assert len(receiver.acknowledged()) == 1


def test_only_a_failed_task_can_be_retried(admin_client, endpoint, service, agent):
    receive_inbound(
        service,
        InboundMessage(channel="whatsapp", address="+393330000001", provider_id="SM1", body="Hi"),
    )
    queued = DBTaskResult.objects.first()
    response = admin_client.post(f"{PAGE}{queued.pk}/retry/", follow=True)
    assert "Only a failed task can be retried." in response.content.decode()
    assert admin_client.post(f"{PAGE}not-a-task/retry/", follow=True).status_code == 200
    assert DBTaskResult.objects.count() == 3


def test_tasks_waiting_with_no_worker_are_flagged(admin_client, endpoint, service, agent):
    from datetime import timedelta

    from django.utils import timezone

    receive_inbound(
        service,
        InboundMessage(channel="whatsapp", address="+393330000001", provider_id="SM1", body="Hi"),
    )
    assert "is a worker running?" not in admin_client.get(PAGE).content.decode()
    DBTaskResult.objects.update(enqueued_at=timezone.now() - timedelta(minutes=2))
    page = admin_client.get(PAGE).content.decode()
    assert "is a worker running?" in page and 'data-count="due">3<' in page


def test_only_administrators_see_the_tasks(client, agent, db):
    assert client.get(PAGE).status_code == 302
    client.force_login(agent.user)
    assert client.get(PAGE).status_code == 403


def test_the_tasks_page_speaks_italian(admin_client):
    page = admin_client.get(PAGE, HTTP_ACCEPT_LANGUAGE="it").content.decode()
    assert "Attività in background" in page and "Ultimi errori" in page
