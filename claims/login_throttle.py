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
