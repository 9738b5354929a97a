"""True queue positions and first-come-first-served order under simultaneous first messages.

PostgreSQL, two OS processes posting signed webhooks through the real view
from several threads each, all released at once: N new customers write to
a service whose one agent takes one conversation at a time. The first to
take the service's queue lock gets the agent; every other customer is told
(the automatic queued message, as stored and sent) the position they really
hold; the agent then serves them in the same order.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest
from django.db import connections

from interactions.actions.lifecycle import close_interaction
from interactions.models import AssignmentEvent, Interaction, Message
from tests.conftest import AUTH_TOKEN
from tests.interactions.test_concurrency_postgres import ROOT, database_url_for_workers, webhook

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

WORKERS = 2
POSITION = re.compile(r"number (\d+) in the queue")


def start_worker(messages: list[dict], threads: int) -> subprocess.Popen:
    """A process posting `messages` from `threads` threads released together (concurrent_worker)."""
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
    job = {"threads": threads, "messages": messages, "auth_token": AUTH_TOKEN}
    process.stdin.write(json.dumps(job) + "\n")
    process.stdin.flush()
    return process


@pytest.mark.parametrize("customers", [10, 30, 100])
def test_positions_are_a_permutation_in_arrival_order_and_service_follows_it(
    service, make_agent, customers
):
    service.queue_position_reply = True
    service.save()
    agent = make_agent("solo", max_interactions=1)
    messages = [webhook(c, 0) for c in range(customers)]
    # Up to 10 threads per process (20 connections at once): each posts its share back to back.
    threads = min(10, customers // WORKERS)
    processes = [start_worker(messages[i::WORKERS], threads) for i in range(WORKERS)]
    for process in processes:
        assert process.stdout.readline().strip() == "ready"
    for process in processes:
        process.stdin.write("go\n")
        process.stdin.flush()
    outcomes = [process.stdout.readline() for process in processes]
    for process in processes:
        assert process.wait(timeout=300) == 0
    assert all('"200"' in outcome for outcome in outcomes), outcomes
    connections.close_all()

    interactions = list(Interaction.objects.filter(service=service).order_by("queue_order"))
    assert len(interactions) == customers
    # Arrival order: the order values given under the service's lock, 1..N.
    assert [i.queue_order for i in interactions] == list(range(1, customers + 1))
    first, *waiting = interactions
    assert first.state == "assigned" and first.agent_id == agent.pk
    assert all(i.state == "queued" for i in waiting)

    told = {}
    for message in Message.objects.filter(direction="out", extras__automatic="queued"):
        match = POSITION.search(message.body)
        assert match, message.body
        told[message.interaction_id] = int(match.group(1))
    # Everyone waiting told exactly once, and the positions are 1..N-1 in arrival order.
    assert sorted(told) == sorted(i.pk for i in waiting)
    assert [told[i.pk] for i in waiting] == list(range(1, customers))

    # The agent serves one at a time: each close hands over the next in arrival order.
    served = [first.pk]
    for _ in waiting:
        close_interaction(served[-1])
        served.append(Interaction.objects.get(agent=agent, state="assigned").pk)
    assert served == [i.pk for i in interactions]
    assigned_order = list(
        AssignmentEvent.objects.filter(kind="assigned", interaction__service=service)
        .order_by("at", "pk")
        .values_list("interaction_id", flat=True)
    )
    assert assigned_order == [i.pk for i in interactions]
