"""Subscribers to the core's events: it tells us about new interactions; we never break it."""

from __future__ import annotations

import logging

from django.db import transaction

from widgets import actions, links

logger = logging.getLogger(__name__)


def attribute_new_interaction(event) -> None:
    """On `interactions.events.InteractionOpened`: attribute the new interaction to a widget visit.

    Runs inside the transaction that stores the customer's message. A savepoint
    keeps a failure here from aborting that transaction (on PostgreSQL one
    failed statement poisons the rest), and nothing is raised: losing an
    attribution is acceptable, losing the message is not.
    """
    interaction, message = event.interaction, event.message
    if not links.ref_codes_in(getattr(message, "body", "")):
        return  # most messages carry no code: no savepoint, no query
    try:
        with transaction.atomic():
            actions.attribute_interaction(interaction, message)
    except Exception:
        logger.exception(
            "widget attribution failed for interaction %s", getattr(interaction, "pk", None)
        )
