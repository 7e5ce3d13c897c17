from django.contrib import admin
from django.urls import path

from syncapp.views import health

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz/sync", health, name="health_sync"),
]
