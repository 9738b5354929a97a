"""Deliver pending outbound webhooks: once, or as a long-running worker."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from hooks.delivery import deliver_due, next_due_in


class Command(BaseCommand):
    help = "Deliver pending outbound webhook events (with retries and backoff)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Attempt what is due now, then exit.")
        parser.add_argument(
            "--interval", type=float, default=5.0, help="Longest sleep between looks at the outbox (seconds)."
        )

    def handle(self, *args, once: bool = False, interval: float = 5.0, **options):
        if once:
            count = deliver_due()
            self.stdout.write(f"{count} deliveries attempted")
            return
        self.stdout.write("Delivering webhooks; Ctrl-C to stop.")
        try:
            while True:
                close_old_connections()
                count = deliver_due()
                if count:
                    self.stdout.write(f"{count} deliveries attempted")
                due = next_due_in()
                time.sleep(interval if due is None else min(interval, max(0.2, due)))
        except KeyboardInterrupt:
            return
