"""Retry outbound messages that failed transiently (run once, or --loop as a worker)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from interactions.actions.outbound import process_due


class Command(BaseCommand):
    help = "Send the outbound messages whose retry is due."

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="Keep running, one pass every --interval seconds.")
        parser.add_argument("--interval", type=float, default=5.0)

    def handle(self, *args, loop=False, interval=5.0, **options):
        while True:
            result = process_due()
            if result["attempted"] or not loop:
                self.stdout.write(f"attempted {result['attempted']}")
            if not loop:
                return
            time.sleep(interval)
