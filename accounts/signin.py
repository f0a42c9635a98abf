"""Sending signed-out users to sign in and back, for pages and for POST actions alike."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.http import HttpResponseClientRedirect


def safe_next(request, fallback: str) -> str:
    """The form's or query's ``next`` when it points at this site, otherwise ``fallback``."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return fallback


def signin_redirect(request, next_url: str):
    """Redirect to sign in, then back to ``next_url``; htmx gets a full-page redirect."""
    response = redirect_to_login(next_url)
    if getattr(request, "htmx", False):
        return HttpResponseClientRedirect(response["Location"])
    return response


def signin_required(view):
    """For pages: signed-out users sign in and come back to the page they asked for."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return signin_redirect(request, request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapper
