"""Merging and splitting researcher records: the people-level corrections staff make.

A merge folds one record into another (its works, affiliations and name variants move; its page
redirects); a split moves some works onto a new record (a homonym's). Both are logged in the
works curation log and replayed after every import (``works.curation.reapply_curation``).

The owner, the claims and the followers of a merged record belong to the apps above this one:
they move them in receivers of :data:`researcher_merged`, sent inside the merge's transaction.
"""

from __future__ import annotations

from django.db import transaction
from django.dispatch import Signal

from bzpeer.locking import lock_in_id_order
from works.curation import (
    CurationError,
    announce_on_commit,
    log_curation,
    move_authorships,
    reverted_entries,
)
from works.models import Affiliation, Authorship, CurationLog, Researcher

# Sent with ``source``, ``target`` (both locked) and ``actor`` while a merge is in progress.
# Receivers move what they own from source to target and return what an undo needs to put it
# back (JSON-able, kept in the log entry); raising CurationError refuses the merge.
researcher_merged = Signal()
# Sent with ``source``, ``target``, ``actor`` and ``moved`` ({app label: what that app's receiver
# returned at the merge}) when a merge is undone: receivers put back what they moved.
researcher_unmerged = Signal()


def _app_of(receiver) -> str:
    return receiver.__module__.split(".")[0]


def different_orcids(source: Researcher, target: Researcher) -> bool:
    """Both records carry an ORCID, and not the same one: most likely two people."""
    return bool(source.orcid and target.orcid and source.orcid != target.orcid)


@transaction.atomic
def merge_researchers(
    source: Researcher,
    target: Researcher,
    actor,
    reason: str = "",
    *,
    allow_different_orcids: bool = False,
) -> Researcher:
    """Fold ``source`` into ``target``: its authorships, follows and owner move, its open claims
    are closed, and its page redirects to target's. Refused, changing nothing, when both
    records are claimed, and when they carry different ORCIDs unless ``allow_different_orcids``.
    What moved is logged, so :func:`unmerge` gives back exactly the two records."""
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
    if different_orcids(source, target) and not allow_different_orcids:
        raise CurationError(
            f"The records carry different ORCIDs ({source.orcid} and {target.orcid}), so they "
            "are most likely two people. Merge them only if you are sure, with the override."
        )
    moved = sorted(Authorship.objects.filter(researcher=source).values_list("work_id", "order"))
    move_authorships(source.pk, target.pk)
    held = set(
        Affiliation.objects.filter(researcher=target).values_list("institution_id", flat=True)
    )
    moved_affiliations = sorted(
        Affiliation.objects.filter(researcher=source)
        .exclude(institution_id__in=held)
        .values_list("institution_id", flat=True)
    )
    Affiliation.objects.filter(researcher=source, institution_id__in=moved_affiliations).update(
        researcher=target
    )
    merged_before = sorted(
        Researcher.objects.filter(merged_into=source).values_list("pk", flat=True)
    )
    Researcher.objects.filter(pk__in=merged_before).update(merged_into=target)
    alternatives_before = list(target.display_name_alternatives)
    alternatives = list(
        dict.fromkeys(
            [*alternatives_before, source.display_name, *source.display_name_alternatives]
        )
    )
    target.display_name_alternatives = [n for n in alternatives if n != target.display_name]
    target.save(update_fields=["display_name_alternatives", "updated_at"])
    source.merged_into = target
    source.save(update_fields=["merged_into", "updated_at"])
    # Owner, claims and followers belong to the apps above; they move them in their receivers.
    # A receiver that refuses raises CurationError, and the whole merge is rolled back.
    responses = researcher_merged.send(sender=Researcher, source=source, target=target, actor=actor)
    target.refresh_from_db(fields=["owner", "staff_verified", "followers_count"])
    log_curation(
        actor,
        CurationLog.Action.MERGE,
        {
            "source": source.pk,
            "target": target.pk,
            "authorships": [list(pair) for pair in moved],
            "affiliations": moved_affiliations,
            "merged_before": merged_before,
            "alternatives_before": alternatives_before,
            "apps": {_app_of(r): response for r, response in responses if response is not None},
        },
        reason,
        researcher=target,
    )
    announce_on_commit([source.pk, target.pk])
    return target


def merge_entry_of(source: Researcher) -> CurationLog | None:
    """The log entry of the merge that folded ``source`` into its current record."""
    return (
        CurationLog.objects.filter(
            action=CurationLog.Action.MERGE,
            target__source=source.pk,
            target__target=source.merged_into_id,
        )
        .exclude(pk__in=reverted_entries())
        .order_by("-created_at", "-pk")
        .first()
    )


@transaction.atomic
def unmerge(source: Researcher, actor, reason: str = "") -> Researcher:
    """Undo the merge of ``source``: it gets back its page (no redirect), its authorships (the
    works it brought, at their positions), its affiliations and the records merged into it
    before, and the apps above put back its owner and followers; the record it was merged into
    gets back its own name variants. Returns ``source``. The merge entry is skipped by every
    later replay."""
    source = Researcher.objects.get(pk=source.pk)
    if source.merged_into_id is None:
        raise CurationError(f"{source} is not merged into another record.")
    locked = lock_in_id_order(Researcher, [source.pk, source.merged_into_id])
    source, target = locked[source.pk], locked[source.merged_into_id]
    entry = merge_entry_of(source)
    if entry is None:
        raise CurationError(
            f"No logged merge of #{source.pk} into #{target.pk}: it cannot be undone exactly."
        )
    logged = entry.target
    for work_id, order in logged.get("authorships", []):
        Authorship.objects.filter(work_id=work_id, order=order, researcher=target).update(
            researcher=source
        )
    Affiliation.objects.filter(
        researcher=target, institution_id__in=logged.get("affiliations", [])
    ).update(researcher=source)
    Researcher.objects.filter(pk__in=logged.get("merged_before", []), merged_into=target).update(
        merged_into=source
    )
    if "alternatives_before" in logged:
        target.display_name_alternatives = logged["alternatives_before"]
        target.save(update_fields=["display_name_alternatives", "updated_at"])
    source.merged_into = None
    source.save(update_fields=["merged_into", "updated_at"])
    # Each app finds under its own name what its receiver returned at the merge.
    researcher_unmerged.send(
        sender=Researcher, source=source, target=target, actor=actor, moved=logged.get("apps", {})
    )
    target.refresh_from_db(fields=["owner", "staff_verified", "followers_count"])
    log_curation(
        actor,
        CurationLog.Action.UNMERGE,
        {"entry": entry.pk, "source": source.pk, "target": target.pk},
        reason,
        researcher=source,
    )
    announce_on_commit([source.pk, target.pk])
    return source


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
    move_authorships(researcher.pk, new.pk, work_ids)
    log_curation(
        actor,
        CurationLog.Action.SPLIT,
        {"from": researcher.pk, "to": new.pk, "works": work_ids},
        reason,
        researcher=researcher,
    )
    announce_on_commit([researcher.pk, new.pk])
    return new
