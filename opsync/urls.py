from django.contrib import admin
from django.urls import path

from syncapp.web.views import favicon, health, home

urlpatterns = [
    path("", home, name="home"),
    path("admin/", admin.site.urls),
    path("healthz/sync", health, name="health_sync"),
    path("favicon.ico", favicon, name="favicon"),
]
