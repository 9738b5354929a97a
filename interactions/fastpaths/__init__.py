"""PostgreSQL fast paths: one-statement versions of the busiest actions, fenced here.

Each module is the PostgreSQL implementation of one named action, for the
case that action meets most, in one SQL statement (data-modifying WITH,
UPDATE … RETURNING) where the general ORM path takes several round trips:

- `receive_in_open_interaction`: `actions.inbound.receive_inbound` for a
  message in a conversation already open;
- `receive_first_message`: `actions.inbound.receive_inbound` for a new
  customer's first message (routing stays with the action);
- `record_status_callback`: `actions.outbound.record_status_callback` for a
  status that moves a message forward.

Each returns None, having written nothing, whenever the general path must
decide; the action then takes it. Each is proven to store what the
general path stores by a differential test
(tests/interactions/test_fastpaths_differential.py: hypothesis-generated
inputs, both paths on PostgreSQL, every column of every row compared, the
columns read from the models' `_meta`). The column lists of their INSERTs
are derived from `_meta` too (`rows.insert_values`): a model field without
a value here fails at once instead of being stored as NULL.
"""
