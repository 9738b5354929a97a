"""Data protection: a contact's export (JSON + files), their erase (after which their words are nowhere),
and the retention policy (a dry run before it is switched on; a periodic job on the engine)."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from audit.models import AuditEntry
from desk import desk_files
from hooks.models import Delivery, Event
from interactions.actions.inbound import InboundMessage, receive_inbound
from interactions.actions.lifecycle import close_interaction
from interactions.actions.outbound import create_reply
from interactions.models import Contact, Interaction, Message
from privacy import actions
from privacy.models import RetentionPolicy
from tests.conftest import ACCOUNT_SID
from widgets.models import Widget, WidgetVisit

pytestmark = pytest.mark.django_db

SECRET = "Parcel 90210 for Lucrezia Borgia"
NUMBER = "+393337654321"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


@pytest.fixture
def world(service, agent, fake_twilio, settings, tmp_path):
    """A contact with a conversation: text, a picture (at Twilio), an agent's upload (on disk),
    a widget visit, and webhook events about it in the outbox; plus another customer."""
    from hooks.actions import create_endpoint

    settings.OCC_MEDIA_ROOT = str(tmp_path / "media")
    create_endpoint(url="https://crm.example/occ-events")
    widget = Widget.objects.create(name="Shop", whatsapp_service=service, attribution_enabled=True)
    path = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/MM{'1' * 32}/Media/ME{'2' * 32}"
    fake_twilio.add_media(path, "image/png", PNG)
    interaction = receive_inbound(
        service,
        InboundMessage(
            channel="whatsapp",
            address=NUMBER,
            provider_id="MM" + "1" * 32,
            name="Lucrezia",
            body=SECRET,
            attachments=[{"url": settings.TWILIO_API_BASE_URL + path, "content_type": "image/png"}],
            payload={"Body": SECRET},
        ),
    ).interaction
    WidgetVisit.objects.create(
        widget=widget, page_url="https://shop.example/cart", interaction=interaction
    )
    upload = desk_files.save_upload(
        SimpleUploadedFile("invoice.txt", f"Invoice: {SECRET}".encode(), content_type="text/plain")
    )
    create_reply(
        interaction.pk,
        sender=agent.user,
        body=f"About {SECRET}: shipped.",
        attachments=desk_files.attachments_for(
            [{"token": upload["token"], "name": upload["name"]}]
        ),
    )
    other = receive_inbound(
        service,
        InboundMessage(
            channel="whatsapp",
            address="+393330000001",
            provider_id="SM" + "9" * 32,
            body="Other words",
        ),
    ).interaction
    return {
        "interaction": interaction,
        "contact": interaction.contact,
        "other": other,
        "upload": upload,
    }


def test_the_export_holds_messages_attribution_and_both_kinds_of_media(admin_client, world):
    contact = world["contact"]
    response = admin_client.post(reverse("privacy:contact_export", args=[contact.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    data = json.loads(archive.read("contact.json"))
    assert data["contact"]["address"] == NUMBER and data["contact"]["name"] == "Lucrezia"
    [conversation] = data["interactions"]
    bodies = [m["body"] for m in conversation["messages"]]
    assert bodies == [SECRET, f"About {SECRET}: shipped."]
    assert conversation["attribution"][0]["page_url"] == "https://shop.example/cart"
    picture, invoice = (m["attachments"][0] for m in conversation["messages"])
    assert archive.read(picture["file"]) == PNG
    assert archive.read(invoice["file"]) == f"Invoice: {SECRET}".encode()
    assert "Other words" not in archive.read("contact.json").decode()
    entry = AuditEntry.objects.get(changes__data_protection__event="exported")
    assert entry.object_repr == f"contact #{contact.pk}"


def test_after_an_erase_the_contacts_words_are_nowhere(admin_client, admin_user, world, settings):
    contact, interaction = world["contact"], world["interaction"]
    stored = Path(settings.OCC_MEDIA_ROOT) / "outbound"
    assert any(SECRET.encode() in p.read_bytes() for p in stored.iterdir())
    assert Event.objects.filter(body__contains="Parcel 90210").exists()
    assert Delivery.objects.exists()

    with after_commit_work_runs():
        response = admin_client.post(reverse("privacy:contact_erase", args=[contact.pk]))
    assert response.status_code == 302

    # The database: no contact, conversation, message, visit, outbox event or delivery of theirs.
    assert not Contact.objects.filter(pk=contact.pk).exists()
    assert not Interaction.objects.filter(pk=interaction.pk).exists()
    assert not Message.objects.filter(body__contains="90210").exists()
    assert not WidgetVisit.objects.filter(page_url__contains="cart").exists()
    assert not Event.objects.filter(body__contains="90210").exists()
    assert not Event.objects.filter(body__contains=NUMBER).exists()
    assert not Delivery.objects.filter(event__body__contains="Lucrezia").exists()
    # The other customer is untouched.
    assert Message.objects.filter(body="Other words").exists()
    # The media folder.
    assert not any(SECRET.encode() in p.read_bytes() for p in stored.iterdir())
    # Pages and the API, as a supervisor and an administrator see everything.
    for url in (
        reverse("supervise:transcripts") + "?state=all",
        reverse("supervise:transcript", args=[interaction.pk]),
        reverse("audit:log"),
        reverse("hooks:list"),
    ):
        page = admin_client.get(url).content.decode()
        assert "90210" not in page and "Lucrezia" not in page and NUMBER not in page, url
    # The search of the data-protection page finds them no more (the page echoes the query itself).
    for query in ("Lucrezia", NUMBER):
        page = admin_client.get(reverse("privacy:index"), {"q": query}).content.decode()
        assert 'id="no-contacts"' in page and "data-contact=" not in page
    api = APIClient()
    api.force_authenticate(admin_user)
    for url in (
        "/api/v1/interactions/",
        "/api/v1/contacts/",
        f"/api/v1/interactions/{interaction.pk}/messages/",
    ):
        body = api.get(url).content.decode()
        assert "90210" not in body and NUMBER not in body, url
    # The audit log: that it happened, not what.
    entry = AuditEntry.objects.get(changes__data_protection__event="erased")
    assert entry.actor_id == admin_user.pk and entry.object_id == str(contact.pk)
    assert all(
        "90210" not in json.dumps(e.changes) + e.object_repr
        and NUMBER not in e.object_repr + json.dumps(e.changes)
        for e in AuditEntry.objects.all()
    )


class after_commit_work_runs:
    """Run the erase's after-commit work (deleting the files) inside a test transaction."""

    def __enter__(self):
        from django.test import TestCase

        self.context = TestCase.captureOnCommitCallbacks(execute=True)
        return self.context.__enter__()

    def __exit__(self, *exc):
        return self.context.__exit__(*exc)


def test_the_erase_page_asks_in_a_dialog_and_is_for_administrators(
    client, admin_client, agent, world
):
    contact = world["contact"]
    page = admin_client.get(reverse("privacy:contact", args=[contact.pk])).content.decode()
    assert 'id="erase-dialog"' in page and "data-confirm" not in page
    client.force_login(agent.user)
    assert client.post(reverse("privacy:contact_erase", args=[contact.pk])).status_code == 403
    assert client.post(reverse("privacy:contact_export", args=[contact.pk])).status_code == 403
    assert Contact.objects.filter(pk=contact.pk).exists()


def switch_on(days, mode):
    RetentionPolicy.load()
    RetentionPolicy.objects.filter(pk=1).update(enabled=True, days=days, mode=mode)


def age(interaction, days):
    close_interaction(interaction.pk)
    Interaction.objects.filter(pk=interaction.pk).update(
        closed_at=timezone.now() - timedelta(days=days)
    )


def test_retention_needs_a_dry_run_before_it_is_switched_on(admin_client, world):
    age(world["interaction"], 40)
    url = reverse("privacy:retention")
    refused = admin_client.post(url, {"days": 30, "mode": "delete", "step": "on"}, follow=True)
    assert "Look at the dry run" in refused.content.decode()
    assert not RetentionPolicy.load().enabled
    preview = admin_client.post(url, {"days": 30, "mode": "delete", "step": "preview"})
    html = preview.content.decode()
    assert 'id="dry-run-interactions">1<' in html
    assert Interaction.objects.filter(
        pk=world["interaction"].pk
    ).exists()  # a dry run changes nothing
    token = html.split('name="preview_token" value="')[1].split('"')[0]
    # A token for other settings does not switch these on.
    admin_client.post(url, {"days": 5, "mode": "delete", "step": "on", "preview_token": token})
    assert not RetentionPolicy.load().enabled
    admin_client.post(url, {"days": 30, "mode": "delete", "step": "on", "preview_token": token})
    policy = RetentionPolicy.load()
    assert policy.enabled and policy.days == 30
    assert AuditEntry.objects.filter(changes__retention__enabled=True).exists()


def test_the_retention_job_deletes_old_conversations_and_their_files(world, settings):
    from engine import periodic
    from privacy import tasks

    assert periodic.jobs()["privacy.apply_retention"].func is tasks.apply_retention
    assert tasks.apply_retention() is None  # off: nothing
    age(world["interaction"], 40)
    switch_on(30, "delete")
    with after_commit_work_runs():
        counts = tasks.apply_retention()
    assert counts["interactions"] == 1 and counts["contacts"] == 1 and counts["files"] == 1
    assert not Contact.objects.filter(address=NUMBER).exists()
    assert not Event.objects.filter(body__contains="90210").exists()
    assert Interaction.objects.filter(pk=world["other"].pk).exists()  # still open: kept
    stored = Path(settings.OCC_MEDIA_ROOT) / "outbound"
    assert not any(SECRET.encode() in p.read_bytes() for p in stored.iterdir())


def test_anonymising_keeps_the_rows_and_removes_the_words_and_the_customer(world):
    interaction = world["interaction"]
    age(interaction, 40)
    switch_on(30, "anonymise")
    actions.apply_retention()
    kept = Interaction.objects.select_related("contact").get(pk=interaction.pk)
    assert kept.contact.address == f"anonymised-{kept.contact.pk}" and kept.contact.name == ""
    assert Message.objects.filter(interaction=kept).count() == 2
    assert not Message.objects.filter(body__contains="90210").exists()
    assert not Message.objects.filter(payload__Body=SECRET).exists()
    assert not Event.objects.filter(body__contains="90210").exists()


def test_a_recent_conversation_is_kept(world):
    age(world["interaction"], 10)
    assert actions.dry_run(30, "delete")["interactions"] == 0
    switch_on(30, "delete")
    assert actions.apply_retention()["interactions"] == 0
    assert Interaction.objects.filter(pk=world["interaction"].pk).exists()
