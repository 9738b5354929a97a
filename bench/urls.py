"""The baseline: a trivial view, served only when OCC_BENCH_BARE is set.

`bare/` goes through the full middleware stack, `lean/bare/` through the
webhooks' lean path (occ/lean_asgi.py), so the benchmark compares the
inbound pipeline with Django's own ceiling on the same server.
"""

from django.http import HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt


@csrf_exempt
def bare(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("bare/", bare, name="bench-bare"),
    path("lean/bare/", bare, name="bench-bare-lean"),
]
