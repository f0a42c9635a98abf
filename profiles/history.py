"""A record's history: every correction made to it, by its owner or by staff, in the order
made, in plain words (what, who, when, why); and staff taking back one entry at a time.

The entries are the curation log rows about the record (``CurationLog.researcher``), the
merges, unmerges and splits that name it, and the hiding of works on it. The public sees the
owner's chosen name for the owner's own corrections and "staff" for everyone else's.
Reverting writes a ``REVERT`` entry and applies its inverse (``works.reverts``); a merge is
taken back by unmerging (``profiles.merge``).
"""

from django.contrib import messages
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.names import person_name
from accounts.signin import signin_redirect
from bzpeer.staff import has_staff_permission, require_staff_permission
from profiles import merge
from works.curation import CurationError, describe_entries, reverted_entries
from works.models import Authorship, CurationLog, Researcher
from works.reverts import can_revert, revert_entry

# Staff who may take back a log entry (superusers hold it; give it under Users or Groups).
REVERT_CORRECTIONS = "works.change_curationlog"

_ACTIONS_NAMING_RECORDS = {
    CurationLog.Action.MERGE: ("source", "target"),
    CurationLog.Action.UNMERGE: ("source", "target"),
    CurationLog.Action.SPLIT: ("from", "to"),
}


def entries_about(researcher: Researcher):
    """The log entries of the record's history, oldest first: its own, the merges and splits
    that name it, and staff hiding or showing again a work now on it."""
    about = Q(researcher=researcher)
    for action, keys in _ACTIONS_NAMING_RECORDS.items():
        for key in keys:
            about |= Q(action=action, **{f"target__{key}": researcher.pk})
    on_record = list(
        Authorship.objects.filter(researcher=researcher).values_list("work_id", flat=True)
    )
    if on_record:
        about |= Q(
            action__in=[CurationLog.Action.HIDE, CurationLog.Action.UNHIDE],
            target__work__in=on_record,
        )
    return (
        CurationLog.objects.filter(about)
        .select_related("actor__profile")
        .order_by("created_at", "pk")
    )


def _who(entry: CurationLog, researcher: Researcher) -> str:
    # The owner's own corrections carry the name they chose; staff are not named in public.
    actor = entry.actor
    if actor is not None and (actor.pk == researcher.owner_id or not actor.is_staff):
        return person_name(actor)
    return "staff"


def history(researcher: Researcher) -> list[dict]:
    """One row per entry: what, who, when, why, and whether it was reverted. Five queries."""
    entries = list(entries_about(researcher))
    described = describe_entries(entries)
    reverted = reverted_entries()
    return [
        {
            "entry": entry,
            "what": described[entry.pk],
            "who": _who(entry, researcher),
            "when": entry.created_at,
            "why": entry.reason,
            "reverted": entry.pk in reverted,
            "revertible": entry.pk not in reverted
            and (can_revert(entry) or entry.action == CurationLog.Action.MERGE),
        }
        for entry in entries
    ]


def _live_record_or_404(pk: int) -> Researcher:
    researcher = Researcher.objects.resolve(pk)
    if researcher is None:
        raise Http404
    return researcher


def researcher_history(request, pk: int):
    researcher = _live_record_or_404(pk)
    if researcher.pk != pk:
        return redirect("profiles:history", researcher.pk, permanent=True)
    return render(
        request,
        "profiles/researcher_history.html",
        {
            "researcher": researcher,
            "rows": history(researcher),
            "can_revert": has_staff_permission(request.user, REVERT_CORRECTIONS),
        },
    )


@require_POST
def revert_history_entry(request, pk: int, entry_pk: int):
    """Staff with the permission take back one entry of the record's history; anyone else gets
    the 404 an unknown address would."""
    if not request.user.is_authenticated:
        return signin_redirect(request, f"/researchers/{pk}/history/")
    require_staff_permission(request.user, REVERT_CORRECTIONS, refuse=Http404)
    researcher = get_object_or_404(Researcher, pk=pk)
    entry = get_object_or_404(entries_about(researcher), pk=entry_pk)
    reason = request.POST.get("reason", "").strip()[:1000]
    try:
        if entry.action == CurationLog.Action.MERGE:
            source = get_object_or_404(Researcher, pk=entry.target["source"])
            if merge.merge_entry_of(source) != entry:
                raise CurationError("This merge no longer stands; there is nothing to undo.")
            merge.unmerge(source, request.user, reason)
        else:
            revert_entry(entry, request.user, reason)
    except CurationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Reverted. The change it made is undone and stays undone.")
    return redirect("profiles:history", _live_record_or_404(pk).pk)
