from django.contrib import admin
from django.urls import include, path

api_patterns = [
    path("", include("profiles.api.urls")),
    path("", include("works.api.urls")),
    path("", include("graph.api.urls")),
    path("", include("follows.api.urls")),
    path("", include("claims.api.urls")),
]

urlpatterns = [
    path("", include("profiles.urls")),
    path("", include("works.urls")),
    path("", include("graph.urls")),
    path("", include("follows.urls")),
    path("", include("claims.urls")),
    path("api/", include(api_patterns)),
    path("admin/", admin.site.urls),
]
