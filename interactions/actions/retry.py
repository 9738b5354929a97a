"""Transactions PostgreSQL chose as deadlock victims, run again."""

from __future__ import annotations

import logging
import time

from django.db import OperationalError, transaction

logger = logging.getLogger(__name__)

# PostgreSQL's deadlock_detected and serialization_failure: the transaction
# was rolled back as a whole, so running it again is safe.
RETRYABLE_SQLSTATES = {"40P01", "40001"}
RETRY_ATTEMPTS = 5


def is_retryable(exc: BaseException) -> bool:
    cause = exc.__cause__
    return (
        getattr(cause, "sqlstate", None) in RETRYABLE_SQLSTATES
        or getattr(cause, "pgcode", None) in RETRYABLE_SQLSTATES
    )


def with_retry(operation):
    """Run a transaction, again if PostgreSQL chose it as a deadlock victim."""
    for attempt in range(1, RETRY_ATTEMPTS + 1):
        try:
            return operation()
        except OperationalError as exc:
            if (
                attempt == RETRY_ATTEMPTS
                or not is_retryable(exc)
                or transaction.get_connection().in_atomic_block
            ):
                raise
            logger.warning(
                "transaction retried after %s (attempt %s)",
                exc.__cause__.__class__.__name__,
                attempt,
            )
            time.sleep(0.01 * attempt)
    raise AssertionError("unreachable")
