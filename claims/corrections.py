"""Corrections a record's owner makes to their own record, and the budget they share.

Every owner correction ("not mine" and its undoing, an added work, a merge request, an identity
edit) appends a :class:`CurationLog` entry by the owner, so the entries by one actor in the
last 24 hours are the count :func:`check_correction_rate` holds to
``BZPEER_CORRECTIONS_PER_DAY``. Each action calls it inside its own transaction, before it
writes anything.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, Min
from django.utils import timezone

from works.models import CurationLog

CORRECTION_WINDOW = timedelta(days=1)


class CorrectionError(Exception):
    """A correction refused, with a message fit to show. Nothing was changed."""

    # The API answers with this status and code (bzpeer/api/errors.py shape).
    status_code = 400
    code = "invalid"


class CorrectionNotFound(CorrectionError):
    status_code = 404
    code = "not_found"


class CorrectionConflict(CorrectionError):
    """Asked for a state the record is already in (e.g. a work already marked not mine)."""

    status_code = 409
    code = "conflict"


class CorrectionRateLimited(CorrectionError):
    """The owner used up the day's corrections; ``retry_after`` is in whole seconds."""

    status_code = 429
    code = "too_many_corrections"

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


def check_correction_rate(user) -> None:
    """Raise :class:`CorrectionRateLimited` if ``user`` made ``BZPEER_CORRECTIONS_PER_DAY``
    corrections (curation log entries as actor) in the last 24 hours.

    Call it inside the transaction that writes the correction's log entry: it locks the user's
    row, so two requests at once cannot both pass the count with one correction left.
    """
    limit = settings.BZPEER_CORRECTIONS_PER_DAY
    now = timezone.now()
    with transaction.atomic():
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        stats = CurationLog.objects.filter(
            actor=user, created_at__gte=now - CORRECTION_WINDOW
        ).aggregate(made=Count("pk"), oldest=Min("created_at"))
        if stats["made"] < limit:
            return
    # A slot frees when the oldest entry in the window leaves it.
    oldest = stats["oldest"] or now
    retry_after = max(1, int((oldest + CORRECTION_WINDOW - now).total_seconds()) + 1)
    hours = max(1, round(retry_after / 3600))
    raise CorrectionRateLimited(
        f"You can make at most {limit} corrections to your record in 24 hours. "
        f"Try again in about {hours} hour{'s' if hours != 1 else ''}.",
        retry_after,
    )
