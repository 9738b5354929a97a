"""Shared fixtures: users, services, a configured account, the fake Twilio, signed webhooks.

Tests that need PostgreSQL or Redis read DATABASE_URL / REDIS_URL and skip
with a reason when they are unset (see the `postgres` and `redis` markers).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from urllib.parse import urlencode

import pytest
from twilio.request_validator import RequestValidator

from whatsapp.fake_twilio import FakeTwilio, FakeTwilioServer

FIXTURES = Path(__file__).parent / "fixtures"
ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
AUTH_TOKEN = "test-auth-token-0123456789abcdef"
SERVICE_NUMBER = "+390212345678"
CUSTOMER_NUMBER = "+393331234567"


def pytest_collection_modifyitems(config, items):
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL=postgresql://...")
    skip_redis = pytest.mark.skip(reason="needs Redis: set REDIS_URL=redis://...")
    is_pg = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
    # Browser tests run last: Playwright's sync API keeps an event loop in the
    # main thread, which async_to_sync in later tests would trip over.
    items.sort(key=lambda item: "browser" in item.keywords)
    for item in items:
        if "postgres" in item.keywords and not is_pg:
            item.add_marker(skip_pg)
        if "redis" in item.keywords and not os.environ.get("REDIS_URL"):
            item.add_marker(skip_redis)


@pytest.fixture(autouse=True)
def _forget_webhook_cache():
    """Each test starts without the account and services an earlier test's database held."""
    from whatsapp import webhook_cache

    webhook_cache.forget()
    yield
    webhook_cache.forget()


# --- the fake Twilio -------------------------------------------------------------


@pytest.fixture(scope="session")
def fake_twilio_server():
    server = FakeTwilioServer(FakeTwilio(callback_statuses=())).start()
    yield server
    server.stop()


@pytest.fixture
def fake_twilio(fake_twilio_server, settings):
    """A fresh fake Twilio, reached over real HTTP by the real twilio client."""
    fake = FakeTwilio(callback_statuses=())
    fake.add_account(ACCOUNT_SID, AUTH_TOKEN, friendly_name="OCC Test")
    fake.add_sender(ACCOUNT_SID, SERVICE_NUMBER)
    fake_twilio_server.fake = fake
    fake_twilio_server.httpd.RequestHandlerClass.fake = fake
    settings.TWILIO_API_BASE_URL = fake_twilio_server.base_url
    settings.TWILIO_MESSAGING_BASE_URL = fake_twilio_server.base_url
    settings.TWILIO_CONTENT_BASE_URL = fake_twilio_server.base_url
    fake.content_base_url = fake_twilio_server.base_url
    settings.TWILIO_TIMEOUT_SECONDS = 2
    return fake


@pytest.fixture
def approved_template(fake_twilio, chat_settings):
    """approved_template(body=..., sid=..., variables=...) → its SID: a template approved at the
    fake Twilio, synced into OCC through the Content API over real HTTP."""

    def make(
        body: str = "Hello {{1}}, we are following up on your request.",
        *,
        sid: str | None = None,
        name: str = "Follow-up",
        variables: dict | None = None,
        **kwargs,
    ) -> str:
        from whatsapp.content_templates import sync_templates

        extra = {"sid": sid} if sid else {}
        content = fake_twilio.add_content(
            ACCOUNT_SID,
            name,
            {"twilio/text": {"body": body}},
            variables=variables if variables is not None else {"1": "name"},
            **extra,
            **kwargs,
        )
        assert sync_templates().ok
        return content.sid

    return make


# --- people and configuration ----------------------------------------------------


@pytest.fixture
def admin_user(django_user_model):
    return django_user_model.objects.create_user(
        username="ada", password="admin-pass-123", is_staff=True, is_superuser=True
    )


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def chat_settings(db):
    from settings.models import ChatChannelSettings

    config = ChatChannelSettings.load()
    config.whatsapp_enabled = True
    config.account_sid = ACCOUNT_SID
    config.set_auth_token(AUTH_TOKEN)
    config.save()
    return config


@pytest.fixture
def service(chat_settings):
    from services.models import Service

    return Service.objects.create(
        name="Customer care", chat_enabled=True, whatsapp_enabled=True, twilio_number=SERVICE_NUMBER
    )


@pytest.fixture
def make_agent(django_user_model, service):
    """make_agent(name, max_interactions=..., presence=..., services=[...])"""
    from agents.models import AgentProfile, Presence

    def make(
        username="agent", *, max_interactions=3, presence=Presence.ONLINE, services=None, **flags
    ):
        user = django_user_model.objects.create_user(username=username, password="agent-pass-123")
        profile = AgentProfile.objects.create(
            user=user,
            chat_enabled=flags.get("chat_enabled", True),
            whatsapp_enabled=flags.get("whatsapp_enabled", True),
            max_interactions=max_interactions,
            presence=presence,
        )
        profile.services.set(services if services is not None else [service])
        return profile

    return make


@pytest.fixture
def agent(make_agent):
    return make_agent("alex")


# --- Twilio webhooks ---------------------------------------------------------------


def load_payload(name: str, **overrides) -> dict:
    """A captured Twilio webhook from tests/fixtures/twilio/<name>.json."""
    data = json.loads((FIXTURES / "twilio" / f"{name}.json").read_text())
    data.update(overrides)
    return data


@pytest.fixture
def signed_post(client):
    """POST form params to a path, signed as Twilio would sign them."""

    def post(
        path: str,
        params: dict,
        *,
        token: str = AUTH_TOKEN,
        base: str = "http://testserver",
        signature: str | None = None,
        **extra,
    ):
        url = base + path
        if signature is None:
            signature = RequestValidator(token).compute_signature(url, params)
        return client.post(
            path,
            data=urlencode(params, doseq=True),
            content_type="application/x-www-form-urlencoded",
            HTTP_X_TWILIO_SIGNATURE=signature,
            **extra,
        )

    return post


@pytest.fixture(autouse=True)
def _english_after_each_test():
    """A request in Italian leaves Italian active in the thread: reset it for the next test."""
    yield
    from django.utils import translation

    translation.activate("en")


# --- the task engine ---------------------------------------------------------------


@pytest.fixture
def run_tasks(monkeypatch):
    """run_tasks() → the number of tasks run: every due task, by the database worker's own loop, here.

    The real `db_worker` loop in batch mode (claim with SELECT … FOR UPDATE
    SKIP LOCKED, run, record the result), in this process and this test's
    transaction; tasks whose `run_after` is still ahead stay queued. Tests
    of background behaviour use it (or a real worker process), never an
    immediate backend, which would run tasks inside the request.
    """
    from django_tasks_db.management.commands import db_worker

    # The test's connection holds its transaction: the worker must not close it.
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)

    def run(*, max_tasks: int = 500) -> int:
        worker = db_worker.Worker(
            queue_names=["*"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=max_tasks,
            worker_id="test-worker",
            excluded_queue_names=[],
        )
        worker.run()
        return worker._run_tasks

    return run


def make_tasks_due() -> int:
    """Bring every queued task's run_after to now, as if its backoff had passed."""
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    return (
        DBTaskResult.objects.filter(status="READY")
        .exclude(run_after__year=9999)
        .update(run_after=timezone.now())
    )
