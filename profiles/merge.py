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
from works.curation import CurationError, announce_on_commit, log_curation, move_authorships
from works.models import Affiliation, Authorship, CurationLog, Researcher

# Sent with ``source``, ``target`` (both locked) and ``actor`` while a merge is in progress.
# Receivers move what they own from source to target; raising CurationError refuses the merge.
researcher_merged = Signal()


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
    move_authorships(source.pk, target.pk)
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
    # Owner, claims and followers belong to the apps above; they move them in their receivers.
    # A receiver that refuses raises CurationError, and the whole merge is rolled back.
    researcher_merged.send(sender=Researcher, source=source, target=target, actor=actor)
    target.refresh_from_db(fields=["owner", "staff_verified", "followers_count"])
    log_curation(
        actor, CurationLog.Action.MERGE, {"source": source.pk, "target": target.pk}, reason
    )
    announce_on_commit([source.pk, target.pk])
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
    move_authorships(researcher.pk, new.pk, work_ids)
    log_curation(
        actor,
        CurationLog.Action.SPLIT,
        {"from": researcher.pk, "to": new.pk, "works": work_ids},
        reason,
    )
    announce_on_commit([researcher.pk, new.pk])
    return new
