"""Rows in and out of the fast paths' raw SQL, as the ORM would write and read them."""

from __future__ import annotations

import json
import uuid
from datetime import datetime

from django.db import connection

from interactions.models import PROFILE_FIELDS, Direction, Message, MessageStatus


def columns(model) -> list[str]:
    return [field.column for field in model._meta.concrete_fields]


def model_instance(model, values):
    """A model instance from a row of its columns, as the ORM would load it."""
    fields = model._meta.concrete_fields
    loaded = [
        field.from_db_value(value, None, connection) if hasattr(field, "from_db_value") else value
        for field, value in zip(fields, values, strict=True)
    ]
    return model.from_db(connection.alias, [field.attname for field in fields], loaded)


class MissingColumn(LookupError):
    """A model has a column the fast path's INSERT gives no value: add it there (and to the general path)."""


def insert_values(model, values: dict[str, str]) -> tuple[str, str]:
    """(column list, SQL values) for an INSERT of every concrete column of `model` but its id.

    `values` maps each column to its SQL expression. The list comes from the
    model's `_meta`, so a field added to the model and not here raises
    MissingColumn when the statement is built, instead of being written NULL.
    """
    qn = connection.ops.quote_name
    wanted = [column for column in columns(model) if column != model._meta.pk.column]
    missing = sorted(set(wanted) - set(values))
    unknown = sorted(set(values) - set(wanted))
    if missing or unknown:
        raise MissingColumn(f"{model.__name__}: no value for {missing}; not columns: {unknown}")
    return ", ".join(qn(column) for column in wanted), ", ".join(
        values[column] for column in wanted
    )


def message_insert(interaction: str) -> str:
    """INSERT of the inbound message (the `message_params` below) into the
    interaction row named `interaction` in the same WITH, returning the row."""
    qn = connection.ops.quote_name
    names, values = insert_values(
        Message,
        {
            "interaction_id": f"{interaction}.id",
            "direction": "%(direction)s",
            "provider_id": "%(provider_id)s",
            "body": "%(body)s",
            "attachments": "%(attachments)s::jsonb",
            "template_id": "''",
            "template_variables": "'{}'::jsonb",
            "status": "%(status)s",
            "error_code": "''",
            "error_message": "''",
            "payload": "%(payload)s::jsonb",
            "extras": "%(extras)s::jsonb",
            "sender_id": "NULL",
            "send_key": "%(send_key)s",
            "send_attempts": "0",
            "next_attempt_at": "NULL",
            "created_at": "%(now)s",
            "status_updated_at": "%(now)s",
        },
    )
    message_columns = ", ".join(qn(column) for column in columns(Message))
    return f"""INSERT INTO {qn(Message._meta.db_table)} ({names})
            SELECT {values}
            FROM {interaction}
            RETURNING {message_columns}"""


def message_params(inbound, now: datetime) -> dict:
    """The parameters of `message_insert` and of the contact's lookup."""
    return {
        "channel": inbound.channel,
        "address": inbound.address,
        "name": inbound.name,
        **{name: getattr(inbound, name) for name in PROFILE_FIELDS},
        "now": now,
        "direction": Direction.INBOUND.value,
        "provider_id": inbound.provider_id,
        "body": inbound.body,
        "attachments": json.dumps(inbound.attachments),
        "status": MessageStatus.RECEIVED.value,
        "payload": json.dumps(inbound.payload),
        "extras": json.dumps(inbound.extras),
        "send_key": uuid.uuid4(),
    }
