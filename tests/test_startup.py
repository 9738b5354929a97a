"""A worker's start-up work runs on the ASGI lifespan, never when `occ.asgi` is imported."""

from __future__ import annotations

import asyncio
import gc
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_importing_the_asgi_application_leaves_the_garbage_collector_alone():
    script = (
        "import gc, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'occ.settings'; before = gc.get_threshold(); "
        "import occ.asgi; print(before == gc.get_threshold(), gc.get_freeze_count())"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "0"]


def run_lifespan(application) -> list[dict]:
    sent: list[dict] = []
    messages = iter([{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}])

    async def receive():
        return next(messages)

    async def send(message):
        sent.append(message)

    asyncio.run(application({"type": "lifespan"}, receive, send))
    return sent


def test_the_lifespan_start_up_tunes_the_garbage_collector(settings):
    from occ.asgi import application

    settings.OCC_GC_TUNING = True
    threshold = gc.get_threshold()
    try:
        assert run_lifespan(application) == [
            {"type": "lifespan.startup.complete"},
            {"type": "lifespan.shutdown.complete"},
        ]
        assert gc.get_threshold()[2] == 100 and gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)


def test_without_tuning_the_start_up_changes_nothing(settings):
    from occ.asgi import application

    settings.OCC_GC_TUNING = False
    threshold = gc.get_threshold()
    assert run_lifespan(application)[0] == {"type": "lifespan.startup.complete"}
    assert gc.get_threshold() == threshold
