"""PostgreSQL fast path of `actions.inbound.receive_inbound`: a message in a conversation already open.

Most inbound messages continue a conversation that already has its agent
(or its place in the queue). For those the general path in
`actions.inbound` costs six round trips and as many ORM queries (lock
the contact, lock the interaction, update it, insert the message, begin,
commit); on PostgreSQL this module does the same work in one statement:

    find the contact (by channel and address)
    → update its open interaction with this service (last_inbound_at,
      version + 1), which locks that row
    → insert the message pointing at it
    → return both rows.

Why it is as safe as the general path:
- The UPDATE locks the interaction's row, so two messages of one
  conversation are still applied one after the other; and it holds no
  other lock, so it cannot take part in a deadlock with the operations
  that lock contact → interaction → agents.
- Under READ COMMITTED, an UPDATE that waited for a concurrent close or
  transfer re-checks its WHERE on the row as committed: a conversation
  closed meanwhile matches no row, nothing is written, and the caller
  falls back to the general path, which opens a new interaction.
- A repeated MessageSid fails the message's unique constraint, which
  undoes the whole statement: the caller's IntegrityError handling is the
  same as on the general path.

It returns None (and has written nothing) whenever the general path must
decide: a new customer, no open conversation with this service, or a
profile name, WhatsApp id, username or number that changed and must be saved on the contact.
"""

from __future__ import annotations

import functools
from datetime import datetime

from django.db import connection

from interactions.fastpaths.rows import columns, message_insert, message_params, model_instance
from interactions.models import OPEN_STATES, PROFILE_FIELDS, Contact, Interaction, Message


@functools.cache
def _statement() -> str:
    qn = connection.ops.quote_name
    interaction_columns = ", ".join(f"i.{qn(column)}" for column in columns(Interaction))
    open_states = ", ".join(f"'{state.value}'" for state in OPEN_STATES)
    # A profile field sent and different from the stored one: the general path saves it.
    profile_unchanged = " ".join(
        f"AND (%({name})s = '' OR {qn(name)} = %({name})s)" for name in PROFILE_FIELDS
    )
    return f"""
        WITH contact AS (
            SELECT id FROM {qn(Contact._meta.db_table)}
            WHERE channel = %(channel)s AND address = %(address)s
              AND (%(name)s = '' OR profile_name = %(name)s)
              {profile_unchanged}
        ), interaction AS (
            UPDATE {qn(Interaction._meta.db_table)} AS i
            SET last_inbound_at = %(now)s, version = i.version + 1
            FROM contact
            WHERE i.contact_id = contact.id AND i.state IN ({open_states})
              AND (i.service_id = %(service_id)s OR i.origin_service_id = %(service_id)s)
            RETURNING {interaction_columns}
        ), message AS (
            {message_insert("interaction")}
        )
        SELECT interaction.*, message.* FROM interaction, message
    """


def append_to_open_interaction(
    service_id: int, inbound, now: datetime
) -> tuple[Interaction, Message] | None:
    """Store `inbound` in its open conversation with the service; None if there is none.

    That conversation may have been transferred to another service's queue
    (`Interaction.origin_service`): the customer still writes to this number.

    PostgreSQL only (SQLite has no data-modifying WITH). Call inside the
    transaction that will also record the message's events.
    """
    params = {**message_params(inbound, now), "service_id": service_id}
    with connection.cursor() as cursor:
        cursor.execute(_statement(), params)
        row = cursor.fetchone()
    if row is None:
        return None
    split = len(Interaction._meta.concrete_fields)
    return model_instance(Interaction, row[:split]), model_instance(Message, row[split:])
