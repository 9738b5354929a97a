"""Logging filters."""

from __future__ import annotations

import logging

# Requests polled every second or two by the sandbox's pages: logging each
# would bury everything else in the development server's output.
POLLED_PATHS = ("/sandbox/phone/messages/",)


class QuietPolling(logging.Filter):
    """Drops the development server's request lines for POLLED_PATHS."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not any(f" {path}" in message for path in POLLED_PATHS)
