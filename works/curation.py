"""Staff corrections to the record, and their replay after every import.

Hiding works and CSL imports are made here; merging and splitting researcher records are made by
``profiles.merge`` (they move owners, follows and claims, which ingestion knows nothing of) and
logged with :func:`log_curation`. Each action is atomic, locks what it changes, and appends a
:class:`CurationLog` row. Imports rewrite what the sources say, so :func:`reapply_curation`
replays the whole log (in order) after every import: a hidden work stays hidden, a merge holds,
split-off works stay split off. Replaying twice changes nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from django.db import transaction

from works.models import Authorship, CurationLog, Researcher, Work
from works.signals import announce_researchers_changed


class CurationError(ValueError):
    """A curation that cannot be done as asked; nothing was changed."""


def log_curation(actor, action: str, target: dict, reason: str) -> CurationLog:
    """Append one entry to the curation log (anonymous actors are logged as nobody)."""
    return CurationLog.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        target=target,
        reason=reason,
    )


def announce_on_commit(researcher_ids) -> None:
    """Once the transaction commits, tell the layers above that these researchers changed."""
    ids = sorted(set(researcher_ids))
    transaction.on_commit(lambda: announce_researchers_changed(__name__, ids))


def _researchers_of(work_ids) -> set[int]:
    return set(
        Authorship.objects.filter(work_id__in=work_ids, researcher_id__isnull=False).values_list(
            "researcher_id", flat=True
        )
    )


@transaction.atomic
def set_work_hidden(work: Work, hidden: bool, actor, reason: str = "") -> bool:
    """Hide (or show again) a work on every profile. Returns False if it already was."""
    work = Work.objects.select_for_update().get(pk=work.pk)
    log_curation(
        actor,
        CurationLog.Action.HIDE if hidden else CurationLog.Action.UNHIDE,
        {"work": work.pk},
        reason,
    )
    if work.is_hidden == hidden:
        return False
    work.is_hidden = hidden
    work.save(update_fields=["is_hidden", "updated_at"])
    announce_on_commit(_researchers_of([work.pk]))
    return True


def move_authorships(from_pk: int, to_pk: int, work_ids=None) -> int:
    qs = Authorship.objects.filter(researcher_id=from_pk)
    if work_ids is not None:
        qs = qs.filter(work_id__in=work_ids)
    return qs.update(researcher_id=to_pk)


@transaction.atomic
def import_csl_for_researcher(researcher: Researcher, items: list[dict], actor, reason: str = ""):
    """Import a CSL-JSON list of works credited to ``researcher`` (the importers' CSL mapping)."""
    from works.importers import csl

    if not isinstance(items, list) or not items:
        raise CurationError("Expected a CSL-JSON list of items.")
    try:
        stats = csl.import_csl_items(items, researcher)
    except csl.CslError as exc:
        raise CurationError(f"CSL-JSON {exc}") from exc
    log_curation(
        actor,
        CurationLog.Action.CSL_IMPORT,
        {"researcher": researcher.pk, "items": len(items)},
        reason,
    )
    announce_on_commit([researcher.pk])
    return stats


# How each kind of entry is replayed after an import: {action: function(entry, counts)}. Hiding
# is replayed apart (only the last word on a work counts). Every replay is idempotent.
Replay = Callable[[CurationLog, dict[str, int]], None]
REPLAYS: dict[str, Replay] = {}


def replays(*actions: str) -> Callable[[Replay], Replay]:
    """Register the decorated function as the replay of these log actions."""

    def register(function: Replay) -> Replay:
        for action in actions:
            REPLAYS[action] = function
        return function

    return register


@replays(CurationLog.Action.MERGE)
def _replay_merge(entry: CurationLog, counts: dict[str, int]) -> None:
    target = entry.target
    source_pk = target["source"]
    # A target that no longer resolves (deleted, or a chain broken by hand) is skipped:
    # re-pointing the source into a broken chain would only lengthen it.
    target_pk = Researcher.objects.resolve_pks([target["target"]]).get(target["target"])
    if target_pk is None or source_pk == target_pk:
        return
    counts["remerged"] += (
        Researcher.objects.filter(pk=source_pk)
        .exclude(merged_into_id=target_pk)
        .update(merged_into_id=target_pk)
    )
    counts["moved"] += move_authorships(source_pk, target_pk)


@replays(CurationLog.Action.SPLIT)
def _replay_split(entry: CurationLog, counts: dict[str, int]) -> None:
    target = entry.target
    counts["moved"] += move_authorships(target["from"], target["to"], target["works"])
    canonical = Researcher.objects.resolve_pks([target["from"]]).get(target["from"])
    if canonical is not None and canonical != target["from"]:
        counts["moved"] += move_authorships(canonical, target["to"], target["works"])


def reverted_entries() -> set[int]:
    """Ids of the entries a later ``REVERT`` entry took back: replay skips them."""
    return {
        pk
        for pk in CurationLog.objects.filter(action=CurationLog.Action.REVERT).values_list(
            "target__entry", flat=True
        )
        if isinstance(pk, int)
    }


@transaction.atomic
def reapply_curation() -> dict[str, int]:
    """Replay every curation in order over what the last import wrote. Idempotent."""
    counts = defaultdict(int, {"hidden": 0, "shown": 0, "moved": 0, "remerged": 0})
    hidden_state: dict[int, bool] = {}
    skipped = reverted_entries()
    for entry in CurationLog.objects.order_by("created_at", "pk").iterator():
        if entry.pk in skipped:
            continue
        entry.target = entry.target or {}
        if entry.action in (CurationLog.Action.HIDE, CurationLog.Action.UNHIDE):
            hidden_state[entry.target["work"]] = entry.action == CurationLog.Action.HIDE
        elif replay := REPLAYS.get(entry.action):
            replay(entry, counts)
    for hidden in (True, False):
        ids = [pk for pk, state in hidden_state.items() if state is hidden]
        changed = Work.objects.filter(pk__in=ids).exclude(is_hidden=hidden).update(is_hidden=hidden)
        counts["hidden" if hidden else "shown"] += changed
    # Imports that matched curated works: their curated fields hold (works/matching.py, which
    # builds on this module, hence imported here).
    from works.matching import reapply_matches

    counts["rematched"] = reapply_matches()
    return dict(counts)
