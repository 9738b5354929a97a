"""The console's business hours and automatic messages pages: editing, refusals, the audit log."""

from __future__ import annotations

from datetime import time

import pytest
from django.urls import reverse

from audit.models import AuditEntry
from services.models import Closure, OpeningRange, ServiceMessage
from tests.console.conftest import field_errors

pytestmark = pytest.mark.django_db


def hours_post(**extra) -> dict:
    data = {
        "hours-business_hours_enabled": "on",
        "hours-time_zone": "Europe/Rome",
        "hours-out_of_hours_action": "queue",
        "hours-out_of_hours_reply": "on",
        "hours-out_of_hours_reply_every_hours": "6",
        "ranges-TOTAL_FORMS": "3",
        "ranges-INITIAL_FORMS": "0",
        "ranges-MIN_NUM_FORMS": "0",
        "ranges-MAX_NUM_FORMS": "1000",
        "closures-TOTAL_FORMS": "2",
        "closures-INITIAL_FORMS": "0",
        "closures-MIN_NUM_FORMS": "0",
        "closures-MAX_NUM_FORMS": "1000",
    }
    data.update(extra)
    return data


def test_business_hours_saved_with_several_ranges_a_day_and_audited(admin_client, service):
    url = reverse("services:hours", args=[service.pk])
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(
        url,
        hours_post(
            **{
                "ranges-0-weekday": "0",
                "ranges-0-opens": "09:00",
                "ranges-0-closes": "13:00",
                "ranges-1-weekday": "0",
                "ranges-1-opens": "14:00",
                "ranges-1-closes": "18:00",
                "closures-0-starts_on": "2026-12-24",
                "closures-0-ends_on": "2026-12-26",
                "closures-0-note": "Natale",
            }
        ),
    )
    assert response.status_code == 302
    service.refresh_from_db()
    assert service.business_hours_enabled and service.out_of_hours_reply_every_hours == 6
    assert list(OpeningRange.objects.values_list("weekday", "opens", "closes")) == [
        (0, time(9), time(13)),
        (0, time(14), time(18)),
    ]
    assert Closure.objects.get().note == "Natale"
    audited = set(AuditEntry.objects.values_list("object_type", "action"))
    assert {
        ("services.Service", "changed"),
        ("services.OpeningRange", "created"),
        ("services.Closure", "created"),
    } <= audited
    assert AuditEntry.objects.filter(object_type="services.Service").first().actor_name == "ada"


def test_a_range_that_closes_before_it_opens_and_a_bad_time_zone_are_refused(admin_client, service):
    url = reverse("services:hours", args=[service.pk])
    response = admin_client.post(
        url,
        hours_post(
            **{
                "hours-time_zone": "Mars/Olympus",
                "ranges-0-weekday": "2",
                "ranges-0-opens": "18:00",
                "ranges-0-closes": "09:00",
            }
        ),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Not a time zone" in field_errors(html, "time_zone")
    assert "The closing time must be after the opening time" in html
    assert not OpeningRange.objects.exists()


def test_messages_saved_per_language_unknown_placeholders_refused_and_audited(
    admin_client, service
):
    url = reverse("services:messages", args=[service.pk])
    page = admin_client.get(url).content.decode()
    # The shipped default is shown as the placeholder text of each box.
    assert "All our agents are busy: you are number {position} in the queue." in page
    assert "Tutti i nostri operatori sono occupati" in page
    response = admin_client.post(url, {"queued__it": "Sei il {posizione} in coda"})
    assert response.status_code == 200
    errors = field_errors(response.content.decode(), "queued__it")
    assert "Unknown placeholder {posizione}" in errors and "{position}" in errors
    assert not ServiceMessage.objects.exists()

    response = admin_client.post(
        url, {"queued__it": "Sei il numero {position}, attesa {wait}", "greeting__en": "Hi!"}
    )
    assert response.status_code == 302
    assert set(ServiceMessage.objects.values_list("kind", "language", "body")) == {
        ("queued", "it", "Sei il numero {position}, attesa {wait}"),
        ("greeting", "en", "Hi!"),
    }
    assert AuditEntry.objects.filter(object_type="services.ServiceMessage").count() == 2
    # Emptied: back to the default (the row goes, audited as deleted).
    admin_client.post(url, {"queued__it": "Sei il numero {position}, attesa {wait}"})
    assert list(ServiceMessage.objects.values_list("kind", flat=True)) == ["queued"]
    assert AuditEntry.objects.filter(
        object_type="services.ServiceMessage", action="deleted"
    ).exists()


def test_the_pages_speak_italian(admin_client, service):
    admin_client.cookies["django_language"] = "it"
    hours = admin_client.get(
        reverse("services:hours", args=[service.pk]), HTTP_ACCEPT_LANGUAGE="it"
    ).content.decode()
    assert "Orario di apertura" in hours and "Chiusure e festività" in hours
    texts = admin_client.get(
        reverse("services:messages", args=[service.pk]), HTTP_ACCEPT_LANGUAGE="it"
    ).content.decode()
    assert "Messaggi automatici" in texts and "Segnaposto:" in texts


def test_agents_cannot_edit_them(client, agent, service):
    client.force_login(agent.user)
    for name in ("services:hours", "services:messages"):
        assert client.get(reverse(name, args=[service.pk])).status_code in (302, 403)


def test_the_supervisor_view_shows_hours_and_missed_targets(admin_client, service, agent):
    from django.utils import timezone

    from interactions.models import Contact, Interaction, SlaBreach

    service.business_hours_enabled = True
    service.first_response_minutes = 3
    service.save()
    weekday = timezone.now().astimezone(service.tz).weekday()
    OpeningRange.objects.create(service=service, weekday=weekday, opens=time(0), closes=time(0, 1))
    OpeningRange.objects.create(
        service=service, weekday=(weekday + 1) % 7, opens=time(8, 30), closes=time(12)
    )
    contact = Contact.objects.create(address="+393330000077", name="Lia")
    interaction = Interaction.objects.create(service=service, contact=contact)
    SlaBreach.objects.create(
        interaction=interaction,
        service=service,
        agent=agent,
        target_minutes=3,
        assigned_at=timezone.now(),
        outcome="requeued",
    )
    html = admin_client.get(reverse("agents:supervisor")).content.decode()
    row = html.split(f'data-service="{service.pk}"')[1].split("</tr>")[0]
    assert "Closed" in row and "08:30" in row and "00:00–00:01 (Europe/Rome)" in row
    assert "3 minutes" in row and '<span class="badge bad">1</span>' in row
    breaches = html.split('id="sla-breaches"')[1].split("</table>")[0]
    assert "Lia" in breaches and "back to the front of the queue" in breaches
