"""Staff take back one curation log entry: a ``REVERT`` entry names it, and its inverse is
applied at once.

The log stays append-only: the reverted entry is kept, and the replay after every import skips
it (``works.curation.reverted_entries``), so what the revert restores holds through imports. Each
kind of entry says how it is undone in :data:`INVERSES`; a kind without one (a merge, undone by
``profiles.merge.unmerge``; a split; a CSL import) is refused with the reason.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction

from works.curation import (
    CurationError,
    announce_on_commit,
    log_curation,
    relink_to_record,
    reverted_entries,
    unlink_from_record,
)
from works.models import Authorship, CurationLog, Researcher, Work

# {action: function(entry, skipped) -> ids of the records whose works changed}. ``skipped``:
# the entries already reverted, this one included, so an inverse can recompute the state the
# remaining entries leave.
Inverse = Callable[[CurationLog, set[int]], set[int]]
INVERSES: dict[str, Inverse] = {}


def inverse_of(*actions: str) -> Callable[[Inverse], Inverse]:
    """Register the decorated function as the way to take back entries of these actions."""

    def register(function: Inverse) -> Inverse:
        for action in actions:
            INVERSES[action] = function
        return function

    return register


def can_revert(entry: CurationLog) -> bool:
    return entry.action in INVERSES


@transaction.atomic
def revert_entry(entry: CurationLog, actor, reason: str = "") -> CurationLog:
    """Take back ``entry``: apply its inverse now and log a ``REVERT`` naming it (in the
    history of the entry's record). Refuses a revert entry, an entry already reverted, and kinds
    that have no inverse here, changing nothing."""
    # Lock the entry so two staff reverting it at once do not both pass the check below.
    entry = CurationLog.objects.select_for_update().get(pk=entry.pk)
    if entry.action == CurationLog.Action.REVERT:
        raise CurationError("A revert cannot itself be reverted; revert the entry again instead.")
    skipped = reverted_entries()
    if entry.pk in skipped:
        raise CurationError("This entry was already reverted.")
    inverse = INVERSES.get(entry.action)
    if inverse is None:
        raise CurationError(
            f"A {entry.get_action_display().lower()} entry cannot be reverted from the history."
        )
    changed = inverse(entry, skipped | {entry.pk})
    revert = log_curation(
        actor,
        CurationLog.Action.REVERT,
        {"entry": entry.pk, "action": entry.action},
        reason,
        researcher=entry.researcher_id,
    )
    announce_on_commit(changed)
    return revert


def _last_word(entry: CurationLog, actions, skipped: set[int], **target) -> CurationLog | None:
    """The latest entry of ``actions`` on the same target that still stands."""
    lookups = {f"target__{key}": value for key, value in target.items()}
    return (
        CurationLog.objects.filter(action__in=actions, **lookups)
        .exclude(pk__in=skipped)
        .order_by("-created_at", "-pk")
        .first()
    )


@inverse_of(CurationLog.Action.HIDE, CurationLog.Action.UNHIDE)
def _revert_hiding(entry: CurationLog, skipped: set[int]) -> set[int]:
    # The work shows as the entries left say: the last one standing, or shown if none is.
    work_pk = entry.target["work"]
    hiding = (CurationLog.Action.HIDE, CurationLog.Action.UNHIDE)
    last = _last_word(entry, hiding, skipped, work=work_pk)
    hidden = last is not None and last.action == CurationLog.Action.HIDE
    Work.objects.filter(pk=work_pk).exclude(is_hidden=hidden).update(is_hidden=hidden)
    return set(
        Authorship.objects.filter(work_id=work_pk, researcher__isnull=False).values_list(
            "researcher_id", flat=True
        )
    )


@inverse_of(CurationLog.Action.NOT_MINE, CurationLog.Action.MINE_AGAIN)
def _revert_not_mine(entry: CurationLog, skipped: set[int]) -> set[int]:
    # The work is on the record or off it as the last "not mine" / "mine again" left says.
    target = entry.target
    words = (CurationLog.Action.NOT_MINE, CurationLog.Action.MINE_AGAIN)
    last = _last_word(entry, words, skipped, work=target["work"], researcher=target["researcher"])
    if last is not None and last.action == CurationLog.Action.NOT_MINE:
        unlink_from_record(target["researcher"], target["work"])
    else:
        relink_to_record(target["researcher"], target["work"], target["orders"])
    return {target["researcher"]}


@inverse_of(CurationLog.Action.OWNER_ADD)
def _revert_owner_add(entry: CurationLog, skipped: set[int]) -> set[int]:
    # The owner's own authorship goes; a matched author slot is left with no record (the next
    # import gives it back to the source's author, if the source has one).
    researcher_pk = entry.researcher_id
    live = Researcher.objects.resolve_pks([researcher_pk]).get(researcher_pk, researcher_pk)
    on_record = Authorship.objects.filter(work_id=entry.target["work"], researcher_id=live)
    on_record.filter(added_by_owner=True).delete()
    on_record.filter(order=entry.target.get("order")).update(researcher=None)
    return {live}


@inverse_of(CurationLog.Action.IDENTITY)
def _revert_identity(entry: CurationLog, skipped: set[int]) -> set[int]:
    # Each field the entry changed takes the value the entries left give it: the latest one
    # standing that changed it, or, if none does, the value before the owner's first change.
    researcher_pk = entry.target["researcher"]
    researcher = Researcher.objects.select_for_update().filter(pk=researcher_pk).first()
    if researcher is None:
        return set()
    changed = []
    for field in entry.target.get("changes") or {}:
        touching = CurationLog.objects.filter(
            action=CurationLog.Action.IDENTITY,
            target__researcher=researcher_pk,
            target__changes__has_key=field,
        ).order_by("-created_at", "-pk")
        last = touching.exclude(pk__in=skipped).first()
        first = touching.last()
        assert first is not None  # ``entry`` itself is one of them
        value = last.target["changes"][field] if last else first.target["before"][field]
        if getattr(researcher, field) != value:
            setattr(researcher, field, value)
            changed.append(field)
    if changed:
        researcher.save(update_fields=[*changed, "updated_at"])
    return {researcher_pk}
