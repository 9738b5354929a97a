"""The account's templates come from Twilio's Content API, with the approval WhatsApp really gave them.

Every sync goes through the real twilio client over HTTP to the fake
Twilio, which serves GET /v1/ContentAndApprovals as Twilio documents it
(twilio_content_v1.json): approved, pending, rejected and paused templates,
several pages. Only approved ones are offered and accepted; sending one
posts ContentSid + ContentVariables.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from audit.models import AuditEntry
from interactions.actions import ActionError, outbound
from interactions.actions.inbound import InboundMessage, receive_inbound
from interactions.models import Interaction
from occ.lib import channels
from tests.conftest import ACCOUNT_SID, CUSTOMER_NUMBER
from whatsapp.content_templates import sync_templates
from whatsapp.models import ContentTemplate, TemplateSync

pytestmark = pytest.mark.django_db

TEXT = "twilio/text"


@pytest.fixture
def account_templates(fake_twilio, chat_settings):
    """The fake account's templates in every state Twilio reports."""
    fake = fake_twilio
    return {
        "approved": fake.add_content(
            ACCOUNT_SID,
            "Follow-up",
            {TEXT: {"body": "Hello {{1}}, about {{2}}."}},
            variables={"1": "name", "2": "topic"},
            category="UTILITY",
        ),
        "italian": fake.add_content(
            ACCOUNT_SID,
            "Ricontatto",
            {TEXT: {"body": "Buongiorno {{1}}."}},
            variables={"1": "nome"},
            language="it",
        ),
        "pending": fake.add_content(
            ACCOUNT_SID, "Order shipped", {TEXT: {"body": "Order {{1}}"}}, status="pending"
        ),
        "rejected": fake.add_content(
            ACCOUNT_SID,
            "Promo",
            {TEXT: {"body": "Sale!"}},
            status="rejected",
            category="MARKETING",
            rejection_reason="INVALID_FORMAT: example missing",
        ),
        "paused": fake.add_content(
            ACCOUNT_SID, "Paused one", {TEXT: {"body": "Paused"}}, status="paused"
        ),
        "unsubmitted": fake.add_content(
            ACCOUNT_SID, "Draft", {TEXT: {"body": "Draft"}}, status="unsubmitted"
        ),
        "list_picker": fake.add_content(
            ACCOUNT_SID,
            "Menu",
            {"twilio/list-picker": {"body": "Pick one", "button": "Menu", "items": []}},
        ),
        "survey": fake.add_content(
            ACCOUNT_SID,
            "Survey",
            {
                "twilio/quick-reply": {
                    "body": "Rate us",
                    "actions": [{"id": f"csat_{n}", "title": str(n)} for n in range(1, 6)],
                }
            },
            variables={},
        ),
    }


def offered_sids() -> set[str]:
    return {t["sid"] for t in channels.templates()}


def test_sync_stores_every_template_with_the_status_twilio_reports(account_templates, fake_twilio):
    result = sync_templates()
    assert result.ok, result.message
    stored = {t.sid: t for t in ContentTemplate.objects.all()}
    assert len(stored) == len(account_templates)
    for key, content in account_templates.items():
        assert stored[content.sid].status == content.status, key
    rejected = stored[account_templates["rejected"].sid]
    assert rejected.category == "MARKETING"
    assert rejected.rejection_reason == "INVALID_FORMAT: example missing"
    approved = stored[account_templates["approved"].sid]
    assert (approved.language, approved.category, approved.body) == (
        "en",
        "UTILITY",
        "Hello {{1}}, about {{2}}.",
    )
    assert approved.variable_names() == ["1", "2"]
    assert stored[account_templates["italian"].sid].language == "it"
    assert [b["title"] for b in stored[account_templates["survey"].sid].buttons] == list("12345")
    # It went over HTTP to the Content API, authenticated as the account.
    assert [r["path"] for r in fake_twilio.requests] == ["/v1/ContentAndApprovals"]
    assert TemplateSync.load().ok is True


def test_only_approved_templates_that_can_open_a_conversation_are_offered(account_templates):
    sync_templates()
    assert offered_sids() == {
        account_templates[key].sid for key in ("approved", "italian", "survey")
    }
    [offer] = [t for t in channels.templates() if t["sid"] == account_templates["approved"].sid]
    assert offer["variables"] == ["1", "2"]
    assert offer["examples"] == {"1": "name", "2": "topic"}
    assert offer["name"] == "Follow-up"


def test_a_later_sync_reads_status_and_category_back_and_retires_what_twilio_dropped(
    account_templates, fake_twilio
):
    sync_templates()
    account_templates["pending"].status = "approved"  # WhatsApp approved it since
    account_templates["approved"].category = "MARKETING"  # Meta re-categorised it
    fake_twilio.contents[ACCOUNT_SID].remove(account_templates["italian"])  # deleted at Twilio
    sync_templates()
    assert ContentTemplate.objects.get(sid=account_templates["pending"].sid).sendable
    assert (
        ContentTemplate.objects.get(sid=account_templates["approved"].sid).category == "MARKETING"
    )
    gone = ContentTemplate.objects.get(sid=account_templates["italian"].sid)
    assert gone.removed_at is not None
    assert account_templates["italian"].sid not in offered_sids()
    assert account_templates["pending"].sid in offered_sids()


def test_every_page_is_read(fake_twilio, chat_settings):
    for number in range(130):
        fake_twilio.add_content(ACCOUNT_SID, f"T{number}", {TEXT: {"body": f"n{number}"}})
    assert sync_templates().ok
    assert ContentTemplate.objects.count() == 130
    pages = [r for r in fake_twilio.requests if r["path"] == "/v1/ContentAndApprovals"]
    assert len(pages) == 2
    assert pages[1]["query"]["Page"] == "1"


def test_a_failed_sync_keeps_the_templates_and_says_why(account_templates, fake_twilio):
    sync_templates()
    fake_twilio.accounts[ACCOUNT_SID].auth_token = "changed-at-twilio"
    result = sync_templates()
    assert not result.ok and "20003" in result.message
    assert TemplateSync.load().ok is False
    assert account_templates["approved"].sid in offered_sids()


@pytest.fixture
def old_interaction(service, agent, fake_twilio):
    interaction = receive_inbound(
        service,
        InboundMessage(
            channel="whatsapp", address=CUSTOMER_NUMBER, provider_id="SM" + "a" * 32, body="Hi"
        ),
    ).interaction
    Interaction.objects.filter(pk=interaction.pk).update(
        last_inbound_at=timezone.now() - timedelta(hours=30)
    )
    return interaction


def test_sending_an_approved_template_posts_its_sid_and_variables(
    account_templates, old_interaction, agent, fake_twilio
):
    sync_templates()
    sid = account_templates["approved"].sid
    outbound.send_reply(
        old_interaction.pk,
        sender=agent.user,
        template_id=sid,
        template_variables={"1": "Maria", "2": "your order"},
    )
    [sent] = fake_twilio.sent_messages()
    assert sent["_content_sid"] == sid
    assert json.loads(sent["_content_variables"]) == {"1": "Maria", "2": "your order"}
    assert sent["body"] == ""


@pytest.mark.parametrize("key", ["pending", "rejected", "paused", "unsubmitted", "list_picker"])
def test_a_template_not_approved_is_refused_and_nothing_is_sent(
    key, account_templates, old_interaction, agent, fake_twilio
):
    sync_templates()
    with pytest.raises(ActionError):
        outbound.send_reply(
            old_interaction.pk, sender=agent.user, template_id=account_templates[key].sid
        )
    assert fake_twilio.sent_messages() == []


def test_the_periodic_job_syncs_on_the_engine(account_templates, run_tasks):
    from engine import periodic

    assert "whatsapp.sync_templates" in periodic.jobs()
    periodic.ensure_scheduled()
    run_tasks()
    assert ContentTemplate.objects.count() == len(account_templates)
    assert account_templates["approved"].sid in offered_sids()


def test_the_console_lists_statuses_and_syncs_on_demand(account_templates, admin_client):
    page = admin_client.get("/whatsapp/templates/")
    assert page.status_code == 200 and b"No templates are known yet" in page.content
    response = admin_client.post("/whatsapp/templates/sync/")
    assert response.status_code == 302
    page = admin_client.get("/whatsapp/templates/").content.decode()
    for name in ("Follow-up", "Order shipped", "Promo", "INVALID_FORMAT: example missing"):
        assert name in page
    assert 'data-status="rejected"' in page and 'data-status="pending"' in page
    entry = AuditEntry.objects.get(object_type="whatsapp.TemplateSync")
    assert entry.actor_name == "ada"


def test_the_console_in_italian(account_templates, admin_client):
    admin_client.post("/whatsapp/templates/sync/")
    page = admin_client.get("/whatsapp/templates/", HTTP_ACCEPT_LANGUAGE="it").content.decode()
    assert "Sincronizza con Twilio" in page and "Rifiutato" in page


def test_agents_cannot_open_or_sync(client, agent, account_templates, fake_twilio):
    client.force_login(agent.user)
    assert client.get("/whatsapp/templates/").status_code == 403
    assert client.post("/whatsapp/templates/sync/").status_code == 403
    assert not any(r["path"] == "/v1/ContentAndApprovals" for r in fake_twilio.requests)
