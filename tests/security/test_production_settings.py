"""Production settings: `check --deploy` is clean, cookies are Secure/HttpOnly/SameSite, no default key."""

from __future__ import annotations

import functools
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]


def _production_env(**extra) -> dict:
    # DJANGO_ALLOW_ASYNC_UNSAFE is set by the browser tests' fixture, never in production.
    unset = {"SECRET_KEY", "DEBUG", "OCC_SANDBOX", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in unset}
    env.update(DJANGO_SETTINGS_MODULE="occ.production", ALLOWED_HOSTS="occ.example.com", **extra)
    return env


def _manage(*args, env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_a_secret_key():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env=_production_env(SECRET_KEY=secrets.token_urlsafe(50)),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = _manage("check", env=_production_env())
    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr


@functools.cache
def production_values() -> dict:
    """The security settings occ.production sets, read without switching the test process to it."""
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import json, django; from django.conf import settings; django.setup(); "
            "names = ['SESSION_COOKIE_SECURE','SESSION_COOKIE_HTTPONLY','SESSION_COOKIE_SAMESITE',"
            "'CSRF_COOKIE_SECURE','CSRF_COOKIE_SAMESITE','DEBUG','OCC_SANDBOX','SECURE_SSL_REDIRECT',"
            "'SECURE_HSTS_SECONDS','X_FRAME_OPTIONS','SECURE_REDIRECT_EXEMPT','EMAIL_BACKEND']; "
            "print(json.dumps({n: getattr(settings, n) for n in names}))",
        ],
        cwd=ROOT,
        env=_production_env(SECRET_KEY=secrets.token_urlsafe(50), DEBUG="1", OCC_SANDBOX="1"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    import json

    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_values_are_hardened_whatever_the_environment_says():
    values = production_values()
    assert values["DEBUG"] is False and values["OCC_SANDBOX"] is False
    # The sandbox's outbox keeps e-mails instead of sending them: never in production.
    assert values["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert values["SESSION_COOKIE_SECURE"] and values["SESSION_COOKIE_HTTPONLY"]
    assert values["SESSION_COOKIE_SAMESITE"] in {"Lax", "Strict"}
    assert values["CSRF_COOKIE_SECURE"] and values["CSRF_COOKIE_SAMESITE"] in {"Lax", "Strict"}
    assert values["SECURE_SSL_REDIRECT"] and values["SECURE_HSTS_SECONDS"] >= 31536000
    assert values["X_FRAME_OPTIONS"] == "DENY"
    assert any("whatsapp/twilio/" in pattern for pattern in values["SECURE_REDIRECT_EXEMPT"])


@pytest.mark.django_db
def test_the_session_cookie_of_a_real_log_in_carries_the_flags(client, agent):
    values = production_values()
    flags = {
        k: values[k]
        for k in (
            "SESSION_COOKIE_SECURE",
            "SESSION_COOKIE_HTTPONLY",
            "SESSION_COOKIE_SAMESITE",
            "CSRF_COOKIE_SECURE",
            "CSRF_COOKIE_SAMESITE",
        )
    }
    with override_settings(**flags):
        client.get(reverse("login"), secure=True)
        response = client.post(
            reverse("login"), {"username": "alex", "password": "agent-pass-123"}, secure=True
        )
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"
    csrf = client.cookies["csrftoken"]
    assert csrf["secure"] and csrf["samesite"] == "Lax"


def test_webhooks_are_not_redirected_to_https_in_production():
    """A redirect would lose Twilio's POST body; everything else is sent to HTTPS."""
    import re

    exempt = production_values()["SECURE_REDIRECT_EXEMPT"]
    assert any(re.search(p, "whatsapp/twilio/inbound") for p in exempt)
    assert any(re.search(p, "whatsapp/twilio/status/") for p in exempt)
    assert not any(re.search(p, "accounts/login/") for p in exempt)
