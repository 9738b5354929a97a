"""Search and history at scale: `python -m bench.search` (docs/benchmarks.md, "Search and history").

Seeds PostgreSQL with generate_series (by default 1,000,000 messages over
100,000 contacts and 200,000 conversations; `--scale 0.1` for a tenth),
then times, in this process and through the same selectors the desk and the
API call, the server time of:

- search by a contact's name, by part of a number, by a common word, by a
  rare word, and by a label (target: p95 <= 150 ms);
- the desk's Closed view of an agent, and the history of a contact with
  1,000 past conversations (target: <= 100 ms);

and prints p50/p95 of each with the EXPLAIN (ANALYZE, BUFFERS) plan of one
run. It wipes the conversations, contacts, labels and close reasons of the
database it is given (DATABASE_URL, default the local occ_search): never
point it at one whose data you want.
"""

from __future__ import annotations

import argparse
import importlib
import os
import random
import statistics
import sys
import time

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/occ_search"

# Words of the seeded messages: English and Italian, some accented. "order"
# is in about one message in six; "zanzibar" in one in 10,000.
WORDS = (
    "hello ciao thanks grazie please per favore when quando where dove my mio the il "
    "delivery consegna package pacco late ritardo today oggi tomorrow domani invoice fattura "
    "payment pagamento card carta refund rimborso address indirizzo change cambiare help aiuto "
    "account conto password problem problema still ancora waiting aspetto why perché città "
    "número shop negozio return reso size taglia colour colore price prezzo discount sconto "
    "tracking spedizione phone telefono email store open aperto closed chiuso"
).split()
FIRST = "Maria Luca Giulia Marco Sofia Matteo Chiara Niccolò Anna Paolo Ilaria José Zoë Luís Emma".split()
LAST = "Rossi Bianchi Ferrari Esposito Romano Colombo Ricci Marino Greco Bruno Gallo Conti Costa Mancini Lombardi".split()


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="python -m bench.search", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--scale", type=float, default=1.0, help="1.0: 1M messages (default)")
    parser.add_argument(
        "--runs", type=int, default=30, help="timed runs of each query (0: only the plans)"
    )
    parser.add_argument("--no-seed", action="store_true", help="reuse what a previous run seeded")
    return parser.parse_args(argv)


def setup_django():
    os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
    if not os.environ["DATABASE_URL"].startswith(("postgres://", "postgresql://")):
        sys.exit("bench.search needs PostgreSQL: set DATABASE_URL=postgresql://...")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "occ.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def sql(statement: str, params=None):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def seed(scale: float) -> dict:
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from agents.models import AgentProfile, Presence
    from interactions.models import (
        AssignmentEvent,
        CloseReason,
        Contact,
        Interaction,
        Label,
        Message,
    )
    from services.models import Service

    contacts = max(1000, int(100_000 * scale))
    interactions = max(2000, int(200_000 * scale))
    messages = max(10_000, int(1_000_000 * scale))
    history = 1000  # conversations of contact #1 (the history case)
    migration = importlib.import_module("interactions.migrations.0004_contact_panel_and_search")
    t0 = time.perf_counter()
    with transaction.atomic():
        sql(
            "TRUNCATE interactions_message, interactions_interaction_labels, "
            "interactions_assignmentevent, interactions_interaction, interactions_contact, "
            "interactions_label, interactions_closereason RESTART IDENTITY CASCADE"
        )
        # The search indexes are built once after the rows, not row by row.
        for name in ("message_body_fts", "contact_name_trgm", "contact_address_trgm"):
            sql(f"DROP INDEX IF EXISTS {name}")
        User = get_user_model()
        services = [
            Service.objects.get_or_create(
                name=f"Bench service {i}", defaults={"twilio_number": f"+1555000{i:04d}"}
            )[0]
            for i in range(5)
        ]
        agents = []
        for i in range(50):
            user = User.objects.get_or_create(username=f"bench-agent-{i}")[0]
            profile = AgentProfile.objects.get_or_create(
                user=user, defaults={"presence": Presence.OFFLINE}
            )[0]
            agents.append(profile)
        labels = [Label.objects.create(name=f"label-{i}") for i in range(10)]
        reasons = [CloseReason.objects.create(name=f"reason-{i}") for i in range(4)]
        columns, values, defaults = defaults_sql(
            Contact,
            "channel, address, name, profile_name, external_id, language, note, attributes, "
            "created_at, updated_at",
            "contact",
        )
        sql(
            f"""
            INSERT INTO interactions_contact
                (channel, address, name, profile_name, external_id, language, note, attributes,
                 created_at, updated_at{columns})
            SELECT 'whatsapp', '+39' || lpad(i::text, 10, '0'),
                   (%(first)s::text[])[1 + i %% 15] || ' ' || (%(last)s::text[])[1 + (i / 15) %% 15] || ' ' || i,
                   (%(first)s::text[])[1 + (i / 7) %% 15], '', '', '', '{{}}'::jsonb, now(), now(){values}
            FROM generate_series(1, %(n)s) AS i
            """,
            {"first": FIRST, "last": LAST, "n": contacts, **defaults},
        )
        first_service = services[0].pk
        service_ids = [s.pk for s in services]
        agent_ids = [a.pk for a in agents]
        reason_ids = [r.pk for r in reasons]
        # Conversation i: contact 1 for the first `history` ones, then round the others;
        # all closed, two minutes apart, newest last.
        columns, values, defaults = defaults_sql(
            Interaction,
            "service_id, contact_id, channel, state, agent_id, created_at, queued_at, "
            "assigned_at, first_reply_at, closed_at, closed_by_id, assignment_reason, "
            "last_inbound_at, version, close_reason_id, wrap_up_note",
            "interaction",
        )
        sql(
            f"""
            INSERT INTO interactions_interaction
                (service_id, contact_id, channel, state, agent_id, created_at, queued_at,
                 assigned_at, first_reply_at, closed_at, closed_by_id, assignment_reason,
                 last_inbound_at, version, close_reason_id, wrap_up_note{columns})
            SELECT CASE WHEN i <= %(history)s THEN %(first_service)s
                        ELSE (%(services)s::bigint[])[1 + i %% 5] END,
                   CASE WHEN i <= %(history)s THEN 1 ELSE 2 + i %% (%(contacts)s - 1) END,
                   'whatsapp', 'closed', (%(agents)s::bigint[])[1 + i %% 50],
                   t, t, t, t + interval '1 minute', t + interval '20 minutes', NULL, '',
                   t, 3, (%(reasons)s::bigint[])[1 + i %% 4], ''{values}
            FROM generate_series(1, %(n)s) AS i,
                 LATERAL (SELECT now() - (%(n)s - i) * interval '2 minutes' AS t) AS at
            """,
            {
                "history": history,
                "first_service": first_service,
                "services": service_ids,
                "contacts": contacts,
                "agents": agent_ids,
                "reasons": reason_ids,
                "n": interactions,
                **defaults,
            },
        )
        columns, values, defaults = defaults_sql(
            AssignmentEvent, "interaction_id, kind, agent_id, actor_id, reason, at", "event"
        )
        sql(
            f"""
            INSERT INTO interactions_assignmentevent
                (interaction_id, kind, agent_id, actor_id, reason, at{columns})
            SELECT id, 'assigned', agent_id, NULL, 'bench', assigned_at{values}
            FROM interactions_interaction
            """,
            defaults,
        )
        sql(
            """
            INSERT INTO interactions_interaction_labels (interaction_id, label_id)
            SELECT id, (%(labels)s::bigint[])[1 + (id / 5) %% 10]
            FROM interactions_interaction WHERE id %% 5 = 0
            """,
            {"labels": [label.pk for label in labels]},
        )
        # Message j belongs to conversation 1 + (j - 1) * n / m: consecutive ones, five each
        # at full size, a minute apart from the conversation's start.
        columns, values, defaults = defaults_sql(
            Message,
            "interaction_id, direction, provider_id, body, attachments, template_id, "
            "template_variables, status, error_code, error_message, payload, extras, sender_id, "
            "send_key, send_attempts, next_attempt_at, created_at, status_updated_at",
            "message",
        )
        sql(
            f"""
            INSERT INTO interactions_message
                (interaction_id, direction, provider_id, body, attachments, template_id,
                 template_variables, status, error_code, error_message, payload, extras, sender_id,
                 send_key, send_attempts, next_attempt_at, created_at, status_updated_at{columns})
            SELECT 1 + ((j - 1)::bigint * %(n)s) / %(m)s,
                   CASE WHEN j %% 2 = 0 THEN 'in' ELSE 'out' END, NULL,
                   (SELECT string_agg((%(words)s::text[])[1 + ((j::bigint * 7919 + k * 104729) %% %(nwords)s)], ' ')
                    FROM generate_series(1, 6 + j %% 5) AS k)
                   || CASE WHEN j %% 10000 = 17 THEN ' zanzibar' ELSE '' END
                   || CASE WHEN j %% 6 = 1 THEN ' order' ELSE '' END,
                   '[]'::jsonb, '', '{{}}'::jsonb,
                   CASE WHEN j %% 2 = 0 THEN 'received' ELSE 'delivered' END, '', '',
                   '{{}}'::jsonb, '{{}}'::jsonb, NULL, gen_random_uuid(), 0, NULL,
                   now() - (%(n)s - 1 - ((j - 1)::bigint * %(n)s) / %(m)s) * interval '2 minutes'
                         + ((j - 1) %% 5) * interval '1 minute', now(){values}
            FROM generate_series(1, %(m)s) AS j
            """,
            {"n": interactions, "m": messages, "words": WORDS, "nwords": len(WORDS), **defaults},
        )
        sql(
            "SET CONSTRAINTS ALL IMMEDIATE"
        )  # the deferred foreign keys checked now, before the indexes
        sql("SET LOCAL maintenance_work_mem = '256MB'")
        for statement in migration._INDEXES:
            sql(statement)
    with connection.cursor() as cursor:
        cursor.execute(
            "ANALYZE interactions_message; ANALYZE interactions_interaction; "
            "ANALYZE interactions_contact; ANALYZE interactions_interaction_labels; "
            "ANALYZE interactions_assignmentevent"
        )
    return {
        "contacts": contacts,
        "interactions": interactions,
        "messages": messages,
        "seconds": time.perf_counter() - t0,
    }


def defaults_sql(model, named: str, prefix: str) -> tuple[str, str, dict]:
    """The NOT NULL columns of `model` an INSERT below does not name, with their defaults.

    Returns (", col, col", ", %(prefix_0)s, …", params), so a field added to a model later
    does not break the seed (bench.reports does the same).
    """
    from bench.reports import _defaults_for

    given = {name.strip() for name in named.replace("\n", " ").split(",")}
    columns, values = _defaults_for(model, given)
    params = {f"{prefix}_{i}": value for i, value in enumerate(values)}
    return (
        "".join(f", {c}" for c in columns),
        "".join(f", %({key})s" for key in params),
        params,
    )


def timed(runs: int, make_call):
    """[ms] of `runs` calls; make_call(i) returns the call to time (so each run may differ)."""
    out = []
    for i in range(runs):
        call = make_call(i)
        t = time.perf_counter()
        call()
        out.append((time.perf_counter() - t) * 1000)
    return out


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def explain(queryset) -> str:
    from django.db import connection

    sql_text, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql_text, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def main(argv=None) -> None:
    args = parse_args(argv if argv is not None else sys.argv[1:])
    setup_django()
    from django.contrib.auth import get_user_model

    from agents.models import AgentProfile
    from interactions import search, selectors
    from interactions.models import Label, Message

    if not args.no_seed:
        sizes = seed(args.scale)
        print(
            f"seeded {sizes['messages']:,} messages, {sizes['interactions']:,} conversations, "
            f"{sizes['contacts']:,} contacts in {sizes['seconds']:.0f} s"
        )
    User = get_user_model()
    supervisor = User.objects.filter(is_staff=True, username="bench-supervisor").first()
    if supervisor is None:
        supervisor = User.objects.create_user("bench-supervisor", is_staff=True)
    agent = AgentProfile.objects.filter(user__username="bench-agent-7").select_related("user").get()
    labels = list(Label.objects.values_list("pk", flat=True))
    rng = random.Random(16)

    def run_search(user, **filters):
        return lambda: search.search(user, search.Filters(**filters))

    cases = {
        "name": lambda i: run_search(
            supervisor, contact=rng.choice(LAST).lower()[:5] + " " + str(rng.randint(2, 9))
        ),
        "number": lambda i: run_search(
            supervisor, contact=f"{rng.randint(100, 999)} {rng.randint(10, 99)}"
        ),
        "common word": lambda i: run_search(supervisor, text="order"),
        "common word, as an agent": lambda i: run_search(agent.user, text="order"),
        "rare word": lambda i: run_search(supervisor, text="zanzibar"),
        "label": lambda i: run_search(supervisor, label_id=rng.choice(labels)),
        "label + common word": lambda i: run_search(
            supervisor, label_id=rng.choice(labels), text="order"
        ),
        "Closed view (agent, page 1)": lambda i: run_search(agent.user, closed_only=True),
        "Closed view (agent, page 20)": lambda i: (
            lambda: search.search(agent.user, search.Filters(closed_only=True), page=20)
        ),
        "contact history (1,000 conversations, all)": lambda i: (
            lambda: list(selectors.contact_history(1))
        ),
        "contact history (1,000 conversations, first 50)": lambda i: (
            lambda: list(selectors.contact_history(1)[:50])
        ),
    }
    for call in (c(0) for c in cases.values()):  # warm the caches once
        call()
    print(f"\n{'case':50} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    results = {}
    for name, make in cases.items() if args.runs > 0 else ():
        values = timed(args.runs, make)
        results[name] = values
        print(
            f"{name:50} {statistics.median(values):8.1f} {pct(values, 95):8.1f} {max(values):8.1f}"
        )

    print("\n--- plans (EXPLAIN ANALYZE of one run) ---")
    message_rows = search._with_body_search(
        Message.objects.filter(
            search.conversation_filter(supervisor, search.Filters(), "interaction__")
        )
    )
    plans = {
        "name": search.matching_contacts("rossi 5"),
        "number": search.matching_contacts("123 45"),
        "common word": message_rows.filter(search._message_matches(["order"])).order_by("-id")[:26],
        "rare word": message_rows.filter(search._message_matches(["zanzibar"])).order_by(
            search._newest_first(["zanzibar"])
        )[:26],
    }
    from interactions.models import Interaction

    plans["name → conversations"] = Interaction.objects.filter(
        search.conversation_filter(supervisor, search.Filters(contact="rossi 5"))
    ).order_by("-pk")[:26]
    plans["label"] = Interaction.objects.filter(
        search.conversation_filter(supervisor, search.Filters(label_id=labels[3]))
    ).order_by("-pk")[:26]
    plans["Closed view"] = Interaction.objects.filter(
        search.conversation_filter(agent.user, search.Filters(closed_only=True))
    ).order_by("-closed_at", "-pk")[:26]
    plans["common word, as an agent"] = (
        search._with_body_search(
            Message.objects.filter(
                search.conversation_filter(
                    agent.user, search.Filters(text="order"), "interaction__"
                )
            )
        )
        .filter(search._message_matches(["order"]))
        .order_by(search._newest_first(["order"]))[:26]
    )
    plans["contact history"] = selectors.contact_history(1)
    for name, queryset in plans.items():
        print(f"\n# {name}\n{explain(queryset)}")


if __name__ == "__main__":
    main()
