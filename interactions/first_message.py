"""A new customer's first message: one SQL statement stores it.

A message from an address never seen before costs the general path in
`interactions.actions` eight round trips before routing even starts (look
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

Routing the new interaction stays with `interactions.actions`, in the same
transaction.
"""

from __future__ import annotations

import functools
from datetime import datetime

from django.db import connection

from interactions.models import AssignmentEvent, Contact, Interaction, InteractionState, Message
from interactions.ongoing import columns, message_insert, message_params, model_instance


@functools.cache
def _statement() -> str:
    qn = connection.ops.quote_name
    contactcolumns = ", ".join(qn(column) for column in columns(Contact))
    interactioncolumns = ", ".join(qn(column) for column in columns(Interaction))
    return f"""
        WITH contact AS (
            INSERT INTO {qn(Contact._meta.db_table)} (channel, address, name, external_id, created_at, updated_at)
            VALUES (%(channel)s, %(address)s, %(name)s, %(external_id)s, %(now)s, %(now)s)
            ON CONFLICT (channel, address) DO NOTHING
            RETURNING {contactcolumns}
        ), interaction AS (
            INSERT INTO {qn(Interaction._meta.db_table)} (
                service_id, contact_id, channel, state, agent_id, created_at, queued_at, assigned_at,
                first_reply_at, closed_at, closed_by_id, assignment_reason, last_inbound_at, version
            )
            SELECT %(service_id)s, contact.id, %(channel)s, '{InteractionState.QUEUED.value}', NULL, %(now)s,
                   %(now)s, NULL, NULL, NULL, NULL, '', %(now)s, 0
            FROM contact
            RETURNING {interactioncolumns}
        ), queued AS (
            INSERT INTO {qn(AssignmentEvent._meta.db_table)} (interaction_id, kind, agent_id, actor_id, reason, at)
            SELECT interaction.id, '{AssignmentEvent.Kind.QUEUED.value}', NULL, NULL, '', %(now)s
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
