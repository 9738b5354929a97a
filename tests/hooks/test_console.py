"""Settings → Webhooks: register a URL, see its secret and the delivery log, send again."""

from __future__ import annotations

from hooks.models import Delivery, DeliveryState, Endpoint
from interactions.actions.inbound import InboundMessage, receive_inbound

PAGE = "/settings/webhooks/"


def test_administrator_registers_a_url_and_sees_its_secret(admin_client, db):
    response = admin_client.post(
        PAGE,
        {
            "url": "https://crm.example.com/occ",
            "description": "CRM",
            "event_types": ["message.received"],
            "is_active": "on",
        },
        follow=True,
    )
    endpoint = Endpoint.objects.get()
    assert endpoint.event_types == ["message.received"] and endpoint.created_by.username == "ada"
    page = response.content.decode()
    assert endpoint.get_secret() in page and endpoint.get_secret().startswith("whsec_")
    assert endpoint.secret_encrypted != endpoint.get_secret()


def test_a_bad_url_is_refused_with_the_reason(admin_client, db):
    response = admin_client.post(PAGE, {"url": "not a url"})
    assert response.status_code == 200 and not Endpoint.objects.exists()
    assert "errorlist" in response.content.decode()


def test_the_delivery_log_shows_failures_and_can_send_again(
    admin_client, endpoint, receiver, service, agent, settings, run_tasks
):
    settings.OCC_WEBHOOK_MAX_ATTEMPTS = 1
    receiver.statuses = [500, 500, 500]
    receive_inbound(
        service,
        InboundMessage(channel="whatsapp", address="+393330000001", provider_id="SM1", body="Hi"),
    )
    run_tasks()
    page = admin_client.get(f"{PAGE}{endpoint.pk}/?state=failed").content.decode()
    assert "HTTP 500" in page and "message.received" in page
    failed = Delivery.objects.filter(state=DeliveryState.FAILED).first()
    admin_client.post(f"{PAGE}deliveries/{failed.pk}/redeliver/")
    failed.refresh_from_db()
    assert failed.state == DeliveryState.PENDING
    run_tasks()
    failed.refresh_from_db()
    assert failed.state == DeliveryState.DELIVERED


def test_rotating_the_secret_changes_what_signs(admin_client, endpoint):
    old = endpoint.get_secret()
    admin_client.post(f"{PAGE}{endpoint.pk}/rotate-secret/")
    endpoint.refresh_from_db()
    assert endpoint.get_secret() != old


def test_only_administrators_manage_webhooks(client, agent, endpoint):
    assert client.get(PAGE).status_code == 302
    client.force_login(agent.user)
    assert client.get(PAGE).status_code == 403
    assert client.get(f"{PAGE}{endpoint.pk}/").status_code == 403
    assert client.post(f"{PAGE}{endpoint.pk}/delete/").status_code == 403
    assert Endpoint.objects.filter(pk=endpoint.pk).exists()


def test_webhooks_through_the_api(endpoint, receiver, service, agent, admin_user, run_tasks):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=admin_user).key}")
    created = api.post(
        "/api/v1/webhooks/",
        {"url": "https://erp.example.com/hook", "event_types": ["interaction.closed"]},
        format="json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["secret"].startswith("whsec_")
    assert api.post("/api/v1/webhooks/", {"url": "nope"}, format="json").json()[
        "errors"
    ].keys() == {"url"}
    receive_inbound(
        service,
        InboundMessage(channel="whatsapp", address="+393330000001", provider_id="SM1", body="Hi"),
    )
    run_tasks()
    log = api.get(f"/api/v1/webhooks/{endpoint.pk}/deliveries/").json()
    assert log["count"] == 3 and {d["state"] for d in log["results"]} == {"delivered"}
    agent_api = APIClient()
    agent_api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=agent.user).key}")
    assert agent_api.get("/api/v1/webhooks/").status_code == 403


def test_the_webhooks_page_speaks_italian(admin_client, endpoint):
    page = admin_client.get(f"{PAGE}{endpoint.pk}/", HTTP_ACCEPT_LANGUAGE="it").content.decode()
    assert "Segreto di firma" in page and "Registro consegne" in page
