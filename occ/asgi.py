"""ASGI entry point: HTTP through Django, WebSockets through Channels.

Twilio's webhooks take a lean HTTP path without session, CSRF, auth,
messages or locale middleware (occ/lean_asgi.py). WebSockets pass origin
validation (AllowedHostsOriginValidator) and session authentication before
reaching a consumer.
"""

import gc
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "occ.settings")
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.conf import settings  # noqa: E402

from occ.lean_asgi import WEBHOOK_PREFIXES, LeanASGIHandler, split_by_path  # noqa: E402
from occ.routing import websocket_urlpatterns  # noqa: E402

lean_prefixes = WEBHOOK_PREFIXES
if settings.OCC_BENCH_BARE:
    # The benchmark's trivial view, also served on the lean path (bench/urls.py).
    lean_prefixes += ("/bench/lean/",)

application = ProtocolTypeRouter(
    {
        "http": split_by_path(LeanASGIHandler(), django_asgi_app, lean_prefixes),
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
        ),
    }
)


# Full garbage collections stall every request in flight, for as long as it
# takes to scan every object: with 500 desk WebSockets per worker, 150-280 ms.
# What is loaded by now (Django, the apps, the URLconf) lives as long as the
# worker: frozen, it is left out of the scan (50-100 ms remain). And a full
# collection runs after 100 young ones instead of 10: a request's own cyclic
# garbage dies young, so little waits longer, and the latency at 200
# messages/s went from p99 63 to 34 ms (docs/benchmarks.md).
gc.collect()
gc.freeze()
young, middle, _full = gc.get_threshold()
gc.set_threshold(young, middle, 100)
