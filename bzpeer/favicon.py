"""``/favicon.ico``: what browsers ask for on pages that name no icon (the admin, the API's
JSON, files). Our pages link the SVG logo; this sends the rest there too."""

from django.http import HttpResponseRedirect
from django.templatetags.static import static
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe


@require_safe
@cache_control(max_age=24 * 3600, public=True)
def favicon(request):
    # Not permanent: the static URL carries a content hash in production, and a cached
    # permanent redirect would outlive the file it points to.
    return HttpResponseRedirect(static("img/bzpeer.svg"))
