"""The children of the works an OpenAlex import writes: authorships (with their institution
links) and work topics.

``Previous`` reads what the database held for a batch's stored works before the batch;
``sync_authorships`` and ``sync_topics`` then make those rows what the records say, touching only
rows that differ, in a constant number of queries whatever the batch size (the snapshot import
writes tens of thousands of authorships a second). A second import of the same records finds
nothing to write. ``sync_references`` does the same for the works each work cites.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field

from django.db.models import F

from works.importers.bulk_insert import insert_rows
from works.importers.openalex_records import AuthorshipRecord, WorkRecord
from works.importers.openalex_upserts import apply_fields
from works.models import Authorship, WorkReference, WorkTopic


@dataclass
class Previous:
    """What the database held before the batch for its stored works: their authorships,
    institution links and topics. The rows are the ones the batch then updates in place."""

    # (work pk, order) -> authorship from the source (its researcher has an OpenAlex id, or none).
    authorships: dict[tuple[int, int], Authorship] = field(default_factory=dict)
    # work pk -> authorships linking a researcher without an OpenAlex id (curated, arXiv), and
    # those a record's owner added.
    curated: dict[int, list[Authorship]] = field(default_factory=dict)
    last_order: dict[int, int] = field(default_factory=dict)  # work pk -> highest order in use
    links: dict[int, set[int]] = field(default_factory=dict)  # authorship pk -> institution pks
    topics: dict[tuple[int, int], WorkTopic] = field(default_factory=dict)  # (work pk, topic pk)

    @classmethod
    def load(cls, work_pks: list[int]) -> "Previous":
        previous = cls()
        if not work_pks:
            return previous
        authorships = Authorship.objects.filter(work_id__in=work_pks).annotate(
            researcher_openalex_id=F("researcher__openalex_id")
        )
        for row in authorships:
            # An authorship the record's owner added is theirs, not the source's, whatever
            # record it links: kept like the curated ones.
            if row.added_by_owner or (
                row.researcher_id is not None and row.researcher_openalex_id is None
            ):
                previous.curated.setdefault(row.work_id, []).append(row)
            else:
                previous.authorships[row.work_id, row.order] = row
            previous.last_order[row.work_id] = max(
                row.order, previous.last_order.get(row.work_id, -1)
            )
        through = Authorship.institutions.through
        for authorship_id, institution_id in through.objects.filter(
            authorship__work_id__in=work_pks
        ).values_list("authorship_id", "institution_id"):
            previous.links.setdefault(authorship_id, set()).add(institution_id)
        previous.topics = {
            (t.work_id, t.topic_id): t for t in WorkTopic.objects.filter(work_id__in=work_pks)
        }
        return previous


@dataclass
class _AuthorshipWrites:
    """The writes that make a batch's authorships what the records say, gathered first."""

    # ((work pk, order, researcher pk), (position, raw author name), institution pks)
    new: list[tuple[tuple, tuple, set[int]]] = field(default_factory=list)
    changed: list[Authorship] = field(default_factory=list)
    stale: list[int] = field(default_factory=list)
    reset_links: list[int] = field(default_factory=list)  # authorships whose links are replaced
    new_links: list[tuple[int, int]] = field(default_factory=list)  # (authorship, institution)

    def apply(self) -> None:
        through = Authorship.institutions.through
        if self.stale:
            Authorship.objects.filter(pk__in=self.stale).delete()
        if self.reset_links:
            through.objects.filter(authorship_id__in=self.reset_links).delete()
        if self.changed:
            Authorship.objects.bulk_update(
                self.changed, ["researcher", "position", "raw_author_name", "order"]
            )
        if self.new:
            self.new_links.extend(self._insert_new())
        if self.new_links:
            insert_rows(
                through, ["authorship_id", "institution_id"], self.new_links, ignore_conflicts=True
            )

    def _insert_new(self) -> list[tuple[int, int]]:
        """Insert the new authorships; returns their (authorship pk, institution pk) links."""
        # Every column named, added_by_owner too (an import's authorships are the source's):
        # insert_rows takes its COPY path only when no column is left to its default.
        inserted = insert_rows(
            Authorship,
            ["work_id", "order", "researcher_id", "position", "raw_author_name", "added_by_owner"],
            [(*ids, *text, False) for ids, text, _ in self.new],
            returning=["work_id", "order", "id"],
        )
        pks = {(work_pk, order): pk for work_pk, order, pk in inserted}
        if None in pks.values():
            # Backends that cannot return ids from a bulk insert: read them back.
            pks = {
                (w, o): pk
                for w, o, pk in Authorship.objects.filter(
                    work_id__in={ids[0] for ids, _, _ in self.new}
                ).values_list("work_id", "order", "pk")
            }
        return [(pks[ids[:2]], i) for ids, _, institutions in self.new for i in institutions]


def sync_authorships(
    records: list[WorkRecord],
    pk_by_id: dict[str, int],
    previous: Previous,
    *,
    researchers: dict[str, int],
    institutions: dict[str, int],
) -> set[str]:
    """Make the authorships (with their institutions) of each work whose record has the key
    what the record says, touching only rows that differ. Returns the OpenAlex ids of the works
    whose authorships changed. ``pk_by_id``: the pk of each work, by OpenAlex id;
    ``researchers``: the pk of each author's canonical record; ``institutions``: institution pks.

    An authorship linking a researcher without an OpenAlex id (a curated or arXiv record, on a
    work adopted by DOI) is curation the source cannot know about: it is kept, moved after the
    source's authors if the source now uses its place.
    """
    writes, touched = _AuthorshipWrites(), set()
    managed: dict[int, str] = {}  # work pk -> OpenAlex id, for the works whose record has the key
    wanted: set[tuple[int, int]] = set()  # (work pk, order) the records name
    for record in records:
        work_pk = pk_by_id.get(record.openalex_id)
        authorships = record.authorships
        if work_pk is None or authorships is None:
            continue
        managed[work_pk] = record.openalex_id
        wanted.update((work_pk, a.order) for a in authorships)
        moved = _move_curated(authorships, work_pk, previous, writes)
        diffs = _diff_authorships(
            authorships,
            work_pk,
            previous,
            writes,
            researchers=researchers,
            institution_pks=institutions,
        )
        if diffs or moved:
            touched.add(record.openalex_id)
    writes.stale = _stale(previous.authorships, wanted, managed, touched)
    writes.apply()
    return touched


def _move_curated(
    authorships: list[AuthorshipRecord], work_pk: int, previous: Previous, writes: _AuthorshipWrites
) -> bool:
    """Move the work's curated authorships that sit where the source now puts one of its
    authors (``authorships``, from the work's record) after every order in use; True if one
    moved."""
    curated = previous.curated.get(work_pk)
    if not curated:
        return False
    source_orders = {a.order for a in authorships}
    next_free = max(len(authorships), previous.last_order.get(work_pk, -1) + 1)
    moved = False
    for row in curated:
        if row.order in source_orders:
            # Beyond every order in use, so the move cannot collide with a row.
            row.order, next_free = next_free, next_free + 1
            writes.changed.append(row)
            moved = True
    return moved


def _diff_authorships(
    authorships: list[AuthorshipRecord],
    work_pk: int,
    previous: Previous,
    writes: _AuthorshipWrites,
    *,
    researchers: dict[str, int],
    institution_pks: dict[str, int],
) -> bool:
    """Gather the writes that make one work's authorships from the source what its record
    says (``authorships``); True if there are any."""
    changed = False
    for authorship in authorships:
        author = authorship.author
        researcher_pk = researchers.get(author.openalex_id) if author else None
        institutions = {institution_pks[i] for i in authorship.institutions if i in institution_pks}
        row = previous.authorships.get((work_pk, authorship.order))
        if row is None:
            writes.new.append(
                (
                    (work_pk, authorship.order, researcher_pk),
                    (authorship.position, authorship.raw_author_name),
                    institutions,
                )
            )
            changed = True
            continue
        fields = {
            "researcher_id": researcher_pk,
            "position": authorship.position,
            "raw_author_name": authorship.raw_author_name,
        }
        if apply_fields(row, fields):
            writes.changed.append(row)
            changed = True
        if previous.links.get(row.pk, set()) != institutions:
            writes.reset_links.append(row.pk)
            writes.new_links.extend((row.pk, i) for i in institutions)
            changed = True
    return changed


def sync_topics(
    records: list[WorkRecord],
    pk_by_id: dict[str, int],
    topic_pks: dict[str, int],
    previous: Previous,
) -> set[str]:
    """Make the topics (with their scores) of each work whose record has ``topics`` or
    ``primary_topic`` what the record says, touching only rows that differ. Returns the
    OpenAlex ids of the works whose topics changed."""
    new, changed, touched = [], [], set()
    managed: dict[int, str] = {}  # work pk -> OpenAlex id, for the works whose record has topics
    wanted: set[tuple[int, int]] = set()  # (work pk, topic pk) the records name
    for record in records:
        work_pk = pk_by_id.get(record.openalex_id)
        if work_pk is None or record.topic_scores is None:
            continue
        managed[work_pk] = record.openalex_id
        for topic_id, score in record.topic_scores.items():
            if (topic_pk := topic_pks.get(topic_id)) is None:
                continue
            wanted.add((work_pk, topic_pk))
            row = previous.topics.get((work_pk, topic_pk))
            if row is None:
                new.append((work_pk, topic_pk, score))
            elif row.score != score:
                row.score = score
                changed.append(row)
            else:
                continue
            touched.add(record.openalex_id)
    if stale := _stale(previous.topics, wanted, managed, touched):
        WorkTopic.objects.filter(pk__in=stale).delete()
    if changed:
        WorkTopic.objects.bulk_update(changed, ["score"])
    if new:
        insert_rows(WorkTopic, ["work_id", "topic_id", "score"], new, ignore_conflicts=True)
    return touched


def sync_references(records: list[WorkRecord], pk_by_id: dict[str, int]) -> set[str]:
    """Make the references of each work whose record has ``referenced_works`` what the record
    says (three queries at most whatever the batch size). Returns the OpenAlex ids of the works
    whose references changed."""
    # work pk -> (OpenAlex id, references), for the works whose record has the key
    managed = {
        pk_by_id[r.openalex_id]: (r.openalex_id, r.references)
        for r in records
        if r.references is not None and r.openalex_id in pk_by_id
    }
    if not managed:
        return set()
    stored: dict[int, dict[str, int]] = {}
    for pk, work_pk, cited in WorkReference.objects.filter(work_id__in=list(managed)).values_list(
        "pk", "work_id", "cited_openalex_id"
    ):
        stored.setdefault(work_pk, {})[cited] = pk
    new, stale, touched = [], [], set()
    for work_pk, (openalex_id, references) in managed.items():
        have = stored.get(work_pk, {})
        wanted = set(references)
        added = [(work_pk, cited) for cited in references if cited not in have]
        removed = [pk for cited, pk in have.items() if cited not in wanted]
        if added or removed:
            new.extend(added)
            stale.extend(removed)
            touched.add(openalex_id)
    if stale:
        WorkReference.objects.filter(pk__in=stale).delete()
    if new:
        insert_rows(WorkReference, ["work_id", "cited_openalex_id"], new, ignore_conflicts=True)
    return touched


def _stale(
    rows: Mapping[tuple[int, int], Authorship | WorkTopic],
    wanted: set[tuple[int, int]],
    managed: dict[int, str],
    touched: set[str],
) -> list[int]:
    """Pks of the previous rows, keyed (work pk, ...), of the works the batch manages that the
    records no longer name; their works are added to ``touched``."""
    stale = []
    for key, row in rows.items():
        if key[0] in managed and key not in wanted:
            stale.append(row.pk)
            touched.add(managed[key[0]])
    return stale
