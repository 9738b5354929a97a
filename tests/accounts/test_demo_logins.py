"""The sandbox's log-in page lists the demo logins that still work, and nothing outside the sandbox."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.management import call_command

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_cache(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()
    yield
    cache.clear()


def demo_section(client) -> str:
    page = client.get("/accounts/login/").content.decode()
    return page[page.index('id="demo-logins"') :] if 'id="demo-logins"' in page else ""


def test_in_the_sandbox_the_demo_logins_are_shown(client, settings):
    settings.OCC_SANDBOX = True
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    section = demo_section(client)
    assert "<code>admin</code>" in section and "<code>occ-demo-admin</code>" in section
    assert "<code>agent</code>" in section and "<code>occ-demo-agent</code>" in section


def test_a_demo_login_whose_password_was_changed_is_not_offered(client, settings):
    from django.contrib.auth import get_user_model

    settings.OCC_SANDBOX = True
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    agent = get_user_model().objects.get(username="agent")
    agent.set_password("something-else-entirely")
    agent.save()
    section = demo_section(client)
    assert "occ-demo-admin" in section and "occ-demo-agent" not in section


def test_outside_the_sandbox_no_login_is_shown(client, settings):
    settings.OCC_SANDBOX = False
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert demo_section(client) == ""
    assert "occ-demo" not in client.get("/accounts/login/").content.decode()


def test_the_italian_page_says_it_in_italian(client, settings):
    settings.OCC_SANDBOX = True
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    page = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="it").content.decode()
    assert "Sandbox: accessi dimostrativi" in page and "Amministratore" in page
