"""A supervisor's tab watching a conversation: marked on its row, so its message pushes reach the watchers.

The pushes of a message go to the watchers' group (`notify.watch_group`) only
while the interaction is marked watched (`Interaction.watched_until`): a
publish to a group nobody listens to would cost every message as much as
the agent's own push. The mark is on the interaction's row, which every
stored message updates, so no message falls between a watch beginning and
its pushes: a message that updates the row after `mark_watched` committed
reads the mark back with the row (and, on PostgreSQL, an UPDATE that waited
for the mark's lock re-reads the row as committed); one that updated it
before is committed by then and in the watcher's first view, read after the
mark. The watching tab joins the group before it marks, and renews the mark
while it watches (its pings); a tab that goes away lets it lapse.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from interactions.models import Interaction

WATCH_SECONDS = 120
# A watching tab renews the mark at its first ping this long after marking (it pings every 25 s).
RENEW_AFTER_SECONDS = WATCH_SECONDS // 2


def mark_watched(interaction_id: int, *, now: datetime | None = None) -> None:
    """Watched from now for WATCH_SECONDS; nothing the agent sees changes (not its version)."""
    until = (now or timezone.now()) + timedelta(seconds=WATCH_SECONDS)
    Interaction.objects.filter(pk=interaction_id).update(watched_until=until)
