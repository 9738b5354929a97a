"""The project's URLconf plus one view that fails: for the 500 page's tests."""

from django.urls import path

from occ.urls import urlpatterns as project_urlpatterns


def fail(request):
    raise RuntimeError("a failure for the 500 page")


urlpatterns = [path("fail-for-tests/", fail), *project_urlpatterns]
