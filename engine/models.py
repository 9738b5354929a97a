"""The state of the periodic jobs: one row each, so exactly one chain of ticks runs.

django-tasks has no periodic scheduler. A periodic job is a chain of
`engine.tasks.tick` tasks, each enqueued by the one before with `run_after`.
The row's token names the tick that may run next: a tick whose token is no
longer the row's (a duplicate started by a second worker, a chain restarted
after a loss) does nothing, so there is one chain however many workers start.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Schedule(models.Model):
    name = models.CharField(max_length=100, primary_key=True)
    token = models.CharField(max_length=32, blank=True)
    next_run_at = models.DateTimeField()
    last_run_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("periodic job")
        verbose_name_plural = _("periodic jobs")

    def __str__(self) -> str:
        return self.name
