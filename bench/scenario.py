"""The database side of a benchmark: the seed and the checks afterwards.

Runs in the benchmark's process with Django set up on the same database
as the server (occ_bench for `bench.run`, pytest's test database for the
smoke test). Seeding writes rows in bulk; the checks read only the truth
the server left in the database and compare it with what the desks got.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import connection, transaction
from django.utils import timezone

ACCOUNT_SID = "AC" + "be" * 16
AUTH_TOKEN = "bench-auth-token-0123456789abcdef"
USER_PREFIX = "bench-agent-"


@dataclass
class Seeded:
    services: list[tuple[int, str]]  # (id, Twilio number)
    agents: dict[int, int]  # agent profile id -> Max interactions
    cookies: list[str]  # one session cookie per agent
    outbound: list[tuple[int, str, str, str]] = field(
        default_factory=list
    )  # (message id, sid, to, customer)


def reset() -> None:
    """Remove every row a previous benchmark left (interactions, agents, services)."""
    from agents.models import AgentProfile
    from services.models import Service

    tables = [
        "interactions_message",
        "interactions_assignmentevent",
        "interactions_interaction",
        "interactions_contact",
    ]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")
        else:
            for table in tables:
                cursor.execute(f"DELETE FROM {table}")
    AgentProfile.objects.filter(user__username__startswith=USER_PREFIX).delete()
    get_user_model().objects.filter(username__startswith=USER_PREFIX).delete()
    Session.objects.all().delete()
    Service.objects.filter(name__startswith="Bench ").delete()


def service_number(index: int) -> str:
    return f"+3902{index:08d}"


def customer_number(index: int) -> str:
    return f"+39333{index:07d}"


@transaction.atomic
def seed(*, agents: int, services: int, max_interactions: int, outbound: int = 0) -> Seeded:
    """A WhatsApp-ready account, services, online agents with caps and sessions, outbound messages."""
    from agents.models import AgentProfile, Presence
    from interactions.models import (
        Contact,
        Direction,
        Interaction,
        InteractionState,
        Message,
        MessageStatus,
    )
    from services.models import Service
    from settings.models import ChatChannelSettings

    config = ChatChannelSettings.load()
    config.whatsapp_enabled = True
    config.account_sid = ACCOUNT_SID
    config.set_auth_token(AUTH_TOKEN)
    config.save()

    made = [
        Service.objects.create(
            name=f"Bench {index}",
            chat_enabled=True,
            whatsapp_enabled=True,
            twilio_number=service_number(index),
        )
        for index in range(services)
    ]
    User = get_user_model()
    users = User.objects.bulk_create(
        [
            User(username=f"{USER_PREFIX}{index:05d}", password="!bench-no-login")
            for index in range(agents)
        ]
    )
    profiles = AgentProfile.objects.bulk_create(
        [
            AgentProfile(
                user=user, chat_enabled=True, whatsapp_enabled=True,
                max_interactions=max_interactions, presence=Presence.ONLINE,
            )
            for user in users
        ]
    )  # fmt: skip
    through = AgentProfile.services.through
    through.objects.bulk_create(
        [
            through(agentprofile_id=p.pk, service_id=made[i % services].pk)
            for i, p in enumerate(profiles)
        ]
    )

    # Logged-in sessions, as the login page would leave them.
    store = SessionStore()
    sessions, cookies = [], []
    expires = timezone.now() + timedelta(days=1)
    for user in users:
        key = secrets.token_hex(16)
        data = store.encode(
            {
                SESSION_KEY: str(user.pk),
                BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
                HASH_SESSION_KEY: user.get_session_auth_hash(),
            }
        )
        sessions.append(Session(session_key=key, session_data=data, expire_date=expires))
        cookies.append(f"sessionid={key}")
    Session.objects.bulk_create(sessions)

    # Replies already sent (in closed conversations) for the status callbacks.
    sent = []
    if outbound:
        now = timezone.now()
        contacts = Contact.objects.bulk_create(
            [Contact(address=customer_number(900000 + i), name="History") for i in range(outbound)]
        )
        interactions = Interaction.objects.bulk_create(
            [
                Interaction(
                    service=made[i % services], contact=contact, state=InteractionState.CLOSED,
                    agent=profiles[i % agents], closed_at=now, last_inbound_at=now,
                )
                for i, contact in enumerate(contacts)
            ]
        )  # fmt: skip
        messages = Message.objects.bulk_create(
            [
                Message(
                    interaction=interaction, direction=Direction.OUTBOUND, provider_id=f"SM{0xF0000000 + i:032x}",
                    body="Thank you", status=MessageStatus.ACCEPTED,
                )
                for i, interaction in enumerate(interactions)
            ]
        )  # fmt: skip
        sent = [
            (m.pk, m.provider_id, made[i % services].twilio_number, contacts[i].address)
            for i, m in enumerate(messages)
        ]
    return Seeded(
        services=[(s.pk, s.twilio_number) for s in made],
        agents={p.pk: p.max_interactions for p in profiles},
        cookies=cookies,
        outbound=sent,
    )


def close_oldest_until_drained(*, threads: int = 4, limit: int = 100000) -> int:
    """Agents finish their oldest conversations until no interaction waits; returns how many closed.

    Each close frees a place and drains the queue at once (the action does),
    so the queue empties in its own order. Several threads close at once, as
    several agents would.
    """
    import threading

    from django.db import connection

    from interactions.actions import lifecycle
    from interactions.models import Interaction, InteractionState

    def close_all(pks: list[int]) -> None:
        try:
            for pk in pks:
                lifecycle.close_interaction(pk)
        finally:
            connection.close()  # this thread's own connection

    closed = 0
    while closed < limit:
        waiting = Interaction.objects.filter(state=InteractionState.QUEUED).count()
        if not waiting:
            return closed
        batch = list(
            Interaction.objects.filter(state=InteractionState.ASSIGNED)
            .order_by("assigned_at", "pk")
            .values_list("pk", flat=True)[:waiting]
        )
        if not batch:
            return closed
        workers = [
            threading.Thread(target=close_all, args=(batch[i::threads],)) for i in range(threads)
        ]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        closed += len(batch)
    return closed


# --- the checks ------------------------------------------------------------------------


@dataclass
class Checks:
    sent_unique: int = 0
    unacknowledged: int = 0
    stored: int = 0
    lost: int = 0
    duplicated_rows: int = 0
    live: int = 0
    by_resync: int = 0
    undelivered: int = 0
    duplicated_pushes: int = 0
    over_cap: int = 0
    max_open_seen: int = 0
    queued_left: int = 0
    fifo_violations: int = 0
    statuses_final: int = 0
    statuses_expected: int = 0
    examples: list[str] = field(default_factory=list)

    @property
    def correct(self) -> bool:
        return not (
            self.unacknowledged or self.lost or self.duplicated_rows or self.undelivered or self.duplicated_pushes
            or self.over_cap or self.queued_left or self.fifo_violations
            or self.statuses_final != self.statuses_expected
        )  # fmt: skip


def check(
    sent_sids: set[str],
    acknowledged: set[str],
    receipts,
    caps: dict[int, int],
    *,
    expect_read: set[int] = frozenset(),
) -> Checks:
    """Compare the database with what was sent and what the desks received.

    Lost means answered 200 and not stored: a webhook never acknowledged is
    Twilio's to retry, and is counted apart.
    """
    from interactions.models import (
        AssignmentEvent,
        Direction,
        Interaction,
        InteractionState,
        Message,
    )

    result = Checks(sent_unique=len(sent_sids), unacknowledged=len(sent_sids - acknowledged))
    rows = list(
        Message.objects.filter(direction=Direction.INBOUND, provider_id__in=sent_sids).values_list(
            "provider_id", "interaction_id", "created_at"
        )
    )
    result.stored = len(rows)
    counts: dict[str, int] = defaultdict(int)
    for sid, _iid, _at in rows:
        counts[sid] += 1
    result.duplicated_rows = sum(n - 1 for n in counts.values() if n > 1)
    missing = (sent_sids & acknowledged) - counts.keys()
    result.lost = len(missing)
    result.examples += [f"lost {sid}" for sid in sorted(missing)[:3]]

    owners = dict(
        Interaction.objects.filter(pk__in={iid for _s, iid, _a in rows}).values_list(
            "pk", "agent_id"
        )
    )
    assigned_at = dict(
        Interaction.objects.filter(pk__in=owners.keys()).values_list("pk", "assigned_at")
    )
    for sid, iid, created_at in rows:
        agent = owners.get(iid)
        got = [a for a, _t in receipts.message_created.get(sid, [])]
        if got.count(agent) > 1:
            result.duplicated_pushes += got.count(agent) - 1
        if agent is not None and agent in got:
            result.live += 1
        elif (
            agent is not None
            and agent in receipts.assigned.get(iid, [])
            and (assigned_at.get(iid) is None or created_at <= assigned_at[iid])
        ):
            # Arrived while the interaction waited: the agent's desk loads it on assignment.
            result.by_resync += 1
        else:
            result.undelivered += 1
            if len(result.examples) < 6:
                result.examples.append(
                    f"undelivered {sid} (interaction {iid}, agent {agent}, got {got})"
                )

    # Max interactions, replayed over the whole history of assignments.
    open_now: dict[int, int] = defaultdict(int)
    holder: dict[int, int] = {}
    for kind, iid, agent in AssignmentEvent.objects.order_by("id").values_list(
        "kind", "interaction_id", "agent_id"
    ):
        if kind in (AssignmentEvent.Kind.ASSIGNED, AssignmentEvent.Kind.TRANSFERRED):
            if iid in holder:
                open_now[holder[iid]] -= 1
            holder[iid] = agent
            open_now[agent] += 1
            result.max_open_seen = max(result.max_open_seen, open_now[agent])
            if agent in caps and open_now[agent] > caps[agent]:
                result.over_cap += 1
        elif kind in (AssignmentEvent.Kind.CLOSED, AssignmentEvent.Kind.REQUEUED) and iid in holder:
            open_now[holder.pop(iid)] -= 1

    result.queued_left = Interaction.objects.filter(state=InteractionState.QUEUED).count()
    result.fifo_violations = _fifo_violations()

    if expect_read:
        result.statuses_expected = len(expect_read)
        result.statuses_final = Message.objects.filter(pk__in=expect_read, status="read").count()
    return result


def _fifo_violations() -> int:
    """Interactions that waited in a queue and were served before an older one of the same service.

    An interaction "waited" when it was not assigned in the transaction that
    created it (its assignment is later than its place in the queue). Those
    were committed long before the drains that served them, and each
    service's drains hold the same agents' row locks, so they must come out
    exactly oldest first.
    """
    from interactions.models import AssignmentEvent

    last: dict[int, tuple] = {}
    violations = 0
    events = (
        AssignmentEvent.objects.filter(kind=AssignmentEvent.Kind.ASSIGNED)
        .order_by("id")
        .values_list(
            "interaction_id",
            "at",
            "interaction__service_id",
            "interaction__queued_at",
            "interaction__queue_order",
        )
    )
    seen: set[int] = set()
    for iid, at, service_id, queued_at, queue_order in events:
        if iid in seen or at == queued_at:
            continue  # served at once (or a later re-assignment)
        seen.add(iid)
        # Arrival order is the place numbered under the service's lock (queue_order), which is
        # the order routing serves; queued_at is stamped before the lock is taken.
        key = (queue_order, iid)
        if service_id in last and key < last[service_id]:
            violations += 1
        else:
            last[service_id] = key
    return violations
