"""What the terminal shows: each request once, no traceback for an expected 403, no polling lines."""

from __future__ import annotations

import logging

import pytest

from occ.lib.logs import QuietPolling


def record(message: str) -> logging.LogRecord:
    return logging.LogRecord("django.channels.server", logging.INFO, __file__, 1, message, (), None)


def test_the_sandbox_phone_s_polling_is_not_logged_and_other_requests_are():
    quiet = QuietPolling()
    assert not quiet.filter(record("HTTP GET /sandbox/phone/messages/?after=3 200 [0.01, x]"))
    assert quiet.filter(record("HTTP GET /desk/ 200 [0.01, 127.0.0.1:5000]"))


def test_request_lines_do_not_reach_the_root_logger_a_second_time():
    assert logging.getLogger("django.channels.server").propagate is False


@pytest.mark.django_db
def test_an_agent_s_403_logs_no_traceback(client, agent, caplog):
    client.force_login(agent.user)
    with caplog.at_level(logging.DEBUG):
        response = client.get("/settings/advanced/chat-channel/")
    assert response.status_code == 403
    assert not [r for r in caplog.records if r.name == "django.request" and r.exc_info]


def test_browsers_asking_for_favicon_ico_get_the_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("img/favicon.svg")


def test_production_urls_load_before_collectstatic(tmp_path):
    """The URLconf asks the manifest storage for nothing at import (a worker starting must not need it)."""
    import os
    import subprocess
    import sys

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "occ.production",
        "SECRET_KEY": "x" * 50,
        "ALLOWED_HOSTS": "localhost",
        "STATIC_ROOT": str(tmp_path),  # empty: no manifest
    }
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); import occ.urls"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr[-2000:]
