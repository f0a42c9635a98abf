"""Staff corrections to the record: hide, merge, split, CSL import. The only code that makes them.

Each action is atomic, locks what it changes, and appends a :class:`CurationLog` row. Imports
rewrite what the sources say, so :func:`reapply_curation` replays the whole log (in order) after
every import: a hidden work stays hidden, a merge holds, split-off works stay split off. Replaying
twice changes nothing.
"""

from __future__ import annotations

from django.db import transaction

from bzpeer.locking import lock_in_id_order
from claims import actions as claims_actions
from follows import actions as follows_actions
from works.models import Affiliation, Authorship, CurationLog, Researcher, Work


class CurationError(ValueError):
    """A curation that cannot be done as asked; nothing was changed."""


def _log(actor, action: str, target: dict, reason: str) -> CurationLog:
    return CurationLog.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        target=target,
        reason=reason,
    )


def _refresh_graph(researcher_ids) -> None:
    try:
        from graph.actions import refresh_researchers
    except ImportError:
        return
    transaction.on_commit(lambda: refresh_researchers(sorted(set(researcher_ids))))


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
    _log(
        actor,
        CurationLog.Action.HIDE if hidden else CurationLog.Action.UNHIDE,
        {"work": work.pk},
        reason,
    )
    if work.is_hidden == hidden:
        return False
    work.is_hidden = hidden
    work.save(update_fields=["is_hidden", "updated_at"])
    _refresh_graph(_researchers_of([work.pk]))
    return True


def _move_authorships(from_pk: int, to_pk: int, work_ids=None) -> int:
    qs = Authorship.objects.filter(researcher_id=from_pk)
    if work_ids is not None:
        qs = qs.filter(work_id__in=work_ids)
    return qs.update(researcher_id=to_pk)


@transaction.atomic
def merge_researchers(
    source: Researcher, target: Researcher, actor, reason: str = ""
) -> Researcher:
    """Fold ``source`` into ``target``: its authorships, follows and owner move, its open claims
    are closed, and its page redirects to target's. Refused, changing nothing, when both
    records are claimed."""
    if source.pk == target.pk:
        raise CurationError("A record cannot be merged into itself.")
    # In id order, as the graph refresh and claims lock, so crossed merges queue.
    locked = lock_in_id_order(Researcher, [source.pk, target.pk])
    source, target = locked[source.pk], locked[target.pk]
    if target.merged_into_id:
        raise CurationError(f"{target} is itself merged into another record; merge into that one.")
    if source.merged_into_id:
        raise CurationError(f"{source} is already merged into another record.")
    if source.owner_id is not None and target.owner_id is not None:
        raise CurationError(
            f"Both records are claimed (#{source.pk} and #{target.pk}): one owner must release "
            "theirs before they can be merged."
        )
    _move_authorships(source.pk, target.pk)
    held = set(
        Affiliation.objects.filter(researcher=target).values_list("institution_id", flat=True)
    )
    Affiliation.objects.filter(researcher=source).exclude(institution_id__in=held).update(
        researcher=target
    )
    Researcher.objects.filter(merged_into=source).update(merged_into=target)
    alternatives = list(
        dict.fromkeys(
            [
                *target.display_name_alternatives,
                source.display_name,
                *source.display_name_alternatives,
            ]
        )
    )
    target.display_name_alternatives = [n for n in alternatives if n != target.display_name]
    target.save(update_fields=["display_name_alternatives", "updated_at"])
    source.merged_into = target
    source.save(update_fields=["merged_into", "updated_at"])
    # Owner, claims and followers go only through their own apps' actions.
    try:
        claims_actions.transfer_ownership_for_merge(source, target, actor)
    except claims_actions.ClaimError as exc:
        raise CurationError(str(exc)) from exc
    follows_actions.move_follows(source, target)
    target.refresh_from_db(fields=["owner", "staff_verified", "followers_count"])
    _log(actor, CurationLog.Action.MERGE, {"source": source.pk, "target": target.pk}, reason)
    _refresh_graph([source.pk, target.pk])
    return target


@transaction.atomic
def split_works(
    researcher: Researcher, work_ids, actor, reason: str = "", display_name: str = ""
) -> Researcher:
    """Move the listed works of ``researcher`` onto a new curated record (a homonym's)."""
    researcher = Researcher.objects.select_for_update().get(pk=researcher.pk)
    work_ids = sorted(
        set(
            Authorship.objects.filter(researcher=researcher, work_id__in=work_ids).values_list(
                "work_id", flat=True
            )
        )
    )
    if not work_ids:
        raise CurationError("None of the selected works belongs to this record.")
    new = Researcher.objects.create(
        display_name=display_name.strip() or researcher.display_name,
        origin=Researcher.Origin.CURATED,
    )
    _move_authorships(researcher.pk, new.pk, work_ids)
    _log(
        actor,
        CurationLog.Action.SPLIT,
        {"from": researcher.pk, "to": new.pk, "works": work_ids},
        reason,
    )
    _refresh_graph([researcher.pk, new.pk])
    return new


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
    _log(
        actor,
        CurationLog.Action.CSL_IMPORT,
        {"researcher": researcher.pk, "items": len(items)},
        reason,
    )
    _refresh_graph([researcher.pk])
    return stats


@transaction.atomic
def reapply_curation() -> dict[str, int]:
    """Replay every curation in order over what the last import wrote. Idempotent."""
    counts = {"hidden": 0, "shown": 0, "moved": 0, "remerged": 0}
    hidden_state: dict[int, bool] = {}
    for entry in CurationLog.objects.order_by("created_at", "pk").iterator():
        target = entry.target or {}
        if entry.action in (CurationLog.Action.HIDE, CurationLog.Action.UNHIDE):
            hidden_state[target["work"]] = entry.action == CurationLog.Action.HIDE
        elif entry.action == CurationLog.Action.MERGE:
            source_pk = target["source"]
            # A target that no longer resolves (deleted, or a chain broken by hand) is skipped:
            # re-pointing the source into a broken chain would only lengthen it.
            target_pk = Researcher.objects.resolve_pks([target["target"]]).get(target["target"])
            if target_pk is None or source_pk == target_pk:
                continue
            counts["remerged"] += (
                Researcher.objects.filter(pk=source_pk)
                .exclude(merged_into_id=target_pk)
                .update(merged_into_id=target_pk)
            )
            counts["moved"] += _move_authorships(source_pk, target_pk)
        elif entry.action == CurationLog.Action.SPLIT:
            counts["moved"] += _move_authorships(target["from"], target["to"], target["works"])
            canonical = Researcher.objects.resolve_pks([target["from"]]).get(target["from"])
            if canonical is not None and canonical != target["from"]:
                counts["moved"] += _move_authorships(canonical, target["to"], target["works"])
    for hidden in (True, False):
        ids = [pk for pk, state in hidden_state.items() if state is hidden]
        changed = Work.objects.filter(pk__in=ids).exclude(is_hidden=hidden).update(is_hidden=hidden)
        counts["hidden" if hidden else "shown"] += changed
    # Imports that matched curated works: their curated fields hold (works/matching.py, which
    # builds on this module, hence imported here).
    from works.matching import reapply_matches

    counts["rematched"] = reapply_matches()
    return counts
