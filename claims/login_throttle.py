"""Who a failed login was for, as django-axes counts failures.

allauth authenticates with ``email=...`` (we sign in by email); the admin with ``username=...``.
Counting both under the lower-cased address keeps one lockout per account whichever form is used.
"""


def username_from_credentials(request, credentials: dict | None) -> str:
    credentials = credentials or {}
    value = credentials.get("email") or credentials.get("username")
    if not value and request is not None:
        value = request.POST.get("login") or request.POST.get("username")
    return (value or "").strip().lower()


def client_address(request) -> str:
    """The client's address as the API throttles take it (DRF's ``NUM_PROXIES`` rule): behind
    ``DJANGO_NUM_PROXIES`` proxies, that many addresses from the right of X-Forwarded-For (the
    one the nearest proxy appended is the first that cannot be forged); with none, the
    connection's own address. Behind a proxy the connection's address is the proxy's, which
    would put every visitor under one lockout."""
    from django.conf import settings

    proxies = settings.REST_FRAMEWORK.get("NUM_PROXIES") or 0
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "") if proxies else ""
    addresses = [address.strip() for address in forwarded.split(",") if address.strip()]
    if addresses:
        return addresses[-min(proxies, len(addresses))]
    return request.META.get("REMOTE_ADDR", "")
