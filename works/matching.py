"""Curated works that a later import brings: matched, not duplicated, logged and reversible.

A curated work (one a CSL import made; it lists the fields curation set in ``curated_fields``)
is the same work as an OpenAlex or arXiv record when they share the DOI or the arXiv id (the
importers' own lookups find those), or when the record's title and year are the curated work's
(titles compared by ``bzpeer.fold.title_key``, as the version links compare them) and an author
of the record has a name compatible with one of the curated work's authors
(``works.importers.names``). The import then writes into the curated work instead of creating a
second one: it gains the identifiers, authorships, topics and links, and the fields curation set
are kept (``without_curated``); the source fills only the others.

Each match appends a ``match`` entry to the curation log holding the curated work's state before
the match; :func:`undo_match` uses it to put the curated work back and give the imported record a
work of its own (an ``unmatch`` entry), and an undone pair is never matched again.
:func:`reapply_matches`, run with the rest of the log after every import, keeps a match's curated
fields over anything an import wrote into them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db import transaction

from bzpeer.fold import title_key
from bzpeer.identifiers import normalise_arxiv_id
from works.curation import CurationError, announce_on_commit, log_curation
from works.importers.names import names_compatible, researcher_names
from works.models import Authorship, CurationLog, Work, WorkTopic
from works.versions import MIN_TITLE_KEY, is_preprint

# What a curated record says about a work and a source may say otherwise. Identifiers, counts,
# the venue entity, the PDF and open-access links are the source's to give.
CURATABLE = (
    "title",
    "abstract",
    "publication_year",
    "publication_date",
    "type",
    "venue_name",
    "language",
    "landing_page_url",
)
IDENTIFIERS = ("openalex_id", "doi", "arxiv_id")
# Not part of a work's restorable state: its key and timestamps, and whether it is hidden (the
# hide entries of the log own that).
_UNTRACKED = {"id", "created_at", "updated_at", "is_hidden"}


def curated_names(fields: dict) -> list[str]:
    """The curatable fields a curated import gives a value (blanks are left to the sources)."""
    return [name for name in CURATABLE if fields.get(name) not in (None, "")]


def without_curated(work: Work | None, fields: dict) -> dict:
    """``fields`` less the ones curation set on ``work``: what an import may write there."""
    if work is None or not work.curated_fields:
        return fields
    kept = set(work.curated_fields)
    return {name: value for name, value in fields.items() if name not in kept}


# The state of a work, as the log keeps it ------------------------------------------------------


def _tracked_fields():
    return [f for f in Work._meta.concrete_fields if f.name not in _UNTRACKED]


def _as_json(value):
    return value.isoformat() if isinstance(value, date) else value


def work_state(work: Work, authorships, topics) -> dict:
    """A work's fields, authorships and topics as JSON, to put it back as it was."""
    return {
        "fields": {f.attname: _as_json(getattr(work, f.attname)) for f in _tracked_fields()},
        "authorships": [
            {
                "order": a.order,
                "researcher": a.researcher_id,
                "position": a.position,
                "raw_author_name": a.raw_author_name,
            }
            for a in sorted(authorships, key=lambda a: a.order)
        ],
        "topics": sorted([t.topic_id, t.score] for t in topics),
    }


def _restore_fields(work: Work, fields: dict) -> None:
    for f in _tracked_fields():
        if f.attname in fields:
            value = fields[f.attname]
            setattr(work, f.attname, None if value is None else f.to_python(value))


# Matching an OpenAlex batch ----------------------------------------------------------------------


def _record_names(record) -> list[str]:
    names = []
    for authorship in record.authorships or ():
        names.append(authorship.raw_author_name)
        if authorship.author:
            names.append(authorship.author.display_name)
    return [n for n in names if n]


def _record_is_preprint(record) -> bool:
    return record.arxiv_from_doi or record.fields.get("type") == "preprint"


def _author_names(work_pks) -> dict[int, list[str]]:
    """The author names of each work: as printed, and its linked records' names."""
    names: dict[int, list[str]] = {pk: [] for pk in work_pks}
    rows = Authorship.objects.filter(work_id__in=work_pks).select_related("researcher")
    for authorship in rows:
        names[authorship.work_id].append(authorship.raw_author_name)
        if authorship.researcher is not None:
            names[authorship.work_id].extend(researcher_names(authorship.researcher))
    return names


def _authors_agree(ours: list[str], theirs: list[str]) -> bool:
    return any(names_compatible(a, b) for a in ours if a for b in theirs)


def _undone(work_pks) -> set[tuple[int, str]]:
    """(curated work pk, imported identifier) of the matches staff undid: never made again."""
    targets = CurationLog.objects.filter(
        action=CurationLog.Action.UNMATCH, target__work__in=list(work_pks)
    ).values_list("target", flat=True)
    return {(t["work"], t["identifier"]) for t in targets}


def match_by_title(records, taken: set[int]) -> dict:
    """{OpenAlex id: curated work} for the records (none of which found a stored work by
    identifier) whose title, year and an author are a curated work's. ``taken``: works another
    record of the batch already adopted. Of two records for one curated work (a preprint and
    its published version share a title), the one of the same kind is preferred."""
    wanted: dict[tuple[str, int], list] = {}
    for record in records:
        key, year = title_key(record.fields.get("title")), record.fields.get("publication_year")
        if year and len(key) >= MIN_TITLE_KEY:
            wanted.setdefault((key, year), []).append(record)
    if not wanted:
        return {}
    rows = (
        Work.objects.filter(openalex_id__isnull=True, publication_year__in={y for _, y in wanted})
        .exclude(curated_fields=[])
        .exclude(pk__in=taken)
        .order_by("pk")
    )
    candidates = [w for w in rows if (title_key(w.title), w.publication_year) in wanted]
    if not candidates:
        return {}
    names = _author_names([w.pk for w in candidates])
    undone = _undone([w.pk for w in candidates])
    matched, used = {}, set()
    for work in candidates:
        options = [
            r
            for r in wanted[title_key(work.title), work.publication_year]
            if r.openalex_id not in used
            and (work.pk, r.openalex_id) not in undone
            and _authors_agree(names[work.pk], _record_names(r))
        ]
        if options:
            best = next((r for r in options if _record_is_preprint(r) == is_preprint(work)), None)
            best = best or options[0]
            matched[best.openalex_id] = work
            used.add(best.openalex_id)
    return matched


@dataclass
class CuratedMatch:
    """A curated work an import is about to write into, as it was before."""

    work: Work
    identifier: str  # the OpenAlex id, or the arXiv id, of the record it matched
    how: str  # "doi", "arxiv id" or "title, year and author"
    fields: dict
    source: dict = field(default_factory=dict)  # the record's values of the kept fields
    state: dict = field(default_factory=dict)


def _how(work: Work, doi, arxiv_id) -> str:
    if doi and work.doi == doi:
        return "doi"
    if arxiv_id and work.arxiv_id == arxiv_id:
        return "arxiv id"
    return "title, year and author"


def curated_matches(records, matched: dict) -> list[CuratedMatch]:
    """The curated works among the stored works the batch matched (no query). Call before the
    batch changes them."""
    found = []
    for record in records:
        work = matched.get(record.openalex_id)
        if work is None or work.openalex_id is not None or not work.curated_fields:
            continue
        source = record.fields
        found.append(
            CuratedMatch(
                work=work,
                identifier=record.openalex_id,
                how=_how(work, record.doi, record.arxiv_id),
                fields=work_state(work, (), ())["fields"],
                source={n: _as_json(source[n]) for n in work.curated_fields if n in source},
            )
        )
    return found


def remember_children(matches: list[CuratedMatch], previous) -> None:
    """Add the authorships and topics the batch read (``openalex_children.Previous``), before
    it rewrites them."""
    for match in matches:
        pk = match.work.pk
        authorships = [a for (w, _), a in previous.authorships.items() if w == pk]
        authorships += previous.curated.get(pk, [])
        topics = [t for (w, _), t in previous.topics.items() if w == pk]
        match.state = work_state(match.work, authorships, topics)
        match.state["fields"] = match.fields


def log_matches(matches: list[CuratedMatch], source_name: str = "OpenAlex") -> None:
    """One ``match`` entry per curated work the import wrote into (one query for all)."""
    if not matches:
        return
    CurationLog.objects.bulk_create(
        CurationLog(
            action=CurationLog.Action.MATCH,
            target={
                "work": m.work.pk,
                "identifier": m.identifier,
                "by": m.how,
                "kept": list(m.work.curated_fields),
                "source": m.source,
                "before": m.state,
            },
            reason=f"The {source_name} record {m.identifier} is this curated work ({m.how}).",
        )
        for m in matches
    )


# Matching an arXiv page --------------------------------------------------------------------------


def curated_for_arxiv(researcher, entries) -> dict:
    """{arXiv id: curated work} for the entries (none known by identifier) whose title and year
    are a curated work of ``researcher`` without an arXiv id. The author match is the entry's:
    the arXiv importer keeps only entries naming the researcher."""
    wanted = {}
    for entry in entries:
        key = title_key(entry.title)
        if entry.published and len(key) >= MIN_TITLE_KEY:
            wanted.setdefault((key, entry.published.year), entry.arxiv_id)
    if not wanted:
        return {}
    rows = (
        Work.objects.filter(
            authorships__researcher=researcher,
            arxiv_id__isnull=True,
            openalex_id__isnull=True,
            publication_year__in={y for _, y in wanted},
        )
        .exclude(curated_fields=[])
        .distinct()
        .order_by("pk")
    )
    candidates = [w for w in rows if (title_key(w.title), w.publication_year) in wanted]
    undone = _undone([w.pk for w in candidates])
    found = {}
    for work in candidates:
        arxiv_id = wanted[title_key(work.title), work.publication_year]
        if arxiv_id not in found and (work.pk, arxiv_id) not in undone:
            found[arxiv_id] = work
    return found


def arxiv_match(work: Work, arxiv_id: str) -> CuratedMatch:
    """The state of a curated work an arXiv entry is about to be merged into."""
    return CuratedMatch(
        work=work,
        identifier=arxiv_id,
        how="title, year and author",
        fields={},
        state=work_state(work, work.authorships.all(), work.work_topics.all()),
    )


# Undo and replay ---------------------------------------------------------------------------------


def active_match(work: Work) -> CurationLog | None:
    """The work's latest ``match`` entry, unless a later ``unmatch`` undid it."""
    latest = (
        CurationLog.objects.filter(
            action__in=[CurationLog.Action.MATCH, CurationLog.Action.UNMATCH],
            target__work=work.pk,
        )
        .order_by("-created_at", "-pk")
        .first()
    )
    return latest if latest is not None and latest.action == CurationLog.Action.MATCH else None


def _split_off(work: Work, entry: CurationLog) -> Work:
    """A new work holding what the import brought: the work's current fields (the source's
    values where the curated ones were kept) and identifiers the curated work did not have."""
    before = entry.target["before"]["fields"]
    imported = Work()
    for f in _tracked_fields():
        setattr(imported, f.attname, getattr(work, f.attname))
    _restore_fields(imported, entry.target.get("source") or {})
    for name in IDENTIFIERS:
        if getattr(imported, name) == before.get(name):
            setattr(imported, name, None)  # the curated work's own: it keeps it
    imported.curated_fields = []
    return imported


@transaction.atomic
def undo_match(work: Work, actor, reason: str = "") -> Work:
    """Undo the match that made an import write into the curated ``work``: the work returns to
    its state before the match, and what the import brought (identifiers, authorships, topics,
    references, version links) becomes a work of its own, which is returned. CurationError,
    changing nothing, when the work has no match to undo."""
    work = Work.objects.select_for_update().get(pk=work.pk)
    entry = active_match(work)
    if entry is None:
        raise CurationError(f"{work} was not matched by an import, or the match is undone.")
    state = entry.target["before"]
    imported = _split_off(work, entry)
    # The curated work gives its identifiers back first: they are unique.
    _restore_fields(work, state["fields"])
    work.save()
    imported.save()

    # Authorships linking a record the source does not know (a curated researcher) are the
    # curated work's; the source's authorships go with the imported work.
    current = list(work.authorships.select_related("researcher"))
    theirs = [a.pk for a in current if a.researcher is None or a.researcher.openalex_id is not None]
    if normalise_arxiv_id(entry.target["identifier"]):
        # arXiv names no author records: its import matched the paper because the researcher
        # it ran for is named on it, and credited them on the curated work's own list. The
        # paper keeps that whole list, the credit included, as the import alone would have
        # made it; split as above, it went to nobody and a rerun never credits it again.
        theirs = [a.pk for a in current]
    Authorship.objects.filter(pk__in=theirs).update(work=imported)
    Authorship.objects.filter(work=work).delete()
    Authorship.objects.bulk_create(
        Authorship(
            work=work,
            order=a["order"],
            researcher_id=a["researcher"],
            position=a["position"],
            raw_author_name=a["raw_author_name"],
        )
        for a in state["authorships"]
    )
    WorkTopic.objects.filter(work=work).update(work=imported)
    WorkTopic.objects.bulk_create(
        WorkTopic(work=work, topic_id=topic, score=score) for topic, score in state["topics"]
    )
    work.references.update(work=imported)
    Work.objects.filter(version_of=work).exclude(pk=imported.pk).update(version_of=imported)

    log_curation(
        actor,
        CurationLog.Action.UNMATCH,
        {
            "work": work.pk,
            "identifier": entry.target["identifier"],
            "imported": imported.pk,
            "match": entry.pk,
        },
        reason,
    )
    researchers = {a["researcher"] for a in state["authorships"] if a["researcher"]}
    researchers |= set(
        imported.authorships.filter(researcher__isnull=False).values_list(
            "researcher_id", flat=True
        )
    )
    announce_on_commit(researchers)
    return imported


def reapply_matches() -> int:
    """Keep every standing match: a curated field that an import overwrote with the source's
    value (the one the match logged) gets the curated value back, and the work keeps listing
    it as curated. A later staff edit of the field is left alone; an undone match is skipped
    (the undo already stands: the matchers never pair that work and record again). Returns how
    many works changed; a second run changes none."""
    latest: dict[int, CurationLog] = {}
    entries = CurationLog.objects.filter(
        action__in=[CurationLog.Action.MATCH, CurationLog.Action.UNMATCH]
    ).order_by("created_at", "pk")
    for entry in entries:
        latest[entry.target["work"]] = entry
    standing = {pk: e for pk, e in latest.items() if e.action == CurationLog.Action.MATCH}
    changed = 0
    for work in Work.objects.filter(pk__in=list(standing)).order_by("pk"):
        target = standing[work.pk].target
        kept, source = target["kept"], target.get("source") or {}
        before = target["before"]["fields"]
        names = []
        for f in _tracked_fields():
            if f.name in kept and f.name in source:
                now = _as_json(getattr(work, f.attname))
                if now == source[f.name] and now != before.get(f.attname):
                    setattr(work, f.attname, f.to_python(before.get(f.attname)))
                    names.append(f.name)
        if not set(kept) <= set(work.curated_fields):
            work.curated_fields = list(dict.fromkeys([*work.curated_fields, *kept]))
            names.append("curated_fields")
        if names:
            work.save(update_fields=[*names, "updated_at"])
            changed += 1
    return changed
