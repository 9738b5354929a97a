"""The desk's pages and files: who may open what, media through the application, uploads."""

from __future__ import annotations

import base64

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from interactions.actions.inbound import InboundMessage, receive_inbound
from tests.conftest import ACCOUNT_SID, AUTH_TOKEN, CUSTOMER_NUMBER

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


@pytest.fixture
def agent_client(client, agent):
    client.force_login(agent.user)
    return client


def inbound_with_media(service, fake_twilio, settings, *, url=None):
    path = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/MM{'1' * 32}/Media/ME{'2' * 32}"
    fake_twilio.add_media(path, "image/png", PNG)
    return receive_inbound(
        service,
        InboundMessage(
            channel="whatsapp",
            address=CUSTOMER_NUMBER,
            provider_id="MM" + "1" * 32,
            attachments=[
                {"url": url or settings.TWILIO_API_BASE_URL + path, "content_type": "image/png"}
            ],
        ),
    )


@pytest.mark.django_db
class TestPages:
    def test_agents_land_on_the_desk(self, agent_client):
        response = agent_client.get("/", follow=True)
        assert response.redirect_chain[-1][0] == "/desk/"
        assert b'id="interaction-list"' in response.content
        assert b"js/desk.js" in response.content

    def test_administrators_can_open_the_desk_and_the_supervisor_view(self, admin_client):
        assert admin_client.get("/desk/").status_code == 200
        response = admin_client.get("/desk/supervisor/")
        assert response.status_code == 200
        assert b"js/supervisor.js" in response.content

    def test_agents_cannot_open_the_supervisor_view(self, agent_client):
        assert agent_client.get("/desk/supervisor/").status_code == 403

    def test_anonymous_visitors_go_to_login(self, client):
        assert client.get("/desk/")["Location"].startswith("/accounts/login/")

    def test_no_page_loads_anything_from_the_internet(self, agent_client, admin_client):
        for response in (agent_client.get("/desk/"), admin_client.get("/desk/supervisor/")):
            html = response.content.decode()
            assert 'src="http' not in html and 'href="http' not in html


@pytest.mark.django_db(transaction=True)
class TestMedia:
    def test_customer_media_is_fetched_with_the_account_credentials(
        self, agent_client, service, fake_twilio, settings
    ):
        result = inbound_with_media(service, fake_twilio, settings)
        response = agent_client.get(f"/desk/media/{result.message.pk}/0/")
        assert response.status_code == 200
        assert response["Content-Type"] == "image/png"
        assert response.content == PNG
        [request] = [r for r in fake_twilio.requests if "/Media/" in r["path"]]
        assert AUTH_TOKEN.encode() not in response.content

    def test_credentials_never_go_to_another_host(
        self, agent_client, service, fake_twilio, settings
    ):
        result = inbound_with_media(
            service, fake_twilio, settings, url="http://attacker.example/steal.png"
        )
        response = agent_client.get(f"/desk/media/{result.message.pk}/0/")
        assert response.status_code == 502
        assert not [r for r in fake_twilio.requests if "/Media/" in r["path"]]

    def test_agents_of_other_services_cannot_see_it(
        self, client, make_agent, service, fake_twilio, settings
    ):
        from services.models import Service

        elsewhere = Service.objects.create(name="Sales", chat_enabled=True)
        outsider = make_agent("outsider", services=[elsewhere])
        result = inbound_with_media(service, fake_twilio, settings)
        client.force_login(outsider.user)
        assert client.get(f"/desk/media/{result.message.pk}/0/").status_code == 404


@pytest.mark.django_db
class TestUploads:
    def test_an_upload_is_served_publicly_at_its_unguessable_url(
        self, agent_client, client, settings, tmp_path
    ):
        settings.OCC_MEDIA_ROOT = str(tmp_path)
        response = agent_client.post(
            "/desk/upload/", {"file": SimpleUploadedFile("a b.png", PNG, content_type="image/png")}
        )
        assert response.status_code == 201
        stored = response.json()
        assert len(stored["token"]) == 32
        client.logout()
        from desk import desk_files

        [attachment] = desk_files.attachments_for([{"token": stored["token"]}])
        path = "/desk/files/" + attachment["url"].split("/desk/files/", 1)[1]
        assert path == f"/desk/files/{stored['token']}/a-b.png"
        public = client.get(path)
        assert public.status_code == 200
        assert public["Content-Type"] == "image/png"
        assert b"".join(public.streaming_content) == PNG
        assert client.get(f"/desk/files/{'x' * 32}/a-b.png").status_code == 404

    def test_types_whatsapp_refuses_are_refused(self, agent_client, settings, tmp_path):
        settings.OCC_MEDIA_ROOT = str(tmp_path)
        response = agent_client.post(
            "/desk/upload/",
            {"file": SimpleUploadedFile("run.exe", b"MZ", content_type="application/x-msdownload")},
        )
        assert response.status_code == 400
        assert "does not accept" in response.json()["error"]


@pytest.mark.django_db
def test_supervisor_charts_count_the_last_24_hours(service, make_agent):
    from datetime import timedelta

    from django.utils import timezone

    from interactions.models import Interaction
    from interactions.selectors import last_24_hours

    make_agent("alex")
    now = timezone.now()
    for index, minutes_ago in enumerate([5, 6, 70, 60 * 30]):
        result = receive_inbound(
            service,
            InboundMessage(
                channel="whatsapp", address=f"+3933300000{index:02d}", provider_id=f"SM{index:032d}"
            ),
            now=now - timedelta(minutes=minutes_ago),
        )
        Interaction.objects.filter(pk=result.interaction.pk).update(
            first_reply_at=now
            - timedelta(minutes=minutes_ago)
            + timedelta(seconds=30 * (index + 1))
        )
    charts = last_24_hours(now=now)
    assert sum(charts["interactions"]) == 3  # the one 30 hours ago is outside
    assert charts["interactions"][-1] + charts["interactions"][-2] >= 2
    assert [v for v in charts["median_first_reply_seconds"] if v is not None] != []
    assert len(charts["hours"]) == 24


class TestNoAgentProfile:
    def test_an_administrator_without_a_profile_is_offered_to_become_an_agent(
        self, admin_client, service
    ):
        from agents.models import AgentProfile

        page = admin_client.get("/desk/").content.decode()
        assert 'id="become-agent"' in page and 'id="desk"' not in page
        response = admin_client.post("/desk/become-agent/")
        assert response.status_code == 302 and response["Location"] == "/desk/"
        profile = AgentProfile.objects.get(user__username="ada")
        assert list(profile.services.all()) == [service]
        assert profile.chat_enabled and profile.whatsapp_enabled and profile.presence == "offline"
        assert 'id="desk"' in admin_client.get("/desk/").content.decode()
        # Done once: a second post changes nothing.
        admin_client.post("/desk/become-agent/")
        assert AgentProfile.objects.filter(user__username="ada").count() == 1

    def test_a_user_without_a_profile_who_is_no_administrator_is_told_why(self, client, db):
        from django.contrib.auth import get_user_model

        user = get_user_model().objects.create_user("nobody", password="x")
        client.force_login(user)
        page = client.get("/desk/").content.decode()
        assert "Ask an administrator" in page and 'id="become-agent"' not in page
        assert client.post("/desk/become-agent/").status_code == 403
