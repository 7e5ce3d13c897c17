"""A URL that fails, beside opsync's own: what a server error does (tests/test_security.py)."""

from django.urls import path

from opsync.urls import urlpatterns as opsync_urls


def broken(request):
    raise RuntimeError("a bug in a view")


urlpatterns = [*opsync_urls, path("broken/", broken)]
