"""The application the benchmark serves: OCC's, with the bare view also on the lean path (bench/urls.py)."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

from occ.asgi import build  # noqa: E402
from occ.lean_asgi import WEBHOOK_PREFIXES  # noqa: E402

application = build(WEBHOOK_PREFIXES + ("/bench/lean/",))
