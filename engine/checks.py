"""System checks: a task backend setting that names nothing is an error, not a silent default."""

from __future__ import annotations

from django.conf import settings
from django.core import checks

BACKENDS = {"database", "rq"}


@checks.register()
def tasks_backend(app_configs, **kwargs):
    if settings.OCC_TASKS_BACKEND not in BACKENDS:
        return [
            checks.Error(
                f"OCC_TASKS_BACKEND={settings.OCC_TASKS_BACKEND!r} is not a task backend.",
                hint="Use 'database' (the default) or 'rq'.",
                id="engine.E001",
            )
        ]
    return []
