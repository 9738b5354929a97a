"""PostgreSQL fast path of `actions.inbound.receive_inbound`: a new customer's first message.

A message from an address never seen before costs the general path in
`actions.inbound` eight round trips before routing even starts (look
for the contact, a savepoint, insert it, release, look for an open
interaction, insert it, its "queued" event, the message). On PostgreSQL
this module does the same writes in one statement:

    insert the contact, unless its address exists (ON CONFLICT DO NOTHING)
    → insert its interaction with the service, queued
    → insert the interaction's "queued" event
    → insert the message
    → return the three rows.

Why it is as safe as the general path:
- The contact's unique address decides. If the contact exists, or another
  transaction is inserting it at this moment (the INSERT waits for that
  one to finish), nothing is written and None is returned: the general
  path then locks the existing contact, exactly as before.
- A new contact has no interaction yet, and no other transaction can see
  the uncommitted contact to open one, so no open-interaction lock is
  needed.
- A repeated MessageSid fails the message's unique constraint, which
  undoes the whole statement, contact included: the caller's
  IntegrityError handling is the same as on the general path.

Routing the new interaction stays with `actions.inbound`, in the same
transaction.
"""

from __future__ import annotations

import functools
from datetime import datetime

from django.db import connection

from interactions.fastpaths.rows import (
    columns,
    insert_values,
    message_insert,
    message_params,
    model_instance,
)
from interactions.models import (
    PROFILE_FIELDS,
    AssignmentEvent,
    Contact,
    Interaction,
    InteractionState,
    Message,
)


@functools.cache
def _statement() -> str:
    qn = connection.ops.quote_name
    contact_columns = ", ".join(qn(column) for column in columns(Contact))
    interaction_columns = ", ".join(qn(column) for column in columns(Interaction))
    contact_names, contact_values = insert_values(
        Contact,
        {
            "channel": "%(channel)s",
            "address": "%(address)s",
            "name": "%(name)s",
            "profile_name": "%(name)s",
            **{name: f"%({name})s" for name in PROFILE_FIELDS},
            "language": "''",
            "note": "''",
            "attributes": "'{}'::jsonb",
            "created_at": "%(now)s",
            "updated_at": "%(now)s",
        },
    )
    interaction_names, interaction_values = insert_values(
        Interaction,
        {
            "service_id": "%(service_id)s",
            "contact_id": "contact.id",
            "channel": "%(channel)s",
            "state": f"'{InteractionState.QUEUED.value}'",
            "agent_id": "NULL",
            "created_at": "%(now)s",
            "queued_at": "%(now)s",
            "queue_order": "0",
            "assigned_at": "NULL",
            "first_assigned_at": "NULL",
            "first_reply_at": "NULL",
            "closed_at": "NULL",
            "closed_by_id": "NULL",
            "assignment_reason": "''",
            "last_inbound_at": "%(now)s",
            "version": "0",
            "close_reason_id": "NULL",
            "wrap_up_note": "''",
            "origin_service_id": "NULL",
            "watched_until": "NULL",
        },
    )
    event_names, event_values = insert_values(
        AssignmentEvent,
        {
            "interaction_id": "interaction.id",
            "kind": f"'{AssignmentEvent.Kind.QUEUED.value}'",
            "agent_id": "NULL",
            "actor_id": "NULL",
            "reason": "''",
            "note": "''",
            "at": "%(now)s",
        },
    )
    return f"""
        WITH contact AS (
            INSERT INTO {qn(Contact._meta.db_table)} ({contact_names})
            VALUES ({contact_values})
            ON CONFLICT (channel, address) DO NOTHING
            RETURNING {contact_columns}
        ), interaction AS (
            INSERT INTO {qn(Interaction._meta.db_table)} ({interaction_names})
            SELECT {interaction_values}
            FROM contact
            RETURNING {interaction_columns}
        ), queued AS (
            INSERT INTO {qn(AssignmentEvent._meta.db_table)} ({event_names})
            SELECT {event_values}
            FROM interaction
        ), message AS (
            {message_insert("interaction")}
        )
        SELECT contact.*, interaction.*, message.* FROM contact, interaction, message
    """


def open_for_new_contact(service_id: int, inbound, now: datetime):
    """(contact, interaction, message) stored for a new customer, or None if the address is known.

    PostgreSQL only. The interaction is queued and not yet routed: call
    inside the transaction that routes it.
    """
    with connection.cursor() as cursor:
        cursor.execute(_statement(), {**message_params(inbound, now), "service_id": service_id})
        row = cursor.fetchone()
    if row is None:
        return None
    contact_end = len(Contact._meta.concrete_fields)
    interaction_end = contact_end + len(Interaction._meta.concrete_fields)
    contact = model_instance(Contact, row[:contact_end])
    interaction = model_instance(Interaction, row[contact_end:interaction_end])
    message = model_instance(Message, row[interaction_end:])
    return contact, interaction, message
