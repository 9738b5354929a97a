"""The benchmark's URLconf: OCC's, plus a trivial view as the baseline (only under bench.settings).

`bench/bare/` goes through the full middleware stack, `bench/lean/bare/`
through the webhooks' lean path (occ/lean_asgi.py, see bench/asgi.py), so
the benchmark compares the inbound pipeline with Django's own ceiling on
the same server.
"""

from django.http import HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from occ.urls import urlpatterns as occ_urlpatterns


@csrf_exempt
def bare(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("bench/bare/", bare, name="bench-bare"),
    path("bench/lean/bare/", bare, name="bench-bare-lean"),
    *occ_urlpatterns,
]
