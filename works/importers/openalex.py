"""Map OpenAlex entities (author, work, list page) onto bzpeer's models.

Every import here is an idempotent upsert: importing the same entities a second time finds each
row already as the data says, writes nothing and reports everything ``unchanged`` (same primary
keys, no authorship rewritten). A batch is written inside one transaction with a constant number
of queries (bulk operations, never a query per work or per authorship), because the snapshot
import has to sustain thousands of works a second.

Curation survives re-import: ``Work.is_hidden`` and ``Work.version_of`` are never written for an
existing work, external identifiers are added but never removed or stolen from another record,
and an authorship whose OpenAlex author was merged into another record goes to the canonical
record (following the ``merged_into`` chain).

Parsing of the entity dicts lives in ``openalex_records.py``, the bulk upserts of institutions,
sources, topics and researchers in ``openalex_upserts.py``; this module writes works.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F, Q

from profiles.models import Researcher
from works.importers.bulk_insert import insert_new, insert_rows
from works.importers.imported_text import Cut, noting_cuts
from works.importers.openalex_records import (
    WorkRecord,
    abstract_from_inverted_index,
    entity_id,
    entity_kind,
    normalise_doi,
    normalise_openalex_id,
    normalise_orcid,
    normalise_ror,
    parse_author,
    parse_institution,
    parse_source,
    parse_topic,
    parse_work,
)
from works.importers.openalex_upserts import (
    apply_fields,
    bulk_update_touched,
    sync_affiliations,
    upsert_institutions,
    upsert_researchers,
    upsert_sources,
    upsert_topics,
)
from works.importers.schemas import (
    AuthorShape,
    InstitutionShape,
    ShapeError,
    SourceShape,
    TopicShape,
    WorkShape,
    as_dict,
    checked,
)
from works.models import Authorship, Work, WorkTopic

__all__ = [
    "ImportStats",
    "abstract_from_inverted_index",
    "entity_kind",
    "import_author",
    "import_authors",
    "import_entities",
    "import_institutions",
    "import_list_page",
    "import_sources",
    "import_topics",
    "import_works",
    "normalise_doi",
    "normalise_openalex_id",
    "normalise_orcid",
    "normalise_ror",
]


@dataclass
class ImportStats:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    # Texts cut to their limit (works.importers.imported_text), naming record and field.
    cuts: list[Cut] = field(default_factory=list, compare=False)

    def __add__(self, other: "ImportStats") -> "ImportStats":
        return ImportStats(
            self.created + other.created,
            self.updated + other.updated,
            self.unchanged + other.unchanged,
            self.skipped + other.skipped,
            [*self.cuts, *other.cuts],
        )

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged + self.skipped


# Public entry points ---------------------------------------------------------------------------


def import_author(data: dict) -> Researcher:
    """Upsert one OpenAlex author entity; returns the (canonical) Researcher.

    A second call with the same data changes nothing. If the record was merged into another
    one by curation, the record itself is still refreshed but the canonical one is returned.
    """
    import_authors([data])
    researcher = Researcher.objects.get(openalex_id=entity_id(data, "A"))
    return Researcher.objects.resolve(researcher.pk) or researcher


def import_authors(authors: list[dict]) -> ImportStats:
    """Upsert a batch of OpenAlex author entities (researchers, their institutions and
    affiliations) in one transaction. Raises ValueError, before writing anything, if one of
    them is malformed or does not fit its shape (``works.importers.schemas``)."""
    with noting_cuts() as cuts:
        records = _dedupe([parse_author(data) for data in _shaped(authors, "A", AuthorShape)])
    stats = ImportStats(skipped=len(authors) - len(records), cuts=cuts)
    if not records:
        return stats
    with transaction.atomic():
        institutions = {}
        for record in records:
            institutions.update(record.institutions)
        institution_pks = upsert_institutions(institutions)
        result = upsert_researchers({r.openalex_id: r for r in records}, institution_pks, full=True)
        affiliation_changed = sync_affiliations(records, result.pk_by_id, institution_pks)
        for record in records:
            oid = record.openalex_id
            if oid not in result.pk_by_id:
                stats.skipped += 1
            elif oid in result.created:
                stats.created += 1
            elif oid in result.updated or oid in affiliation_changed:
                stats.updated += 1
            else:
                stats.unchanged += 1
    return stats


def import_works(works: list[dict]) -> ImportStats:
    """Upsert a batch of OpenAlex work entities in one transaction.

    Writes the works, their sources, topics (with the hierarchy), authorships with their
    institutions, and a minimal Researcher for each author not yet known. Raises ValueError,
    before writing anything, if one of them is malformed or does not fit its shape
    (``works.importers.schemas``). A second call with the same data reports every work
    unchanged and writes nothing.
    """
    with noting_cuts() as cuts:
        records = _dedupe([parse_work(data) for data in _shaped(works, "W", WorkShape)])
    stats = ImportStats(skipped=len(works) - len(records), cuts=cuts)
    if not records:
        return stats
    with transaction.atomic():
        stats += _write_works(records)
    return stats


def import_institutions(institutions: list[dict]) -> ImportStats:
    """Upsert OpenAlex institution entities (ids I...). ValueError if one is malformed."""
    return _import_simple(
        institutions, "I", InstitutionShape, parse_institution, upsert_institutions
    )


def import_sources(sources: list[dict]) -> ImportStats:
    """Upsert OpenAlex source entities (venues, ids S...). ValueError if one is malformed."""
    return _import_simple(sources, "S", SourceShape, parse_source, upsert_sources)


def import_topics(topics: list[dict]) -> ImportStats:
    """Upsert OpenAlex topic entities (ids T...) with their subfield, field and domain."""
    nodes, wanted = {}, []
    with noting_cuts() as cuts:
        for data in _shaped(topics, "T", TopicShape):
            topic_id, _, hierarchy = parse_topic(data)
            nodes.update(hierarchy)
            wanted.append(topic_id)
    outcomes: dict[str, str] = {}
    with transaction.atomic():
        upsert_topics(nodes, outcomes)
    stats = _stats(wanted, outcomes)
    stats.cuts = cuts
    return stats


def _import_simple(entities: list[dict], kind: str, shape, parse, upsert) -> ImportStats:
    records, wanted = {}, []
    with noting_cuts() as cuts:
        for data in _shaped(entities, kind, shape):
            oid = entity_id(data, kind)
            records.setdefault(oid, parse(data)[1])
            wanted.append(oid)
    outcomes: dict[str, str] = {}
    with transaction.atomic():
        upsert(records, outcomes)
    stats = _stats(wanted, outcomes)
    stats.cuts = cuts
    return stats


def _shaped(entities: list, kind: str, shape) -> list[dict]:
    """Each entity checked against its declared shape (ids first, so a record without one is
    told so), as a plain dict of the fields the mapping reads. ValueError naming the record and
    the field when one does not fit: the batch is refused before anything is written. A record
    already of its shape (the snapshot decodes lines straight into it) is not checked again."""
    shaped = []
    for data in entities:
        if not isinstance(data, shape):
            oid = entity_id(data, kind)
            try:
                data = checked(data, shape)
            except ShapeError as exc:
                raise ShapeError(f"{oid}: {exc}") from exc
        record = as_dict(data)
        entity_id(record, kind)
        shaped.append(record)
    return shaped


def _stats(ids: list[str], outcomes: dict[str, str]) -> ImportStats:
    stats, seen = ImportStats(), set()
    for oid in ids:
        outcome = "skipped" if oid in seen else outcomes.get(oid, "skipped")
        setattr(stats, outcome, getattr(stats, outcome) + 1)
        seen.add(oid)
    return stats


# Entity kinds in the order a mixed batch imports them: what works refer to comes first.
IMPORTERS = {
    "institution": import_institutions,
    "source": import_sources,
    "topic": import_topics,
    "author": import_authors,
    "work": import_works,
}


def import_entities(entities: Iterable[dict]) -> ImportStats:
    """Import a mixed batch in one transaction: institutions, sources, topics, then authors
    (ids A...), then works (W...). Other kinds (concepts, publishers, funders) are counted as
    skipped. ValueError, before anything is written, for a malformed entity."""
    by_kind: dict[str, list] = {kind: [] for kind in IMPORTERS}
    others = 0
    for data in entities:
        kind = entity_kind(data)
        if kind in by_kind:
            by_kind[kind].append(data)
        else:
            others += 1
    with transaction.atomic():
        stats = ImportStats(skipped=others)
        for kind, importer in IMPORTERS.items():
            if by_kind[kind]:
                stats += importer(by_kind[kind])
    return stats


def import_list_page(page: dict) -> ImportStats:
    """Import a recorded list response ``{"meta": ..., "results": [...]}``."""
    if not isinstance(page, dict) or not isinstance(page.get("results"), list):
        raise ValueError('an OpenAlex list page needs a "results" list')
    return import_entities(page["results"])


def _dedupe(records):
    """Keep the first record of each OpenAlex id (a page can repeat an entity)."""
    seen, unique = set(), []
    for record in records:
        if record.openalex_id not in seen:
            seen.add(record.openalex_id)
            unique.append(record)
    return unique


# Works -----------------------------------------------------------------------------------------
#
# A batch of works is written in named steps, each a constant number of queries: upsert what the
# works refer to, find the stored works the records match, drop identifiers another work holds,
# read what the database held for the matched works (``_Previous``), write the work rows, then
# make their authorships and topics what the records say, touching only rows that differ.


@dataclass
class _Referenced:
    """Primary keys, by OpenAlex id, of the rows the batch's works point at."""

    institutions: dict[str, int]
    sources: dict[str, int]
    topics: dict[str, int]
    researchers: dict[str, int]  # author id -> pk of the canonical record (merges followed)


@dataclass
class _Stored:
    """The stored works that share an OpenAlex id, a DOI or an arXiv id with the batch."""

    by_id: dict[str, Work]
    by_doi: dict[str, Work]
    by_arxiv: dict[str, Work]


@dataclass
class _Previous:
    """What the database held before the batch: the stored work each record matched (None for a
    new work) and, for those works, their authorships, institution links and topics. The rows
    are the ones the batch then updates in place."""

    works: dict[str, Work | None]
    # (work pk, order) -> authorship from the source (its researcher has an OpenAlex id, or none).
    authorships: dict[tuple[int, int], Authorship] = field(default_factory=dict)
    # work pk -> authorships linking a researcher without an OpenAlex id (curated, arXiv).
    curated: dict[int, list[Authorship]] = field(default_factory=dict)
    last_order: dict[int, int] = field(default_factory=dict)  # work pk -> highest order in use
    links: dict[int, set[int]] = field(default_factory=dict)  # authorship pk -> institution pks
    topics: dict[tuple[int, int], WorkTopic] = field(default_factory=dict)  # (work pk, topic pk)

    @classmethod
    def load(cls, works: dict[str, Work | None]) -> "_Previous":
        previous = cls(works)
        work_pks = [row.pk for row in works.values() if row is not None]
        if not work_pks:
            return previous
        authorships = Authorship.objects.filter(work_id__in=work_pks).annotate(
            researcher_openalex_id=F("researcher__openalex_id")
        )
        for row in authorships:
            if row.researcher_id is not None and row.researcher_openalex_id is None:
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
class _Written:
    """The work rows after the batch: their pks and which records created or changed one."""

    pk_by_id: dict[str, int] = field(default_factory=dict)
    created: set[str] = field(default_factory=set)
    updated: set[str] = field(default_factory=set)
    # Stored works to save at the end (fields changed, or their authorships or topics).
    changed: list[Work] = field(default_factory=list)
    changed_fields: set[str] = field(default_factory=set)


def _write_works(records: list[WorkRecord]) -> ImportStats:
    referenced = _upsert_referenced(records)
    stored = _find_stored(records)
    matched = _match(records, stored)
    _drop_taken_identifiers(records, matched, stored)
    previous = _Previous.load(matched)
    written = _write_work_rows(records, matched, referenced.sources)
    children_changed = _sync_authorships(records, written, referenced, previous)
    children_changed |= _sync_topics(records, written, referenced.topics, previous)
    # A stored work whose authorships or topics changed is updated too (its updated_at moves).
    for oid in children_changed - written.created - written.updated:
        written.changed.append(matched[oid])
        written.updated.add(oid)
    bulk_update_touched(Work, written.changed, written.changed_fields)

    stats = ImportStats()
    for record in records:
        oid = record.openalex_id
        if oid not in written.pk_by_id:
            stats.skipped += 1
        elif oid in written.created:
            stats.created += 1
        elif oid in written.updated:
            stats.updated += 1
        else:
            stats.unchanged += 1
    return stats


def _upsert_referenced(records: list[WorkRecord]) -> _Referenced:
    """Upsert the institutions, sources, topics and authors the works name (an author not yet
    known gets a minimal Researcher; known ones are left alone)."""
    institutions, sources, topics, authors = {}, {}, {}, {}
    for record in records:
        institutions.update(record.institutions)
        if record.source:
            sources[record.source[0]] = record.source[1]
        topics.update(record.topic_nodes)
        for authorship in record.authorships or ():
            if authorship.author and authorship.author.openalex_id not in authors:
                authors[authorship.author.openalex_id] = authorship.author
    institution_pks = upsert_institutions(institutions)
    return _Referenced(
        institutions=institution_pks,
        sources=upsert_sources(sources),
        topics=upsert_topics(topics),
        researchers=upsert_researchers(authors, institution_pks, full=False).canonical,
    )


def _find_stored(records: list[WorkRecord]) -> _Stored:
    lookup = Q(openalex_id__in=[r.openalex_id for r in records])
    if dois := [r.doi for r in records if r.doi]:
        lookup |= Q(doi__in=dois)
    if arxiv_ids := [r.arxiv_id for r in records if r.arxiv_id]:
        lookup |= Q(arxiv_id__in=arxiv_ids)
    rows = list(Work.objects.filter(lookup))
    return _Stored(
        by_id={w.openalex_id: w for w in rows if w.openalex_id},
        by_doi={w.doi: w for w in rows if w.doi},
        by_arxiv={w.arxiv_id: w for w in rows if w.arxiv_id},
    )


def _match(records: list[WorkRecord], stored: _Stored) -> dict[str, Work | None]:
    """The stored row of each record: by OpenAlex id, else a row it adopts (``_adoptable``);
    None for a new work."""
    matched: dict[str, Work | None] = {}
    adopted = set()
    for record in records:
        row = stored.by_id.get(record.openalex_id)
        if row is None:
            row = _adoptable(record, stored)
        if row is not None and row.openalex_id is None:
            if row.pk in adopted:
                row = None  # two records name the same curated work: the first one takes it
            else:
                adopted.add(row.pk)  # work_fields() gives it the OpenAlex id
        matched[record.openalex_id] = row
    return matched


def _adoptable(record: WorkRecord, stored: _Stored) -> Work | None:
    """A stored work without an OpenAlex id that has the record's DOI, or the arXiv id named by
    the work's own arXiv DOI: a curated or arXiv import of the same work."""
    if record.doi and (row := stored.by_doi.get(record.doi)) and not row.openalex_id:
        return row
    if (
        record.arxiv_from_doi
        and (row := stored.by_arxiv.get(record.arxiv_id))
        and not row.openalex_id
    ):
        return row
    return None


def _drop_taken_identifiers(
    records: list[WorkRecord], matched: dict[str, Work | None], stored: _Stored
) -> None:
    """Clear a record's DOI or arXiv id when another work holds it: never take one. A stored
    work keeps the identifier it has; otherwise first come, first served, except that a work
    whose own DOI is the arXiv DOI has the first claim on that arXiv id within the batch."""
    doi_owner = {doi: w.openalex_id for doi, w in stored.by_doi.items()}
    arxiv_owner = {aid: w.openalex_id for aid, w in stored.by_arxiv.items()}
    for record in records:
        row = matched[record.openalex_id]
        if record.doi and ((row and row.doi) or not _claim(doi_owner, record.doi, record)):
            record.doi = None
    # sorted() is stable: the works with the arXiv DOI first, each group in batch order.
    for record in sorted(records, key=lambda r: not r.arxiv_from_doi):
        row = matched[record.openalex_id]
        if record.arxiv_id and (
            (row and row.arxiv_id) or not _claim(arxiv_owner, record.arxiv_id, record)
        ):
            record.arxiv_id = None


def _claim(owners: dict, key: str, record: WorkRecord) -> bool:
    """True if ``key`` is free or already this record's (and now it is)."""
    return owners.setdefault(key, record.openalex_id) == record.openalex_id


def _write_work_rows(
    records: list[WorkRecord], matched: dict[str, Work | None], source_pks: dict[str, int]
) -> _Written:
    """Insert the new works; set the fields that differ on the stored ones (saved at the end of
    the batch, with the works whose authorships or topics change)."""
    new_works, written = [], _Written()
    for record in records:
        fields = record.work_fields(source_pks)
        row = matched[record.openalex_id]
        if row is None:
            new_works.append(fields)
        elif names := apply_fields(row, fields):
            written.changed.append(row)
            written.changed_fields.update(names)
            written.updated.add(record.openalex_id)
    written.pk_by_id = {oid: row.pk for oid, row in matched.items() if row is not None}
    written.pk_by_id.update(insert_new(Work, new_works))
    written.created = {w["openalex_id"] for w in new_works} & set(written.pk_by_id)
    return written


# Authorships and topics ------------------------------------------------------------------------


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
        inserted = insert_rows(
            Authorship,
            ["work_id", "order", "researcher_id", "position", "raw_author_name"],
            [ids + text for ids, text, _ in self.new],
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


def _sync_authorships(
    records: list[WorkRecord], written: _Written, referenced: _Referenced, previous: _Previous
) -> set[str]:
    """Make the authorships (with their institutions) of each work whose record has the key
    what the record says, touching only rows that differ. Returns the OpenAlex ids of the works
    whose authorships changed.

    An authorship linking a researcher without an OpenAlex id (a curated or arXiv record, on a
    work adopted by DOI) is curation the source cannot know about: it is kept, moved after the
    source's authors if the source now uses its place.
    """
    writes, touched = _AuthorshipWrites(), set()
    managed: dict[int, str] = {}  # work pk -> OpenAlex id, for the works whose record has the key
    wanted: set[tuple[int, int]] = set()  # (work pk, order) the records name
    for record in records:
        work_pk = written.pk_by_id.get(record.openalex_id)
        if work_pk is None or record.authorships is None:
            continue
        managed[work_pk] = record.openalex_id
        wanted.update((work_pk, a.order) for a in record.authorships)
        moved = _move_curated(record, work_pk, previous, writes)
        if _diff_authorships(record, work_pk, referenced, previous, writes) or moved:
            touched.add(record.openalex_id)
    writes.stale = _stale(previous.authorships, wanted, managed, touched)
    writes.apply()
    return touched


def _move_curated(
    record: WorkRecord, work_pk: int, previous: _Previous, writes: _AuthorshipWrites
) -> bool:
    """Move the work's curated authorships that sit where the source now puts one of its
    authors after every order in use; True if one moved."""
    curated = previous.curated.get(work_pk)
    if not curated:
        return False
    source_orders = {a.order for a in record.authorships}
    next_free = max(len(record.authorships), previous.last_order.get(work_pk, -1) + 1)
    moved = False
    for row in curated:
        if row.order in source_orders:
            # Beyond every order in use, so the move cannot collide with a row.
            row.order, next_free = next_free, next_free + 1
            writes.changed.append(row)
            moved = True
    return moved


def _diff_authorships(
    record: WorkRecord,
    work_pk: int,
    referenced: _Referenced,
    previous: _Previous,
    writes: _AuthorshipWrites,
) -> bool:
    """Gather the writes that make one work's authorships from the source what the record
    says; True if there are any."""
    changed = False
    for authorship in record.authorships:
        author = authorship.author
        researcher_pk = referenced.researchers.get(author.openalex_id) if author else None
        institutions = {
            referenced.institutions[i]
            for i in authorship.institutions
            if i in referenced.institutions
        }
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


def _sync_topics(
    records: list[WorkRecord], written: _Written, topic_pks: dict[str, int], previous: _Previous
) -> set[str]:
    """Make the topics (with their scores) of each work whose record has ``topics`` or
    ``primary_topic`` what the record says, touching only rows that differ. Returns the
    OpenAlex ids of the works whose topics changed."""
    new, changed, touched = [], [], set()
    managed: dict[int, str] = {}  # work pk -> OpenAlex id, for the works whose record has topics
    wanted: set[tuple[int, int]] = set()  # (work pk, topic pk) the records name
    for record in records:
        work_pk = written.pk_by_id.get(record.openalex_id)
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
