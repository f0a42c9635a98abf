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
sources, topics and researchers in ``openalex_upserts.py``, the sync of the works' authorships
and topics in ``openalex_children.py``; this module writes works.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q

from works import matching
from works.importers.bulk_insert import insert_new
from works.importers.imported_text import Cut, noting_cuts
from works.importers.openalex_children import (
    Previous,
    sync_authorships,
    sync_references,
    sync_topics,
)
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
from works.models import Researcher, Work

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
    return write_authors(prepare_authors(authors))


@dataclass
class Prepared:
    """A batch checked and mapped, ready to write: the records (AuthorRecord or WorkRecord, one
    per OpenAlex id) and the counts so far (entities skipped as repeats, texts cut). Plain data
    with no database access behind it, so a worker process can prepare it and send it over."""

    records: list
    stats: ImportStats


def prepare_authors(authors: list) -> Prepared:
    """The part of ``import_authors`` that needs no database: check and map the entities.
    ValueError if one of them is malformed or does not fit its shape."""
    with noting_cuts() as cuts:
        records = _dedupe([parse_author(data) for data in _shaped(authors, "A", AuthorShape)])
    return Prepared(records, ImportStats(skipped=len(authors) - len(records), cuts=cuts))


def merge_prepared(parts: list[Prepared]) -> Prepared:
    """One batch of consecutive parts prepared apart, as if prepared together: an entity
    repeated across parts is kept once (the first) and counted skipped."""
    records = _dedupe([record for part in parts for record in part.records])
    entities = sum(len(part.records) + part.stats.skipped for part in parts)
    cuts = [cut for part in parts for cut in part.stats.cuts]
    return Prepared(records, ImportStats(skipped=entities - len(records), cuts=cuts))


def write_authors(prepared: Prepared) -> ImportStats:
    """Write a prepared batch of authors in one transaction (see ``import_authors``)."""
    records = prepared.records
    stats = ImportStats() + prepared.stats
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
    return write_works(prepare_works(works))


def prepare_works(works: list) -> Prepared:
    """The part of ``import_works`` that needs no database: check and map the entities.
    ValueError if one of them is malformed or does not fit its shape."""
    with noting_cuts() as cuts:
        records = _dedupe([parse_work(data) for data in _shaped(works, "W", WorkShape)])
    return Prepared(records, ImportStats(skipped=len(works) - len(records), cuts=cuts))


def write_works(prepared: Prepared) -> ImportStats:
    """Write a prepared batch of works in one transaction (see ``import_works``)."""
    stats = ImportStats() + prepared.stats
    if not prepared.records:
        return stats
    with transaction.atomic():
        stats += _write_works(prepared.records)
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
    records: dict[str, dict] = {}
    wanted: list[str] = []
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


def _stats(ids: Sequence[str | None], outcomes: dict[str, str]) -> ImportStats:
    """Counts of the outcomes, one per id asked for; a repeated or missing (None) id is skipped."""
    stats, seen = ImportStats(), set()
    for oid in ids:
        outcome = "skipped" if oid is None or oid in seen else outcomes.get(oid, "skipped")
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

# The kinds whose import splits into a preparation without the database (checking and mapping,
# most of the work; the snapshot import runs it in worker processes) and the writes.
PREPARED_IMPORTERS = {
    "author": (prepare_authors, write_authors),
    "work": (prepare_works, write_works),
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
# read what the database held for the matched works' authorships and topics (``Previous``),
# write the work rows, then make their authorships and topics what the records say
# and the works they cite (``openalex_children``), touching only rows that differ.


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
    curated = matching.curated_matches(records, matched)
    _drop_taken_identifiers(records, matched, stored)
    previous = Previous.load([row.pk for row in matched.values() if row is not None])
    matching.remember_children(curated, previous)
    written = _write_work_rows(records, matched, referenced.sources)
    children_changed = sync_authorships(
        records,
        written.pk_by_id,
        previous,
        researchers=referenced.researchers,
        institutions=referenced.institutions,
    )
    children_changed |= sync_topics(records, written.pk_by_id, referenced.topics, previous)
    children_changed |= sync_references(records, written.pk_by_id)
    # A stored work whose authorships or topics changed is updated too (its updated_at moves).
    for oid in children_changed - written.created - written.updated:
        row = matched[oid]
        assert row is not None  # a work neither created nor updated here was stored before
        written.changed.append(row)
        written.updated.add(oid)
    bulk_update_touched(Work, written.changed, written.changed_fields)
    matching.log_matches(curated)

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
    """The stored row of each record: by OpenAlex id, else a row it adopts (``_adoptable``, or a
    curated work of the same title, year and author: ``works.matching``); None for a new
    work."""
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
    unmatched = [r for r in records if matched[r.openalex_id] is None]
    matched.update(matching.match_by_title(unmatched, taken=adopted))
    return matched


def _adoptable(record: WorkRecord, stored: _Stored) -> Work | None:
    """A stored work without an OpenAlex id that has the record's DOI, or the arXiv id named by
    the work's own arXiv DOI: a curated or arXiv import of the same work."""
    if record.doi and (row := stored.by_doi.get(record.doi)) and not row.openalex_id:
        return row
    if (
        record.arxiv_from_doi
        and record.arxiv_id
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
        elif names := apply_fields(row, matching.without_curated(row, fields)):
            written.changed.append(row)
            written.changed_fields.update(names)
            written.updated.add(record.openalex_id)
    written.pk_by_id = {oid: row.pk for oid, row in matched.items() if row is not None}
    written.pk_by_id.update(insert_new(Work, new_works))
    written.created = {w["openalex_id"] for w in new_works} & set(written.pk_by_id)
    return written
