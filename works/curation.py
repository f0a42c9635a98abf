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
from django.db.models import Q

from works.models import Authorship, CurationLog, Researcher, Work
from works.signals import announce_researchers_changed


class CurationError(ValueError):
    """A curation that cannot be done as asked; nothing was changed."""


def log_curation(
    actor, action: str, target: dict, reason: str, *, researcher: Researcher | int | None = None
) -> CurationLog:
    """Append one entry to the curation log (anonymous actors are logged as nobody);
    ``researcher`` is the record the entry is about, listed in its history."""
    return CurationLog.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        target=target,
        reason=reason,
        researcher_id=researcher.pk if isinstance(researcher, Researcher) else researcher,
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
        researcher=researcher,
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


# "Not mine": a record's owner takes a work off their record; the co-authors keep it.
# Entry target: {"researcher": pk, "work": pk, "orders": [authorship orders unlinked]}.


def _record_and_merged(researcher_pk: int) -> set[int]:
    """The record, the live record it resolves to, and the records merged into either: an
    import may credit the work to any of them before the merge replay moves it."""
    pks = {researcher_pk}
    live = Researcher.objects.resolve_pks([researcher_pk]).get(researcher_pk)
    if live is not None:
        pks.add(live)
    pks |= set(Researcher.objects.filter(merged_into_id__in=pks).values_list("pk", flat=True))
    return pks


def unlink_from_record(researcher_pk: int, work_pk: int) -> list[int]:
    """Unlink the record from its authorships of the work (the authors stay, with no record).
    Returns the orders unlinked; a second call unlinks nothing."""
    rows = Authorship.objects.filter(
        work_id=work_pk, researcher_id__in=_record_and_merged(researcher_pk)
    )
    orders = sorted(rows.values_list("order", flat=True))
    if orders:
        Authorship.objects.filter(work_id=work_pk, order__in=orders).update(researcher=None)
    return orders


def relink_to_record(researcher_pk: int, work_pk: int, orders: list[int]) -> int:
    """Give the record (or the live record it was merged into) back the authorships at
    ``orders`` of the work that no record holds. Returns how many; a second call, none."""
    live = Researcher.objects.resolve_pks([researcher_pk]).get(researcher_pk)
    if live is None:
        return 0
    return Authorship.objects.filter(
        work_id=work_pk, order__in=orders, researcher__isnull=True
    ).update(researcher_id=live)


@replays(CurationLog.Action.NOT_MINE)
def _replay_not_mine(entry: CurationLog, counts: dict[str, int]) -> None:
    # Wherever the import put the record on the work, it comes off again.
    counts["unlinked"] += len(unlink_from_record(entry.target["researcher"], entry.target["work"]))


@replays(CurationLog.Action.MINE_AGAIN)
def _replay_mine_again(entry: CurationLog, counts: dict[str, int]) -> None:
    target = entry.target
    counts["relinked"] += relink_to_record(target["researcher"], target["work"], target["orders"])


def standing_not_mine(researcher_pk: int, work_pks=None) -> dict[int, CurationLog]:
    """{work pk: the last "not mine" or "mine again" entry on it} for the record, among the
    entries no revert took back (of ``work_pks`` only, if given), in one query: the record's
    reverts are read with them, as ``works.reverts`` logs a revert on the record it is about."""
    revert = CurationLog.Action.REVERT
    entries = CurationLog.objects.filter(
        researcher_id=researcher_pk,
        action__in=[CurationLog.Action.NOT_MINE, CurationLog.Action.MINE_AGAIN, revert],
    )
    if work_pks is not None:
        entries = entries.filter(Q(target__work__in=list(work_pks)) | Q(action=revert))
    entries = list(entries.order_by("created_at", "pk"))
    reverted = {entry.target.get("entry") for entry in entries if entry.action == revert}
    last: dict[int, CurationLog] = {}
    for entry in entries:
        work = entry.target.get("work")
        if entry.action != revert and entry.pk not in reverted and isinstance(work, int):
            last[work] = entry
    return last


def not_mine_marks(researcher_pk: int) -> dict[int, CurationLog]:
    """{work pk: the "not mine" entry} of the works the record's owner took off it and did not
    take back (``standing_not_mine``); one query."""
    return {
        work: entry
        for work, entry in standing_not_mine(researcher_pk).items()
        if entry.action == CurationLog.Action.NOT_MINE
    }


# What an owner's IDENTITY entry may set (claims.identity writes them), in words for the
# history. Replay re-applies the first three, which an import may overwrite; imports never write
# the rest, so their entries are there for the history and for staff to revert.
OWNER_FIELDS = {
    "display_name": "name",
    "hidden_name_variants": "name variants shown",
    "research_interests": "research interests",
    "summary": "summary",
    "open_to_collaborate": "openness to collaborate",
    "links": "links",
}
IDENTITY_FIELDS = ("display_name", "hidden_name_variants", "research_interests")


@replays(CurationLog.Action.IDENTITY)
def _replay_identity(entry: CurationLog, counts: dict[str, int]) -> None:
    """The name, hidden name variants and interests the owner chose hold over what an import
    wrote; the name an import put back stays a known variant (as when the owner chose)."""
    changes = entry.target.get("changes") or {}
    researcher = Researcher.objects.filter(pk=entry.target.get("researcher")).first()
    if researcher is None:
        return
    fields = {f: v for f, v in changes.items() if f in IDENTITY_FIELDS}
    changed = [f for f, v in fields.items() if getattr(researcher, f) != v]
    if not changed:
        return
    if "display_name" in changed:
        alternatives = list(researcher.display_name_alternatives or [])
        if researcher.display_name not in alternatives:
            researcher.display_name_alternatives = [*alternatives, researcher.display_name]
            changed.append("display_name_alternatives")
    for field in fields:
        setattr(researcher, field, fields[field])
    researcher.save(update_fields=[*changed, "updated_at"])
    counts["identity"] += 1


def reverted_entries() -> set[int]:
    """Ids of the entries a later ``REVERT`` (or, for a merge, ``UNMERGE``) entry took back:
    replay skips them."""
    undoing = [CurationLog.Action.REVERT, CurationLog.Action.UNMERGE]
    return {
        pk
        for pk in CurationLog.objects.filter(action__in=undoing).values_list(
            "target__entry", flat=True
        )
        if isinstance(pk, int)
    }


@replays(CurationLog.Action.UNMERGE)
def _replay_unmerge(entry: CurationLog, counts: dict[str, int]) -> None:
    """The merge it undid is skipped; a source an import re-pointed is unmerged again."""
    Researcher.objects.filter(
        pk=entry.target["source"], merged_into_id=entry.target["target"]
    ).update(merged_into=None)


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


# What each kind of entry did, in plain words; {fields} name the records and works of its target.
SENTENCES = {
    CurationLog.Action.HIDE: "Hid {work}",
    CurationLog.Action.UNHIDE: "Showed {work} again",
    CurationLog.Action.MERGE: "Merged {source} into {target}",
    CurationLog.Action.UNMERGE: "Undid the merge of {source} into {target}",
    CurationLog.Action.SPLIT: "Moved {works} from {from} to {to}",
    CurationLog.Action.CSL_IMPORT: "Imported {items} CSL items for {researcher}",
    CurationLog.Action.MATCH: "Matched an imported record to the curated {work}",
    CurationLog.Action.UNMATCH: "Undid an import's match of {work}",
    CurationLog.Action.NOT_MINE: "Removed {work} from {researcher} (not theirs)",
    CurationLog.Action.MINE_AGAIN: "Gave {work} back to {researcher}",
    CurationLog.Action.OWNER_ADD: "Added {work} to {researcher}",
    CurationLog.Action.IDENTITY: "Edited the {changes} of {researcher}",
    CurationLog.Action.REVERT: "Reverted entry #{entry}",
}
_PEOPLE_KEYS = ("source", "target", "from", "to", "researcher")


def describe_entries(entries) -> dict[int, str]:
    """{entry pk: what it did, in plain words naming its records and works}, for lists of log
    entries: two queries whatever their number."""
    entries = list(entries)
    people_ids = {
        pk
        for e in entries
        for key in _PEOPLE_KEYS
        if isinstance(pk := (e.target or {}).get(key), int)
    }
    work_ids = {pk for e in entries for pk in _work_ids(e.target or {})}
    people = dict(Researcher.objects.filter(pk__in=people_ids).values_list("pk", "display_name"))
    titles = dict(Work.objects.filter(pk__in=work_ids).values_list("pk", "title"))

    def person(pk) -> str:
        return f"{people[pk]} (#{pk})" if pk in people else f"record #{pk} (gone)"

    def work(pk) -> str:
        return f"“{titles[pk]}” (#{pk})" if pk in titles else f"work #{pk} (gone)"

    def describe(entry) -> str:
        target = entry.target or {}
        fields = {key: person(target.get(key)) for key in _PEOPLE_KEYS}
        fields |= {
            "work": work(target.get("work")),
            "works": ", ".join(work(pk) for pk in target.get("works", [])),
            "items": target.get("items", 0),
            "entry": target.get("entry"),
            "changes": _in_words(target.get("changes") or {}),
        }
        sentence = SENTENCES.get(entry.action)
        return sentence.format_map(fields) if sentence else entry.get_action_display()

    return {entry.pk: describe(entry) for entry in entries}


def _in_words(changes: dict) -> str:
    words = [OWNER_FIELDS[f] for f in OWNER_FIELDS if f in changes]
    words += [f.replace("_", " ") for f in changes if f not in OWNER_FIELDS]
    if not words:
        return "nothing"
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def _work_ids(target: dict) -> list[int]:
    ids = [target.get("work"), *target.get("works", [])]
    return [pk for pk in ids if isinstance(pk, int)]


# Works a record's owner added ------------------------------------------------------------------


class AddedWork:
    """How an added work came onto the record (``attach_added_work``'s answer)."""

    MATCHED = "matched"  # an author of the work, by name, is now this record
    ASSERTED = "asserted"  # no author's name fits: the owner's word, marked as such
    ALREADY_LISTED = "already_listed"  # it was on the record before: nothing was changed


def _canonical_pk(researcher_pk: int) -> int | None:
    return Researcher.objects.resolve_pks([researcher_pk]).get(researcher_pk)


def _matching_authorship(authorships, researcher: Researcher):
    """The first authorship whose name fits one of the researcher's names and that no other
    owned record holds (the owner may take an author slot from an unclaimed record, never from
    another person's record)."""
    from works.importers.names import names_compatible, researcher_names

    names = researcher_names(researcher)
    for authorship in authorships:
        holder = authorship.researcher
        if holder is not None and holder.owner_id is not None:
            continue
        if any(names_compatible(authorship.raw_author_name, name) for name in names):
            return authorship
    return None


@transaction.atomic
def attach_added_work(work: Work, researcher: Researcher, actor, identifier: str) -> str:
    """Put ``work`` on ``researcher``'s record at its owner's request (``identifier``: the DOI or
    arXiv id they gave), and log it (``OWNER_ADD``) so every later import keeps it there.

    The work's author whose name fits the record's becomes this record (``MATCHED``; so does
    an author slot the import just credited to the record); when no name fits, an authorship
    marked ``added_by_owner`` is appended (``ASSERTED``). The caller tells a work that was on
    the record before apart (``ALREADY_LISTED``: nothing to do)."""
    researcher = Researcher.objects.resolve(researcher.pk) or researcher
    authorships = list(
        Authorship.objects.select_for_update(of=("self",))
        .filter(work=work)
        .select_related("researcher")
        .order_by("order")
    )
    changed = {researcher.pk}
    credited = next((a for a in authorships if a.researcher_id == researcher.pk), None)
    match = None if credited else _matching_authorship(authorships, researcher)
    if credited is not None:
        order, outcome = credited.order, AddedWork.MATCHED
    elif match is not None:
        if match.researcher_id is not None:
            changed.add(match.researcher_id)
        match.researcher = researcher
        match.save(update_fields=["researcher"])
        order, outcome = match.order, AddedWork.MATCHED
    else:
        order = max((a.order for a in authorships), default=-1) + 1
        Authorship.objects.create(
            work=work,
            researcher=researcher,
            order=order,
            raw_author_name=researcher.display_name[:500],
            added_by_owner=True,
        )
        outcome = AddedWork.ASSERTED
    log_curation(
        actor,
        CurationLog.Action.OWNER_ADD,
        {"work": work.pk, "order": order, "how": outcome, "identifier": identifier},
        "",
        researcher=researcher,
    )
    announce_on_commit(changed)
    return outcome


@replays(CurationLog.Action.OWNER_ADD)
def _replay_owner_add(entry: CurationLog, counts: dict[str, int]) -> None:
    """The work is on the record again: the matched author slot points back at it (an import
    re-points it to the source's author), or the owner's own authorship is there (imports keep
    it; this restores one removed by hand)."""
    target = entry.target
    researcher_pk = _canonical_pk(entry.researcher_id) if entry.researcher_id else None
    if researcher_pk is None or not Work.objects.filter(pk=target.get("work")).exists():
        return
    on_work = Authorship.objects.filter(work_id=target["work"])
    if target.get("how") == AddedWork.MATCHED:
        slot = on_work.filter(order=target["order"]).exclude(researcher_id=researcher_pk)
        if not slot.exclude(researcher__owner__isnull=False).exists():
            return  # the slot is the record's, or another owner's record holds it now
        # An import that gave the slot back to the source's author moved a record without an
        # OpenAlex id aside, as it does curated authorships: that copy goes, the slot returns.
        on_work.filter(
            researcher_id=researcher_pk, added_by_owner=False, order__gt=target["order"]
        ).delete()
        counts["owner_added"] += slot.update(researcher_id=researcher_pk)
        return
    if on_work.filter(researcher_id=researcher_pk).exists():
        return
    last = max(on_work.values_list("order", flat=True), default=-1)
    researcher = Researcher.objects.get(pk=researcher_pk)
    Authorship.objects.create(
        work_id=target["work"],
        researcher=researcher,
        order=last + 1,
        raw_author_name=researcher.display_name[:500],
        added_by_owner=True,
    )
    counts["owner_added"] += 1
