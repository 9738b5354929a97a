"""Max interactions holds when many webhooks arrive at the same moment in several processes.

Against PostgreSQL (row locks are the point): OS processes, each with several
threads, post signed webhooks through the real view while threads of this
process call receive_inbound and close interactions. Every message is
delivered twice (Twilio's retries), from different workers.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.db import connection, connections
from django.db.models import Count

from interactions.actions.inbound import InboundMessage, receive_inbound
from interactions.actions.lifecycle import close_interaction
from interactions.models import Interaction, Message
from tests.conftest import AUTH_TOKEN, SERVICE_NUMBER

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
PROCESSES = 3
THREADS_PER_PROCESS = 3
LOCAL_THREADS = 3
CUSTOMERS = 30
MESSAGES_PER_CUSTOMER = 2


def webhook(customer: int, n: int) -> dict:
    sid = f"SM{customer:016x}{n:016x}"
    number = f"+39333{customer:07d}"
    return {
        "MessageSid": sid,
        "SmsSid": sid,
        "AccountSid": "AC" + "0" * 32,
        "From": f"whatsapp:{number}",
        "To": f"whatsapp:{SERVICE_NUMBER}",
        "Body": f"message {n} of customer {customer}",
        "NumMedia": "0",
        "ProfileName": f"Customer {customer}",
        "WaId": number[1:],
    }


def database_url_for_workers() -> str:
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path="/" + connection.settings_dict["NAME"]))


def start_worker(messages: list[dict]) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "occ.settings",
        "DATABASE_URL": database_url_for_workers(),
        "LOG_LEVEL": "WARNING",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.interactions.concurrent_worker"],
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    process.stdin.write(
        json.dumps({"threads": THREADS_PER_PROCESS, "messages": messages, "auth_token": AUTH_TOKEN})
        + "\n"
    )
    process.stdin.flush()
    return process


def test_cap_holds_and_every_message_is_stored_once(service, make_agent, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    agents = [make_agent(f"agent{i}", max_interactions=cap) for i, cap in enumerate([1, 2, 3, 2])]
    all_messages = [webhook(c, n) for c in range(CUSTOMERS) for n in range(MESSAGES_PER_CUSTOMER)]
    # Each message twice, by two different workers: Twilio's retries racing.
    per_worker: list[list[dict]] = [[] for _ in range(PROCESSES + 1)]
    for index, message in enumerate(all_messages):
        per_worker[index % (PROCESSES + 1)].append(message)
        per_worker[(index + 1) % (PROCESSES + 1)].append(message)
    local_messages = per_worker.pop()

    processes = [start_worker(messages) for messages in per_worker]
    for process in processes:
        assert process.stdout.readline().strip() == "ready"

    barrier = threading.Barrier(LOCAL_THREADS + 1)
    errors: list[BaseException] = []

    def receive_locally(messages: list[dict]) -> None:
        try:
            barrier.wait()
            for params in messages:
                receive_inbound(
                    service,
                    InboundMessage(
                        channel="whatsapp",
                        address=params["From"].removeprefix("whatsapp:"),
                        provider_id=params["MessageSid"],
                        body=params["Body"],
                        name=params["ProfileName"],
                    ),
                )
                # Free capacity while others route: closes drain the queue concurrently.
                open_one = (
                    Interaction.objects.filter(state="assigned")
                    .order_by("?")
                    .values_list("pk", flat=True)
                    .first()
                )
                if open_one and params["MessageSid"].endswith("1"):
                    close_interaction(open_one)
        except BaseException as exc:  # reported below, with the others
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=receive_locally, args=(local_messages[i::LOCAL_THREADS],))
        for i in range(LOCAL_THREADS)
    ]
    for thread in threads:
        thread.start()
    for process in processes:
        process.stdin.write("go\n")
        process.stdin.flush()
    barrier.wait()
    for thread in threads:
        thread.join()
    outcomes = [json.loads(process.stdout.readline()) for process in processes]
    for process in processes:
        assert process.wait(timeout=120) == 0

    assert errors == []
    assert all(set(outcome) == {"200"} for outcome in outcomes), outcomes
    # Every message exactly once.
    assert Message.objects.count() == len(all_messages)
    assert sorted(Message.objects.values_list("provider_id", flat=True)) == sorted(
        m["MessageSid"] for m in all_messages
    )
    # Nobody over Max interactions.
    held = dict(
        Interaction.objects.filter(state="assigned").values_list("agent").annotate(n=Count("id"))
    )
    for agent in agents:
        assert held.get(agent.pk, 0) <= agent.max_interactions
    # No stuck queue: an interaction waits only while every agent is full.
    if Interaction.objects.filter(state="queued").exists():
        assert all(held.get(agent.pk, 0) == agent.max_interactions for agent in agents)
    # One open interaction per customer at most (also a database constraint).
    open_per_contact = (
        Interaction.objects.filter(state__in=["queued", "assigned"])
        .values("contact")
        .annotate(n=Count("id"))
    )
    assert all(row["n"] == 1 for row in open_per_contact)
