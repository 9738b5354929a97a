"""Settings → Widget: permissions, validation next to the fields, and what the page shows."""

from __future__ import annotations

import pytest
from django.utils import timezone

from services.models import Service
from widgets.models import Widget, WidgetVisit

pytestmark = pytest.mark.django_db

LIST = "/settings/widgets/"
NEW = "/settings/widgets/new/"


def form_data(service, **overrides):
    data = {
        "name": "Website",
        "in_use": "on",
        "allowed_origins": "",
        "whatsapp_service": service.pk if service else "",
        "prefilled_text": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


class TestPermissions:
    def test_anonymous_visitors_go_to_the_login_page(self, client, widget):
        for path in (LIST, NEW, f"/settings/widgets/{widget.pk}/"):
            response = client.get(path)
            assert response.status_code == 302
            assert "/accounts/login/" in response["Location"]

    def test_agents_are_refused(self, client, agent, widget):
        client.force_login(agent.user)
        for path in (LIST, NEW, f"/settings/widgets/{widget.pk}/"):
            assert client.get(path).status_code == 403
        assert client.post(NEW, form_data(widget.whatsapp_service)).status_code == 403
        assert client.post(f"/settings/widgets/{widget.pk}/delete/").status_code == 403
        assert Widget.objects.count() == 1

    def test_administrators_see_the_list(self, admin_client, widget):
        response = admin_client.get(LIST)
        assert response.status_code == 200
        assert "Website" in response.content.decode()


class TestCreateAndEdit:
    def test_create_normalises_origins_and_shows_the_widget(self, admin_client, service):
        response = admin_client.post(
            NEW,
            form_data(
                service,
                name="  Shop  ",
                allowed_origins="HTTPS://Shop.Example.com/\nhttps://shop.example.com:443\n\nhttp://localhost:8001",
                prefilled_text="Ciao!",
                attribution_enabled="on",
            ),
        )
        widget = Widget.objects.get()
        assert (
            response.status_code == 302
            and response["Location"] == f"/settings/widgets/{widget.pk}/"
        )
        assert widget.name == "Shop"
        assert widget.allowed_origins == "https://shop.example.com\nhttp://localhost:8001"
        assert widget.whatsapp_service == service and widget.attribution_enabled

    @pytest.mark.parametrize(
        "origin",
        [
            "www.example.com",
            "ftp://example.com",
            "https://example.com/shop",
            "https://example.com?x=1",
            "https://:80",
            "https://example.com:99999",
        ],
    )
    def test_bad_origins_are_reported_next_to_the_field(self, admin_client, service, origin):
        response = admin_client.post(
            NEW, form_data(service, allowed_origins=f"https://ok.example.com\n{origin}")
        )
        assert response.status_code == 200
        errors = response.context["form"].errors
        assert list(errors) == ["allowed_origins"]
        assert origin in errors["allowed_origins"][0]
        assert 'id="id_allowed_origins_errors"' in response.content.decode()
        assert not Widget.objects.exists()

    def test_only_services_ready_for_whatsapp_are_offered(self, admin_client, service):
        not_ready = Service.objects.create(
            name="Sales", chat_enabled=True, whatsapp_enabled=False, twilio_number="+390298765432"
        )
        response = admin_client.get(NEW)
        choices = list(response.context["form"].fields["whatsapp_service"].queryset)
        assert choices == [service]
        refused = admin_client.post(NEW, form_data(not_ready))
        assert "whatsapp_service" in refused.context["form"].errors

    def test_a_widget_in_use_needs_a_whatsapp_service(self, admin_client, service):
        response = admin_client.post(NEW, form_data(None))
        assert "whatsapp_service" in response.context["form"].errors
        ok = admin_client.post(NEW, form_data(None, in_use=None))
        assert ok.status_code == 302
        assert Widget.objects.get().whatsapp_service is None

    def test_name_and_text_are_validated(self, admin_client, service):
        response = admin_client.post(NEW, form_data(service, name="   ", prefilled_text="x" * 301))
        assert set(response.context["form"].errors) == {"name", "prefilled_text"}

    def test_edit_saves_and_changes_what_visitors_get(self, admin_client, client, widget, service):
        response = admin_client.post(
            f"/settings/widgets/{widget.pk}/", form_data(service, prefilled_text="Buongiorno")
        )
        assert response.status_code == 302
        channel = client.get(f"/widget/{widget.public_key}/config.json").json()["channels"][0]
        assert channel["text"] == "Buongiorno"

    def test_delete(self, admin_client, widget):
        assert admin_client.get(f"/settings/widgets/{widget.pk}/delete/").status_code == 405
        assert admin_client.post(f"/settings/widgets/{widget.pk}/delete/").status_code == 302
        assert not Widget.objects.exists()


class TestWidgetPage:
    def test_shows_the_snippet_with_an_absolute_url(self, admin_client, widget):
        page = admin_client.get(f"/settings/widgets/{widget.pk}/").content.decode()
        snippet = f"&lt;script src=&quot;http://testserver/widget/embed.js&quot; data-occ-widget=&quot;{widget.public_key}&quot; async&gt;&lt;/script&gt;"
        assert snippet in page

    def test_snippet_uses_the_public_base_url(self, admin_client, widget, settings):
        settings.OCC_PUBLIC_BASE_URL = "https://occ.example.com"
        page = admin_client.get(f"/settings/widgets/{widget.pk}/").content.decode()
        assert "https://occ.example.com/widget/embed.js" in page

    def test_shows_the_same_qr_code_visitors_get(self, admin_client, client, widget):
        page = admin_client.get(f"/settings/widgets/{widget.pk}/").content.decode()
        public_svg = client.get(f"/widget/{widget.public_key}/qr.svg").content.decode()
        svg_element = public_svg[public_svg.index("<svg") :]
        assert svg_element in page
        assert "https://wa.me/390212345678" in page

    def test_warns_when_websites_would_show_nothing(self, admin_client, widget, service):
        assert (
            'id="widget-not-served"'
            not in admin_client.get(f"/settings/widgets/{widget.pk}/").content.decode()
        )
        Service.objects.filter(pk=service.pk).update(is_active=False)
        page = admin_client.get(f"/settings/widgets/{widget.pk}/").content.decode()
        assert 'id="widget-not-served"' in page and "Customer care" in page

    def test_shows_visits_clicks_and_conversations(
        self, admin_client, attributing_widget, service, django_user_model
    ):
        from interactions.models import Contact, Interaction

        now = timezone.now()
        contact = Contact.objects.create(address="+393331234567", name="Maria Rossi")
        interaction = Interaction.objects.create(service=service, contact=contact)
        WidgetVisit.objects.create(widget=attributing_widget)
        WidgetVisit.objects.create(widget=attributing_widget, opened_whatsapp_at=now)
        WidgetVisit.objects.create(
            widget=attributing_widget,
            opened_whatsapp_at=now,
            interaction=interaction,
            matched_at=now,
            page_url="https://shop.example.com/a",
        )
        response = admin_client.get(f"/settings/widgets/{attributing_widget.pk}/")
        figures = response.context["figures"]
        assert (figures.visit_count, figures.opened_count, figures.conversation_count) == (3, 2, 1)
        page = response.content.decode()
        assert "Maria Rossi" in page and "https://shop.example.com/a" in page
        listed = admin_client.get(LIST).context["widgets"]
        assert [(w.visit_count, w.opened_count, w.conversation_count) for w in listed] == [
            (3, 2, 1)
        ]


def test_the_console_speaks_italian(admin_client, widget):
    from django.utils import translation
    from django.utils.html import escape

    with translation.override("it"):
        expected = [
            translation.gettext(text)
            for text in ("What visitors see", "Embed on your website", "Try it on a sample page")
        ]
        origin_error = translation.gettext(
            "“%(value)s” is not a website origin: write it as https://www.example.com."
        ) % {"value": "www.example.com"}
    assert "What visitors see" not in expected
    page = admin_client.get(
        f"/settings/widgets/{widget.pk}/", HTTP_ACCEPT_LANGUAGE="it"
    ).content.decode()
    assert all(text in page for text in expected)
    response = admin_client.post(
        NEW, {"name": "x", "allowed_origins": "www.example.com"}, HTTP_ACCEPT_LANGUAGE="it"
    )
    assert escape(origin_error) in response.content.decode()


def test_the_sample_page_embeds_the_snippet(admin_client, agent, widget):
    from django.test import Client

    url = f"/settings/widgets/{widget.pk}/preview/"
    page = admin_client.get(url).content.decode()
    client = Client()
    assert (
        f'<script src="http://testserver/widget/embed.js" data-occ-widget="{widget.public_key}" async></script>'
        in page
    )
    assert client.get(url).status_code == 302
    client.force_login(agent.user)
    assert client.get(url).status_code == 403


class TestAppearance:
    def test_a_colour_white_text_cannot_be_read_on_is_refused_with_its_contrast(
        self, admin_client, service
    ):
        response = admin_client.post(NEW, form_data(service, colour="#128c4a"))
        assert response.status_code == 200
        errors = response.context["form"].errors
        assert list(errors) == ["colour"] and "4.31:1" in errors["colour"][0]
        assert not Widget.objects.exists()

    def test_the_colour_position_and_texts_are_saved_and_served(
        self, admin_client, client, service
    ):
        response = admin_client.post(
            NEW,
            form_data(
                service,
                colour="#1D4ED8",
                position="left",
                launcher_text="Write to us",
                title_text="",
            ),
        )
        assert response.status_code == 302
        widget = Widget.objects.get()
        assert (widget.colour, widget.position) == ("#1d4ed8", "left")
        config = client.get(f"/widget/{widget.public_key}/config.json").json()
        assert config["style"] == {"colour": "#1d4ed8", "position": "left"}
        assert config["strings"]["launcher"] == "Write to us"
        assert config["strings"]["title"] == "Chat with us on WhatsApp"  # empty: the default

    def test_without_a_colour_in_the_post_the_default_applies(self, admin_client, service):
        assert admin_client.post(NEW, form_data(service)).status_code == 302
        assert Widget.objects.get().colour == "#0f7a43"
