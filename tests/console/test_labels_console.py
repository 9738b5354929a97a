"""Settings → Labels and Close reasons: validation, deletion rules, the service's setting, the audit log."""

from __future__ import annotations

import pytest
from django.urls import reverse

from audit.models import AuditEntry
from interactions.models import CloseReason, Interaction, Label
from services.models import Service
from tests.console.conftest import field_errors

pytestmark = pytest.mark.django_db


def audit_of(model, pk):
    return list(
        AuditEntry.objects.filter(object_type=model._meta.label, object_id=str(pk))
        .order_by("at", "id")
        .values_list("action", "changes")
    )


class TestLabels:
    def test_a_label_is_created_with_its_colour_and_the_audit_log_says_who(
        self, admin_client, admin_user
    ):
        response = admin_client.post(
            reverse("wrapup:label_create"), {"name": "  Refund  ", "colour": "#C62828"}
        )
        assert response.status_code == 302
        label = Label.objects.get()
        assert (label.name, label.colour, label.text_colour) == ("Refund", "#c62828", "#ffffff")
        entry = AuditEntry.objects.get(object_type="interactions.Label")
        assert entry.actor == admin_user and entry.action == "created"
        assert entry.changes["name"] == {"from": None, "to": "Refund"}

    @pytest.mark.parametrize(
        "colour, error",
        [("red", "#rrggbb"), ("#fffffe", "too pale"), ("#12345", "#rrggbb")],
    )
    def test_a_colour_that_is_not_one_or_too_pale_is_refused(self, admin_client, colour, error):
        response = admin_client.post(
            reverse("wrapup:label_create"), {"name": "VIP", "colour": colour}
        )
        assert response.status_code == 200 and not Label.objects.exists()
        assert error in field_errors(response.content.decode(), "colour")

    def test_a_name_is_unique_whatever_its_case(self, admin_client):
        Label.objects.create(name="VIP", colour="#000000")
        response = admin_client.post(
            reverse("wrapup:label_create"), {"name": "vip", "colour": "#123456"}
        )
        assert "already exists" in field_errors(response.content.decode(), "name")
        assert Label.objects.count() == 1

    def test_the_list_shows_each_label_as_a_chip_in_its_colours(self, admin_client):
        Label.objects.create(name="VIP", colour="#ffd54f")
        page = admin_client.get(reverse("wrapup:labels")).content.decode()
        assert 'data-colour="#ffd54f" data-text-colour="#000000">VIP</span>' in page
        assert "confirm(" not in page and 'data-ask="' in page

    def test_deleting_a_label_takes_it_off_conversations_and_is_audited(
        self, admin_client, receive_one
    ):
        label = Label.objects.create(name="VIP", colour="#ffd54f")
        interaction = receive_one()
        interaction.labels.add(label)
        response = admin_client.post(reverse("wrapup:label_delete", args=[label.pk]))
        assert response.status_code == 302 and not Label.objects.exists()
        assert not Interaction.objects.get(pk=interaction.pk).labels.exists()
        assert [a for a, _c in audit_of(Label, label.pk)] == ["created", "deleted"]

    def test_agents_may_not_change_labels(self, agent_client):
        response = agent_client.post(
            reverse("wrapup:label_create"), {"name": "VIP", "colour": "#123456"}
        )
        assert response.status_code == 403 and not Label.objects.exists()


class TestCloseReasons:
    def test_created_at_the_end_of_the_list_and_edited(self, admin_client):
        CloseReason.objects.create(name="Resolved", position=10)
        page = admin_client.get(reverse("wrapup:close_reason_create")).content.decode()
        assert 'value="20"' in page  # the next place
        admin_client.post(
            reverse("wrapup:close_reason_create"),
            {"name": "Spam", "is_active": "on", "position": "20"},
        )
        spam = CloseReason.objects.get(name="Spam")
        admin_client.post(
            reverse("wrapup:close_reason_edit", args=[spam.pk]), {"name": "Spam", "position": "5"}
        )
        spam.refresh_from_db()
        assert (spam.is_active, spam.position) == (False, 5)
        assert audit_of(CloseReason, spam.pk)[-1] == (
            "changed",
            {"is_active": {"from": "True", "to": "False"}, "position": {"from": "20", "to": "5"}},
        )

    def test_one_on_closed_conversations_cannot_be_deleted_only_deactivated(
        self, admin_client, receive_one, admin_user
    ):
        from interactions.actions.lifecycle import close_interaction

        resolved = CloseReason.objects.create(name="Resolved")
        close_interaction(receive_one().pk, actor=admin_user, close_reason_id=resolved.pk)
        response = admin_client.post(
            reverse("wrapup:close_reason_delete", args=[resolved.pk]), follow=True
        )
        assert CloseReason.objects.filter(pk=resolved.pk).exists()
        assert "deactivate it instead" in response.content.decode()

    def test_a_service_can_require_a_close_reason_and_the_change_is_audited(
        self, admin_client, service
    ):
        data = {
            "name": service.name,
            "is_active": "on",
            "chat_enabled": "on",
            "whatsapp_enabled": "on",
            "twilio_number": service.twilio_number,
            "close_reason_required": "on",
        }
        response = admin_client.post(reverse("services:edit", args=[service.pk]), data)
        assert response.status_code == 302
        assert Service.objects.get(pk=service.pk).close_reason_required is True
        assert audit_of(Service, service.pk)[-1] == (
            "changed",
            {"close_reason_required": {"from": "False", "to": "True"}},
        )
        page = admin_client.get(reverse("wrapup:close_reasons")).content.decode()
        assert "Required by:" in page and service.name in page


@pytest.fixture
def receive_one(service):
    from interactions.actions.inbound import InboundMessage, receive_inbound

    def receive():
        result = receive_inbound(
            service,
            InboundMessage(
                channel="whatsapp", address="+393330009999", provider_id="SM1", body="Hi"
            ),
        )
        return result.interaction

    return receive
