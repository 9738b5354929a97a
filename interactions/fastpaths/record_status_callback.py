"""PostgreSQL fast path of `actions.outbound.record_status_callback`: a status that moves a message forward.

Status callbacks are the busiest webhook (three per reply: sent, delivered,
read). The general path (`actions.outbound.record_status`) finds the
message, locks it, updates it and reads it back; on PostgreSQL this module
does the common case in one UPDATE … RETURNING:

- the message is ours (outbound), found by our own id (the `?m=` of its
  StatusCallback URL) or else by Twilio's MessageSid, and carries no other
  MessageSid;
- the new status is later than the stored one (`statuses.should_advance`,
  turned into the list of statuses it may replace, so the rule has one
  home); the UPDATE locks the row and, under READ COMMITTED, re-checks that
  condition after waiting for a concurrent callback: a late "sent" never
  overwrites "delivered".

It returns None (having written nothing) when the status does not move
forward or the message is not found: the caller then takes the general
path, which also records a late error code and logs unknown messages.
"""

from __future__ import annotations

import functools
from datetime import datetime

from django.db import connection

from interactions.fastpaths.rows import model_instance
from interactions.models import Direction, Interaction, Message, MessageStatus, watched
from interactions.statuses import should_advance


@functools.cache
def _statement(by_our_id: bool, status: str) -> str | None:
    """The UPDATE for this new status, or None when it can replace no status."""
    advance_from = [current for current in MessageStatus.values if should_advance(current, status)]
    if not advance_from:
        return None
    qn = connection.ops.quote_name
    message_columns = ", ".join(f"m.{qn(field.column)}" for field in Message._meta.concrete_fields)  # type: ignore[arg-type]  # concrete: has a column
    found_by = "c.id = %(message_id)s" if by_our_id else "c.provider_id = %(provider_id)s"
    statuses = ", ".join(f"'{status}'" for status in advance_from)  # MessageStatus values
    # `current` locks the row first and reads its status as committed (after
    # waiting for a concurrent callback), so the status returned as the
    # previous one is the one this UPDATE replaced.
    return f"""
        WITH current AS (
            SELECT c.id, c.status FROM {qn(Message._meta.db_table)} AS c
            WHERE {found_by}
              AND c.direction = '{Direction.OUTBOUND.value}'
              AND (c.provider_id IS NULL OR c.provider_id IN ('', %(provider_id)s))
            FOR UPDATE
        )
        UPDATE {qn(Message._meta.db_table)} AS m
        SET status = %(status)s,
            status_updated_at = %(now)s,
            provider_id = COALESCE(NULLIF(m.provider_id, ''), %(provider_id)s),
            error_code = CASE WHEN %(error_code)s <> '' THEN %(error_code)s ELSE m.error_code END,
            error_message = CASE WHEN %(error_code)s <> '' THEN %(error_message)s ELSE m.error_message END
        FROM current, {qn(Interaction._meta.db_table)} AS i
        WHERE m.id = current.id
          AND current.status IN ({statuses})
          AND i.id = m.interaction_id
        RETURNING {message_columns}, i.agent_id, i.watched_until, current.status
    """


def advance_status(
    message_id: int | None,
    provider_id: str,
    status: str,
    error_code: str,
    error_message: str,
    now: datetime,
) -> tuple[Message, int | None, bool] | None:
    """(the updated message, the agent holding its conversation, whether it is watched), or None if nothing moved.

    The message carries `previous_status`, the status this statement replaced.
    """
    statement = _statement(message_id is not None, status)
    if statement is None:
        return None
    params = {
        "message_id": message_id,
        "provider_id": provider_id,
        "status": status,
        "now": now,
        "error_code": str(error_code or "")[:16],
        "error_message": (error_message or "")[:500] if error_code else "",
    }
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        row = cursor.fetchone()
    if row is None:
        return None
    message = model_instance(Message, row[:-3])
    message.previous_status = row[-1]
    return message, row[-3], watched(row[-2], now)
