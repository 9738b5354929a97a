"""Set offline the agents whose desk tabs were held by a process that stopped (run every minute)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from agents.presence import sweep_stale


class Command(BaseCommand):
    help = "Forget desk connections of stopped processes and set their agents offline."

    def handle(self, *args, **options):
        changed = sweep_stale()
        self.stdout.write(f"set offline: {len(changed)}")
