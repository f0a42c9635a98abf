"""Upsert arXiv entries as works of one researcher, merging with what we already hold.

Only entries with an author whose name is compatible with the researcher's names are kept (an
``au:`` query also returns homonyms); the rest count as skipped. An entry we already know (same
arXiv id, the arXiv DOI ``10.48550/arxiv.<id>``, or an ``arxiv.org/abs/<id>`` landing or PDF
link recorded from OpenAlex on one of the researcher's works) is merged into that work: blanks
are filled, nothing is overwritten, ``is_hidden`` and ``version_of`` are never touched. A second
run over the same entries changes nothing.

Entries are checked against the shape ``works.importers.schemas`` declares (a page with one that
does not fit is refused whole) and their texts bounded (``works.importers.imported_text``).
"""

from __future__ import annotations

import dataclasses

from django.db import transaction
from django.db.models import Q

from bzpeer.fold import fold
from bzpeer.identifiers import arxiv_abs_url, arxiv_doi, arxiv_id_from_url
from works import matching
from works.clients.arxiv import ArxivAuthor, ArxivEntry
from works.importers.imported_text import bounded, noting_cuts, reading
from works.importers.names import matching_author_index, names_compatible, researcher_names
from works.importers.openalex import ImportStats
from works.importers.schemas import checked_arxiv_entry
from works.models import Authorship, Institution, Researcher, Work
from works.versions import is_preprint


def _find_existing(researcher: Researcher, entries: list[ArxivEntry]) -> dict[str, Work]:
    ids = [e.arxiv_id for e in entries]
    by_identifier = Q(arxiv_id__in=ids) | Q(doi__in=[arxiv_doi(i) for i in ids])
    # Links are matched among the researcher's own works only: a substring match cannot use an
    # index, and over every work of a large database it would be a full scan per page.
    by_link = Q()
    for arxiv_id in ids:
        by_link |= Q(landing_page_url__icontains=f"arxiv.org/abs/{arxiv_id}")
        by_link |= Q(pdf_url__icontains=f"arxiv.org/pdf/{arxiv_id}")
    found: dict[str, Work] = {}
    candidates = list(Work.objects.filter(by_identifier).order_by("pk"))
    candidates += list(
        Work.objects.filter(by_link, authorships__researcher=researcher).distinct().order_by("pk")
    )
    for arxiv_id in ids:
        for work in candidates:
            if (
                work.arxiv_id == arxiv_id
                or work.doi == arxiv_doi(arxiv_id)
                or arxiv_id_from_url(work.landing_page_url) == arxiv_id
                or arxiv_id_from_url(work.pdf_url) == arxiv_id
            ):
                found.setdefault(arxiv_id, work)
    return found


def _position(index: int, count: int) -> str:
    if index == 0:
        return Authorship.Position.FIRST
    return Authorship.Position.LAST if index == count - 1 else Authorship.Position.MIDDLE


def _authorships(work: Work, researcher, entry: ArxivEntry, index: int) -> list[Authorship]:
    return [
        Authorship(
            work=work,
            researcher=researcher if order == index else None,
            order=order,
            position=_position(order, len(entry.authors)),
            raw_author_name=author.name,
        )
        for order, author in enumerate(entry.authors)
    ]


def _merge_into(work: Work, entry: ArxivEntry) -> bool:
    """Fill the blanks of a known work from the arXiv entry; returns whether it changed."""
    changed = []
    if not work.arxiv_id and not Work.objects.filter(arxiv_id=entry.arxiv_id).exists():
        work.arxiv_id = entry.arxiv_id
        changed.append("arxiv_id")
    if not work.abstract and entry.summary:
        work.abstract = entry.summary
        changed.append("abstract")
    if not work.pdf_url and entry.pdf_url:
        work.pdf_url = entry.pdf_url
        changed.append("pdf_url")
    if work.publication_date is None and entry.published:
        work.publication_date = entry.published.date()
        work.publication_year = work.publication_year or entry.published.year
        changed += ["publication_date", "publication_year"]
    if changed:
        work.save(update_fields=[*changed, "updated_at"])
    return bool(changed)


def _attach(work: Work, researcher: Researcher, entry: ArxivEntry, index: int) -> bool:
    """Credit the researcher on a known work, on the author slot with their name, if free."""
    authorships = list(work.authorships.all())
    if not authorships:  # a record that names no authors yet: take arXiv's list
        Authorship.objects.bulk_create(_authorships(work, researcher, entry, index))
        return True
    if index < 0 or any(a.researcher_id == researcher.pk for a in authorships):
        return False
    name = entry.authors[index].name
    for authorship in authorships:
        if authorship.researcher_id is None and (
            authorship.order == index or names_compatible(authorship.raw_author_name, name)
        ):
            authorship.researcher = researcher
            authorship.save(update_fields=["researcher"])
            return True
    return False


def _bounded(entry: ArxivEntry) -> ArxivEntry:
    """The entry with every text we keep made safe and cut to its limit."""
    with reading(f"arXiv {entry.arxiv_id}"):
        authors = [
            ArxivAuthor(
                name=bounded(author.name, "name", f"authors[{order}] name"),
                affiliations=[
                    bounded(name, "institution", "affiliation") for name in author.affiliations
                ],
            )
            for order, author in enumerate(entry.authors)
        ]
        return dataclasses.replace(
            entry,
            title=bounded(entry.title, "title"),
            summary=bounded(entry.summary, "abstract", "summary"),
            journal_ref=bounded(entry.journal_ref, "venue", "journal_ref"),
            authors=authors,
        )


def _new_work(entry: ArxivEntry, published: Work | None) -> Work:
    """An unsaved preprint for the entry (``published``: the journal version it is of)."""
    return Work(
        arxiv_id=entry.arxiv_id,
        doi=arxiv_doi(entry.arxiv_id),
        title=entry.title,
        abstract=entry.summary,
        publication_date=entry.published.date() if entry.published else None,
        publication_year=entry.published.year if entry.published else None,
        type="preprint",
        venue_name=entry.journal_ref or "arXiv",
        landing_page_url=arxiv_abs_url(entry.arxiv_id),
        pdf_url=entry.pdf_url,
        version_of=published,
        source_updated=entry.updated.isoformat() if entry.updated else "",
    )


def _create_authorships(researcher, created: list, institutions: dict) -> None:
    """The authorships of the works just created, each linked to the institutions of its
    author's affiliations that are known by name (``institutions``: folded name ->)."""
    authorships: list[Authorship] = []
    links: list[tuple[int, Institution]] = []
    for work, (entry, index) in created:
        for author, authorship in zip(
            entry.authors, _authorships(work, researcher, entry, index), strict=True
        ):
            authorships.append(authorship)
            for aff in author.affiliations:
                if (institution := institutions.get(fold(aff))) is not None:
                    links.append((len(authorships) - 1, institution))
    Authorship.objects.bulk_create(authorships)
    if links:
        through = Authorship.institutions.through
        through.objects.bulk_create(
            [
                through(authorship_id=authorships[i].pk, institution_id=inst.pk)
                for i, inst in links
                if authorships[i].pk
            ],
            ignore_conflicts=True,
        )


def import_entries(
    researcher: Researcher, entries: list[ArxivEntry], *, keep_unmatched: bool = False
) -> ImportStats:
    """Upsert one page of arXiv entries for ``researcher`` in one transaction. ShapeError,
    before anything is written, if an entry does not fit its declared shape.

    ``keep_unmatched``: an entry naming no author compatible with the researcher is imported
    too, crediting nobody (a paper the record's owner asked for by its id)."""
    for entry in entries:
        checked_arxiv_entry(entry)
    with noting_cuts() as cuts:
        entries = [_bounded(entry) for entry in entries]
    stats = ImportStats(cuts=cuts)
    # A merged record's works go to the record it lives in now (itself on a broken chain).
    researcher = Researcher.objects.resolve(researcher.pk) or researcher
    names = researcher_names(researcher)
    matched: list[tuple[ArxivEntry, int]] = []
    for entry in entries:
        index = matching_author_index(names, [a.name for a in entry.authors])
        if index is None and keep_unmatched:
            matched.append((entry, -1))  # no author slot is the researcher's
        elif index is None:
            stats.skipped += 1
        else:
            matched.append((entry, index))
    if not matched:
        return stats
    with transaction.atomic():
        existing = _find_existing(researcher, [e for e, _ in matched])
        # A curated work of the same title and year is the entry's work too (logged, undoable).
        unknown = [e for e, _ in matched if e.arxiv_id not in existing]
        curated = [
            matching.arxiv_match(work, arxiv_id)
            for arxiv_id, work in matching.curated_for_arxiv(researcher, unknown).items()
        ]
        existing.update({m.identifier: m.work for m in curated})
        journal_dois = {e.doi for e, _ in matched if e.doi}
        published_by_doi = {
            w.doi: w for w in Work.objects.filter(doi__in=journal_dois) if not is_preprint(w)
        }
        affiliation_names = {aff for e, _ in matched for a in e.authors for aff in a.affiliations}
        institutions = {
            fold(i.display_name): i
            for i in Institution.objects.filter(display_name__in=affiliation_names)
        }
        new_works: list[Work] = []
        new_entries: list[tuple[ArxivEntry, int]] = []
        for entry, index in matched:
            work = existing.get(entry.arxiv_id)
            if work is not None:
                changed = _merge_into(work, entry)
                changed = _attach(work, researcher, entry, index) or changed
                if changed:
                    stats.updated += 1
                else:
                    stats.unchanged += 1
                continue
            new_works.append(_new_work(entry, published_by_doi.get(entry.doi)))
            new_entries.append((entry, index))
        Work.objects.bulk_create(new_works)
        if new_works and new_works[0].pk is None:  # backends that do not return ids
            by_id = Work.objects.in_bulk([w.arxiv_id for w in new_works], field_name="arxiv_id")
            new_works = [by_id[w.arxiv_id] for w in new_works]
        _create_authorships(
            researcher, list(zip(new_works, new_entries, strict=True)), institutions
        )
        stats.created += len(new_works)
        matching.log_matches(curated, "arXiv")
    return stats
