"""Corrections a record's owner makes to their own record, and the budget they share.

Every owner correction counts against ``BZPEER_CORRECTIONS_PER_DAY`` when it is asked for,
whatever becomes of it (:func:`check_correction_rate`): "not mine" and its undoing and an
identity edit (each a :class:`CurationLog` entry by the owner), a request to add a work (its
import run, found upstream or not) and a merge request (applied, waiting for staff or refused).
Each action calls the check inside the transaction that records it, before it writes anything.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, Min
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification
from accounts.names import person_name
from accounts.notifications import notify
from claims.models import MergeRequest
from works import runs
from works.curation import (
    announce_on_commit,
    log_curation,
    not_mine_marks,
    relink_to_record,
    standing_not_mine,
    unlink_from_record,
)
from works.models import Authorship, CurationLog, Researcher, Work

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


def _counted(queryset) -> dict:
    return queryset.aggregate(made=Count("pk"), oldest=Min("created_at"))


def _requests_made(user, since) -> list[dict]:
    """What ``user`` asked of their record since ``since``, as count and oldest time, by kind.

    An added work and an applied merge also leave a log entry by the owner; those are left out
    of the entries, so each request counts once."""
    return [
        _counted(
            CurationLog.objects.filter(actor=user, created_at__gte=since).exclude(
                action__in=[CurationLog.Action.OWNER_ADD, CurationLog.Action.MERGE]
            )
        ),
        _counted(MergeRequest.objects.filter(requester=user, created_at__gte=since)),
        _counted(runs.work_additions().filter(requested_by=user, created_at__gte=since)),
    ]


def check_correction_rate(user) -> None:
    """Raise :class:`CorrectionRateLimited` if ``user`` asked for
    ``BZPEER_CORRECTIONS_PER_DAY`` corrections in the last 24 hours.

    Call it inside the transaction that records the correction: it locks the user's row until
    that transaction ends, so two requests at once cannot both pass with one correction left.
    """
    limit = settings.BZPEER_CORRECTIONS_PER_DAY
    now = timezone.now()
    with transaction.atomic():
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        kinds = _requests_made(user, now - CORRECTION_WINDOW)
        if sum(kind["made"] for kind in kinds) < limit:
            return
    # A slot frees when the oldest request in the window leaves it.
    oldest = min((kind["oldest"] for kind in kinds if kind["oldest"]), default=now)
    retry_after = max(1, int((oldest + CORRECTION_WINDOW - now).total_seconds()) + 1)
    hours = max(1, round(retry_after / 3600))
    raise CorrectionRateLimited(
        f"You can make at most {limit} corrections to your record in 24 hours. "
        f"Try again in about {hours} hour{'s' if hours != 1 else ''}.",
        retry_after,
    )


def owned_record(user) -> Researcher | None:
    """The live record ``user`` owns (not merged into another), or None."""
    if user is None or not user.is_authenticated:
        return None
    return Researcher.objects.canonical().filter(owner=user).first()


# "Not mine" -------------------------------------------------------------------------------------


def removed_works(researcher: Researcher) -> list[tuple[Work, CurationLog]]:
    """The works the owner marked not theirs (and did not take back), newest mark first."""
    marks = list(not_mine_marks(researcher.pk).values())
    works = Work.objects.in_bulk([entry.target["work"] for entry in marks])
    marks.sort(key=lambda entry: (entry.created_at, entry.pk), reverse=True)
    return [(works[e.target["work"]], e) for e in marks if e.target["work"] in works]


def _lock_record_work(owner, researcher: Researcher, work_pk) -> tuple[Researcher, Work]:
    # Lock the record: one correction of it at a time, so the checks below stay true.
    researcher = Researcher.objects.select_for_update().get(pk=researcher.pk)
    if researcher.owner_id != owner.pk or researcher.merged_into_id is not None:
        raise CorrectionError("Only the owner of a record can correct it.")
    work = Work.objects.filter(pk=work_pk).first() if str(work_pk).isdigit() else None
    if work is None:
        raise CorrectionNotFound("There is no work with this id.")
    return researcher, work


def mark_not_mine(owner, researcher: Researcher, work_pk, reason: str = "") -> CurationLog:
    """Take a work off the owner's record: their authorship of it keeps its author name and
    loses the record; co-authors keep the work. Logged (``NOT_MINE``, with the orders unlinked)
    and re-applied after every import. Co-authors who own their records are told."""
    with transaction.atomic():
        researcher, work = _lock_record_work(owner, researcher, work_pk)
        if not Authorship.objects.filter(work=work, researcher=researcher).exists():
            last = standing_not_mine(researcher.pk, [work.pk]).get(work.pk)
            if last is not None and last.action == CurationLog.Action.NOT_MINE:
                raise CorrectionConflict("You already marked this work as not yours.")
            raise CorrectionNotFound("This work is not on your record.")
        check_correction_rate(owner)
        orders = unlink_from_record(researcher.pk, work.pk)
        entry = log_curation(
            owner,
            CurationLog.Action.NOT_MINE,
            {"researcher": researcher.pk, "work": work.pk, "orders": orders},
            reason,
            researcher=researcher,
        )
        announce_on_commit([researcher.pk])
        _tell_owning_co_authors(owner, researcher, work)
    return entry


def undo_not_mine(owner, researcher: Researcher, work_pk, reason: str = "") -> CurationLog:
    """Put back a work the owner marked not theirs, at the author places it had. Logged
    (``MINE_AGAIN``) and re-applied after every import."""
    with transaction.atomic():
        researcher, work = _lock_record_work(owner, researcher, work_pk)
        last = standing_not_mine(researcher.pk, [work.pk]).get(work.pk)
        if last is None or last.action != CurationLog.Action.NOT_MINE:
            if Authorship.objects.filter(work=work, researcher=researcher).exists():
                raise CorrectionConflict("This work is on your record already.")
            raise CorrectionNotFound("You did not mark this work as not yours.")
        check_correction_rate(owner)
        orders = last.target["orders"]
        relink_to_record(researcher.pk, work.pk, orders)
        entry = log_curation(
            owner,
            CurationLog.Action.MINE_AGAIN,
            {"researcher": researcher.pk, "work": work.pk, "orders": orders, "undoes": last.pk},
            reason,
            researcher=researcher,
        )
        announce_on_commit([researcher.pk])
    return entry


def _tell_owning_co_authors(owner, researcher: Researcher, work: Work) -> None:
    co_owners = list(
        get_user_model()
        .objects.filter(researcher__authorships__work=work)
        .exclude(pk=owner.pk)
        .distinct()
    )
    message = (
        f"{person_name(owner)} marked “{work.title}” as not theirs on their record "
        f"({researcher.display_name}). It stays on yours."
    )
    url = reverse("works:detail", args=[work.pk])
    # Marking, undoing and marking again tells each co-author once a day, not every time.
    told = set(
        Notification.objects.filter(
            user__in=co_owners,
            kind=Notification.Kind.COAUTHOR_CORRECTION,
            message=message[:500],
            created_at__gte=timezone.now() - CORRECTION_WINDOW,
        ).values_list("user_id", flat=True)
    )
    for user in co_owners:
        if user.pk not in told:
            notify(user, Notification.Kind.COAUTHOR_CORRECTION, message, url)
