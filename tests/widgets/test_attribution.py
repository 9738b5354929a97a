"""Attribution: a visit's reference code, carried by the first message, links the conversation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from interactions.models import Interaction, Message
from tests.conftest import load_payload
from tests.widgets.conftest import decode_qr
from widgets import actions
from widgets.models import WidgetVisit
from widgets.selectors import attribution_for, attributions_for

pytestmark = pytest.mark.django_db

INBOUND = "/whatsapp/twilio/inbound"
PAGE = "https://shop.example.com/products/espresso?utm_source=x"


def open_widget(client, widget, page_url=PAGE):
    response = client.post(
        f"/widget/{widget.public_key}/visits",
        {"page_url": page_url},
        HTTP_ORIGIN="https://shop.example.com",
    )
    assert response.status_code == 201
    return response.json()


def customer_writes(signed_post, body, sid="SM" + "a" * 32, sender="+393331234567"):
    payload = load_payload(
        "inbound_text",
        Body=body,
        MessageSid=sid,
        SmsMessageSid=sid,
        SmsSid=sid,
        From=f"whatsapp:{sender}",
        WaId=sender[1:],
    )
    response = signed_post(INBOUND, payload)
    assert response.status_code == 200
    return Message.objects.get(provider_id=sid).interaction


def test_configuration_offers_visits_only_with_attribution(client, widget, attributing_widget):
    assert client.get(f"/widget/{widget.public_key}/config.json").json()["visits"] is None
    assert (
        client.get(f"/widget/{attributing_widget.public_key}/config.json")
        .json()["visits"]
        .endswith(f"/widget/{attributing_widget.public_key}/visits")
    )
    assert client.post(f"/widget/{widget.public_key}/visits", {"page_url": PAGE}).status_code == 404


def test_a_visit_gets_its_own_text_link_and_qr_code(client, attributing_widget):
    visit = open_widget(client, attributing_widget)
    ref = visit["ref"]
    stored = WidgetVisit.objects.get(ref_code=ref)
    assert stored.page_url == PAGE and stored.widget == attributing_widget
    (channel,) = visit["channels"]
    assert channel["text"] == f"Hello! (ref. {ref})"
    expected = f"https://wa.me/390212345678?text=Hello%21%20%28ref.%20{ref}%29"
    assert channel["app_link"] == expected
    assert (
        channel["web_link"]
        == f"https://web.whatsapp.com/send?phone=390212345678&text=Hello%21%20%28ref.%20{ref}%29"
    )
    png = client.get(channel["qr_png"].removeprefix("http://testserver"))
    assert decode_qr(png.content) == expected
    assert "immutable" in png["Cache-Control"]


def test_page_urls_that_are_not_web_addresses_are_dropped(client, attributing_widget):
    ref = open_widget(client, attributing_widget, page_url="javascript:alert(1)")["ref"]
    assert WidgetVisit.objects.get(ref_code=ref).page_url == ""


def test_click_through_is_counted_once(client, attributing_widget):
    visit = open_widget(client, attributing_widget)
    opened = visit["opened"].removeprefix("http://testserver")
    assert client.post(opened).status_code == 204
    first = WidgetVisit.objects.get(ref_code=visit["ref"]).opened_whatsapp_at
    assert first is not None
    assert client.post(opened).status_code == 204
    assert WidgetVisit.objects.get(ref_code=visit["ref"]).opened_whatsapp_at == first
    assert (
        client.post(f"/widget/{attributing_widget.public_key}/visits/FFFFFFFF/opened").status_code
        == 404
    )


def test_first_message_with_the_code_attributes_the_conversation(
    client, signed_post, attributing_widget, agent
):
    visit = open_widget(client, attributing_widget)
    interaction = customer_writes(signed_post, visit["channels"][0]["text"])
    stored = WidgetVisit.objects.get(ref_code=visit["ref"])
    assert stored.interaction == interaction
    assert stored.matched_at is not None
    assert stored.opened_whatsapp_at is not None  # scanned: the message proves WhatsApp opened
    attribution = attribution_for(interaction)
    assert attribution.widget_name == "Shop"
    assert attribution.page_url == PAGE
    assert attribution.visited_at == stored.created_at
    assert attributions_for([interaction]) == {interaction.pk: attribution}
    # The conversation itself is routed like any other.
    assert interaction.agent == agent


def test_a_customer_editing_the_text_keeps_the_code_working(
    client, signed_post, attributing_widget, agent
):
    ref = open_widget(client, attributing_widget)["ref"]
    interaction = customer_writes(signed_post, f"hi, about my order. ref {ref.lower()}")
    assert attribution_for(interaction).ref_code == ref


def test_writing_straight_from_the_app_is_handled_the_same_without_attribution(
    signed_post, attributing_widget, agent
):
    interaction = customer_writes(signed_post, "Buongiorno, vorrei informazioni")
    assert attribution_for(interaction) is None
    assert interaction.agent == agent
    assert Message.objects.filter(interaction=interaction).count() == 1


def test_one_code_attributes_one_conversation(client, signed_post, attributing_widget, make_agent):
    make_agent("bea", max_interactions=5)
    text = open_widget(client, attributing_widget)["channels"][0]["text"]
    first = customer_writes(signed_post, text, sid="SM" + "1" * 32, sender="+393331111111")
    shared = customer_writes(signed_post, text, sid="SM" + "2" * 32, sender="+393332222222")
    assert attribution_for(first) is not None
    assert attribution_for(shared) is None


def test_later_messages_of_the_same_conversation_do_not_attribute(
    client, signed_post, attributing_widget, agent
):
    interaction = customer_writes(signed_post, "Hello", sid="SM" + "3" * 32)
    ref = open_widget(client, attributing_widget)["ref"]
    again = customer_writes(signed_post, f"(ref. {ref})", sid="SM" + "4" * 32)
    assert again == interaction
    assert attribution_for(interaction) is None
    assert WidgetVisit.objects.get(ref_code=ref).interaction is None


def test_old_codes_attribute_nothing(client, signed_post, attributing_widget, agent):
    ref = open_widget(client, attributing_widget)["ref"]
    WidgetVisit.objects.filter(ref_code=ref).update(
        created_at=timezone.now() - actions.ATTRIBUTION_WINDOW - timedelta(minutes=1)
    )
    interaction = customer_writes(signed_post, f"(ref. {ref})")
    assert attribution_for(interaction) is None


def test_a_failing_attribution_never_loses_the_message(
    client, signed_post, attributing_widget, agent, monkeypatch
):
    ref = open_widget(client, attributing_widget)["ref"]

    def broken(interaction, message, **kwargs):
        WidgetVisit.objects.filter(ref_code=ref).update(page_url="https://changed.example.com/")
        # A failing statement: on PostgreSQL it would poison the whole
        # receiving transaction without the receiver's savepoint.
        WidgetVisit.objects.create(widget=attributing_widget, ref_code=ref)

    monkeypatch.setattr(actions, "attribute_interaction", broken)
    interaction = customer_writes(signed_post, f"(ref. {ref})")
    assert Interaction.objects.filter(pk=interaction.pk).exists()
    assert interaction.agent == agent  # routing after the signal still ran
    # The receiver's savepoint rolled back its own half-done work, and only that.
    assert WidgetVisit.objects.get(ref_code=ref).page_url == PAGE


def test_the_desk_can_render_the_attribution_with_one_tag(
    client, signed_post, attributing_widget, agent
):
    from django.template import Context, Template

    tag = Template("{% load widget_attribution %}{% widget_attribution interaction %}")
    text = open_widget(client, attributing_widget)["channels"][0]["text"]
    attributed = customer_writes(signed_post, text, sid="SM" + "5" * 32, sender="+393335555555")
    direct = customer_writes(signed_post, "hello", sid="SM" + "6" * 32, sender="+393336666666")
    html = tag.render(Context({"interaction": attributed}))
    assert "Shop" in html and f'href="{PAGE.replace("&", "&amp;")}"' in html
    assert tag.render(Context({"interaction": direct})).strip() == ""
