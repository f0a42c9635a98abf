from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from bzpeer.favicon import favicon
from bzpeer.health import health

api_patterns = [
    path("", include("profiles.api.urls")),
    path("", include("works.api.urls")),
    path("", include("graph.api.urls")),
    path("", include("follows.api.urls")),
    path("", include("claims.api.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's set-up as a script file: the CSP forbids inline ones.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]

urlpatterns = [
    path("", include("profiles.urls")),
    path("", include("works.urls")),
    path("", include("graph.urls")),
    path("", include("follows.urls")),
    path("", include("claims.urls")),
    path("", include("accounts.urls")),
    path("api/", include(api_patterns)),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("health/", health, name="health"),
    path("favicon.ico", favicon, name="favicon"),
]

# JSON under /api/, the site's own error page elsewhere (bzpeer/errors.py); a backing service
# that is down answers 503, not 500.
handler400 = "bzpeer.errors.bad_request"
handler403 = "bzpeer.errors.permission_denied"
handler404 = "bzpeer.api.errors.not_found"
handler500 = "bzpeer.errors.server_error"
