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

from collections.abc import Iterable
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
    MAX_MERGE_DEPTH,
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
    for _ in range(MAX_MERGE_DEPTH):
        if researcher.merged_into_id is None:
            break
        researcher = Researcher.objects.get(pk=researcher.merged_into_id)
    return researcher


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


def _write_works(records: list[WorkRecord]) -> ImportStats:
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
    source_pks = upsert_sources(sources)
    topic_pks = upsert_topics(topics)
    researchers = upsert_researchers(authors, institution_pks, full=False)

    ids = [r.openalex_id for r in records]
    dois = [r.doi for r in records if r.doi]
    arxiv_ids = [r.arxiv_id for r in records if r.arxiv_id]
    lookup = Q(openalex_id__in=ids)
    if dois:
        lookup |= Q(doi__in=dois)
    if arxiv_ids:
        lookup |= Q(arxiv_id__in=arxiv_ids)
    rows = list(Work.objects.filter(lookup))
    by_id = {w.openalex_id: w for w in rows if w.openalex_id}
    by_doi = {w.doi: w for w in rows if w.doi}
    by_arxiv = {w.arxiv_id: w for w in rows if w.arxiv_id}

    # Match each record to its row: by OpenAlex id, else adopt a row that has the same DOI (or
    # the arXiv id named by the work's own arXiv DOI) but no OpenAlex id (a curated or arXiv
    # import of the same work).
    matched: dict[str, Work | None] = {}
    adopted = set()
    for record in records:
        row = by_id.get(record.openalex_id)
        if row is None and record.doi and (h := by_doi.get(record.doi)) and not h.openalex_id:
            row = h
        if (
            row is None
            and record.arxiv_from_doi
            and (h := by_arxiv.get(record.arxiv_id))
            and not h.openalex_id
        ):
            row = h
        if row is not None and row.openalex_id is None:
            if row.pk in adopted:
                row = None  # two records name the same curated work: the first one takes it
            else:
                adopted.add(row.pk)  # work_fields() gives it the OpenAlex id
        matched[record.openalex_id] = row

    # Identifiers: never take one another work holds. Within the batch, a work whose own DOI
    # is the arXiv DOI has the first claim on that arXiv id, then the rest in order.
    doi_owner = {doi: w.openalex_id for doi, w in by_doi.items()}
    arxiv_owner = {aid: w.openalex_id for aid, w in by_arxiv.items()}
    for record in records:
        row = matched[record.openalex_id]
        # A stored work keeps the identifier it has; otherwise first come, first served.
        if record.doi and ((row and row.doi) or not _claim(doi_owner, record.doi, record)):
            record.doi = None
    for strong in (True, False):
        for record in records:
            if not record.arxiv_id or record.arxiv_from_doi is not strong:
                continue
            row = matched[record.openalex_id]
            if (row and row.arxiv_id) or not _claim(arxiv_owner, record.arxiv_id, record):
                record.arxiv_id = None

    existing_pks = [row.pk for row in matched.values() if row is not None]
    old_authorships, old_links, old_topics = _existing_children(existing_pks)

    new_works, changed, changed_fields, updated_ids = [], [], set(), set()
    for record in records:
        fields = record.work_fields(source_pks)
        row = matched[record.openalex_id]
        if row is None:
            new_works.append(fields)
            continue
        if names := apply_fields(row, fields):
            changed.append(row)
            changed_fields.update(names)
            updated_ids.add(record.openalex_id)

    pk_by_id = {oid: row.pk for oid, row in matched.items() if row is not None}
    pk_by_id.update(insert_new(Work, new_works))
    created_ids = {w["openalex_id"] for w in new_works} & set(pk_by_id)

    children_changed = _sync_children(
        records, pk_by_id, created_ids, researchers.canonical, institution_pks, topic_pks,
        old_authorships, old_links, old_topics,
    )  # fmt: skip
    for oid in children_changed - created_ids - updated_ids:
        row = matched[oid]
        changed.append(row)
        updated_ids.add(oid)
    bulk_update_touched(Work, changed, changed_fields)

    stats = ImportStats()
    for record in records:
        oid = record.openalex_id
        if oid not in pk_by_id:
            stats.skipped += 1
        elif oid in created_ids:
            stats.created += 1
        elif oid in updated_ids:
            stats.updated += 1
        else:
            stats.unchanged += 1
    return stats


def _claim(owners: dict, key: str, record: WorkRecord) -> bool:
    """True if ``key`` is free or already this record's (and now it is)."""
    return owners.setdefault(key, record.openalex_id) == record.openalex_id


def _existing_children(work_pks: list[int]):
    """Authorships, their institution links and work topics of the works already stored."""
    if not work_pks:
        return {}, {}, {}
    authorships = {
        (a.work_id, a.order): a
        for a in Authorship.objects.filter(work_id__in=work_pks).annotate(
            researcher_openalex_id=F("researcher__openalex_id")
        )
    }
    links: dict[int, set] = {}
    through = Authorship.institutions.through
    for authorship_id, institution_id in through.objects.filter(
        authorship__work_id__in=work_pks
    ).values_list("authorship_id", "institution_id"):
        links.setdefault(authorship_id, set()).add(institution_id)
    topics = {(t.work_id, t.topic_id): t for t in WorkTopic.objects.filter(work_id__in=work_pks)}
    return authorships, links, topics


def _sync_children(
    records, pk_by_id, created_ids, canonical, institution_pks, topic_pks,
    old_authorships, old_links, old_topics,
) -> set:  # fmt: skip
    """Make authorships (with institutions) and work topics what the records say, touching
    only rows that differ. Returns the OpenAlex ids of existing works whose children changed.

    An authorship linking a researcher without an OpenAlex id (a curated or arXiv record, on a
    work adopted by DOI) is curation the source cannot know about: it is kept, moved after the
    source's authors if the source now uses its place.
    """
    through = Authorship.institutions.through
    kept: dict[int, list] = {}
    for key, row in list(old_authorships.items()):
        if row.researcher_id is not None and row.researcher_openalex_id is None:
            kept.setdefault(key[0], []).append(old_authorships.pop(key))
    last_order: dict[int, int] = {}
    for work_pk, order in old_authorships:
        last_order[work_pk] = max(order, last_order.get(work_pk, -1))
    for rows in kept.values():
        for row in rows:
            last_order[row.work_id] = max(row.order, last_order.get(row.work_id, -1))
    new_authorships, new_links, changed, reset_links, touched = [], [], [], [], set()
    wanted_orders, new_topics, changed_topics, wanted_topic_keys = set(), [], [], set()
    # Works whose record has the key: only their authorships / topics are made to match.
    authorships_managed, topics_managed = set(), set()
    for record in records:
        work_pk = pk_by_id.get(record.openalex_id)
        if work_pk is None:
            continue
        is_new = record.openalex_id in created_ids
        if record.authorships is not None:
            authorships_managed.add(work_pk)
            source_orders = {a.order for a in record.authorships}
            next_free = max(len(record.authorships), last_order.get(work_pk, -1) + 1)
            for row in kept.get(work_pk, ()):
                if row.order in source_orders:
                    # Beyond every order in use, so the move cannot collide with a row.
                    row.order, next_free = next_free, next_free + 1
                    changed.append(row)
                    touched.add(record.openalex_id)
        if record.topic_scores is not None:
            topics_managed.add(work_pk)
        for authorship in record.authorships or ():
            wanted_orders.add((work_pk, authorship.order))
            researcher_pk = (
                canonical.get(authorship.author.openalex_id) if authorship.author else None
            )
            institution_set = {
                institution_pks[i] for i in authorship.institutions if i in institution_pks
            }
            row = None if is_new else old_authorships.get((work_pk, authorship.order))
            if row is None:
                new_authorships.append(
                    (
                        (work_pk, authorship.order, researcher_pk),
                        (authorship.position, authorship.raw_author_name),
                        institution_set,
                    )
                )
                touched.add(record.openalex_id)
                continue
            fields = {
                "researcher_id": researcher_pk,
                "position": authorship.position,
                "raw_author_name": authorship.raw_author_name,
            }
            if apply_fields(row, fields):
                changed.append(row)
                touched.add(record.openalex_id)
            if old_links.get(row.pk, set()) != institution_set:
                reset_links.append(row.pk)
                new_links.extend((row.pk, i) for i in institution_set)
                touched.add(record.openalex_id)
        for topic_id, score in (record.topic_scores or {}).items():
            topic_pk = topic_pks.get(topic_id)
            if topic_pk is None:
                continue
            wanted_topic_keys.add((work_pk, topic_pk))
            row = None if is_new else old_topics.get((work_pk, topic_pk))
            if row is None:
                new_topics.append((work_pk, topic_pk, score))
                touched.add(record.openalex_id)
            elif row.score != score:
                row.score = score
                changed_topics.append(row)
                touched.add(record.openalex_id)

    id_by_pk = {pk: oid for oid, pk in pk_by_id.items()}
    stale = [
        a.pk
        for key, a in old_authorships.items()
        if key[0] in authorships_managed and key not in wanted_orders
    ]
    stale_topics = [
        t.pk
        for key, t in old_topics.items()
        if key[0] in topics_managed and key not in wanted_topic_keys
    ]
    # Sets: "in" a list here was quadratic in the stale rows of a batch.
    stale_set, stale_topic_set = set(stale), set(stale_topics)
    touched.update(id_by_pk[a.work_id] for a in old_authorships.values() if a.pk in stale_set)
    touched.update(id_by_pk[t.work_id] for t in old_topics.values() if t.pk in stale_topic_set)

    if stale:
        Authorship.objects.filter(pk__in=stale).delete()
    if reset_links:
        through.objects.filter(authorship_id__in=reset_links).delete()
    if changed:
        Authorship.objects.bulk_update(
            changed, ["researcher", "position", "raw_author_name", "order"]
        )
    if new_authorships:
        inserted = insert_rows(
            Authorship,
            ["work_id", "order", "researcher_id", "position", "raw_author_name"],
            [ids + text for ids, text, _ in new_authorships],
            returning=["work_id", "order", "id"],
        )
        pks = {(work_pk, order): pk for work_pk, order, pk in inserted}
        if None in pks.values():
            # Backends that cannot return ids from a bulk insert: read them back.
            pks = {
                (w, o): pk
                for w, o, pk in Authorship.objects.filter(
                    work_id__in={ids[0] for ids, _, _ in new_authorships}
                ).values_list("work_id", "order", "pk")
            }
        new_links.extend(
            (pks[ids[:2]], i)
            for ids, _, institution_set in new_authorships
            for i in institution_set
        )
    if new_links:
        insert_rows(through, ["authorship_id", "institution_id"], new_links, ignore_conflicts=True)
    if stale_topics:
        WorkTopic.objects.filter(pk__in=stale_topics).delete()
    if changed_topics:
        WorkTopic.objects.bulk_update(changed_topics, ["score"])
    if new_topics:
        insert_rows(WorkTopic, ["work_id", "topic_id", "score"], new_topics, ignore_conflicts=True)
    return touched
