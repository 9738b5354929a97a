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


# What is loaded by now (Django, the apps, the URLconf) lives as long as the
# worker. Frozen, it is left out of the garbage collector's full collections,
# which then scan only what requests and connections created: with 500 desk
# WebSockets per worker a full collection stalled every request in flight for
# 150-280 ms, and 50-100 ms once frozen (docs/benchmarks.md).
gc.collect()
gc.freeze()
