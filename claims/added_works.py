"""A record's owner adds a work the sources missed, by its DOI or its arXiv id.

The work is imported like any other (one OpenAlex work by DOI, one arXiv entry by id: an
``ImportRun`` through the usual clients and importers) and then put on the owner's record by
``works.curation.attach_added_work``, whose log entry every later import replays. Asking for a
work already on the record changes nothing. Without a broker (development, tests) the run is
done by the time :func:`add_missing_work` returns; with one, it is queued and the owner's page
shows how it ends.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from bzpeer.identifiers import arxiv_doi, normalise_arxiv_id, normalise_doi
from claims.corrections import (
    CorrectionConflict,
    CorrectionError,
    check_correction_rate,
)
from works import runs
from works.curation import AddedWork
from works.models import ImportRun, Researcher, Work

# How many of their requests the owner's page lists.
RECENT_ADDITIONS = 5


@dataclass
class Addition:
    """Where one request stands: ``state`` is queued, added, already_listed, not_found or
    failed; ``message`` says it in plain words."""

    run: ImportRun
    state: str
    message: str
    work: Work | None = None


def parse_identifier(doi: str = "", arxiv_id: str = "") -> tuple[str, str]:
    """The normalised (DOI, arXiv id) pair, exactly one of them set; CorrectionError saying what
    is wrong otherwise."""
    doi, arxiv_id = (doi or "").strip(), (arxiv_id or "").strip()
    if bool(doi) == bool(arxiv_id):
        raise CorrectionError("Give the work's DOI or its arXiv id (one of the two).")
    if doi:
        normalised = normalise_doi(doi)
        if normalised is None:
            raise CorrectionError(
                f"{doi[:80]!r} is not a DOI: a DOI starts with 10. and has a slash, "
                "e.g. 10.7717/peerj.4375 or https://doi.org/10.7717/peerj.4375."
            )
        return normalised, ""
    normalised = normalise_arxiv_id(arxiv_id)
    if normalised is None:
        raise CorrectionError(
            f"{arxiv_id[:80]!r} is not an arXiv id: e.g. 2108.04680, arXiv:2108.04680v2 or "
            "hep-th/9901001."
        )
    return "", normalised


def listed_work(researcher: Researcher, doi: str, arxiv_id: str) -> Work | None:
    """The work on the record with this DOI or arXiv id (an arXiv id also by its arXiv DOI)."""
    works = Work.objects.filter(authorships__researcher=researcher)
    if doi:
        return works.filter(doi=doi).first()
    return (works.filter(arxiv_id=arxiv_id) | works.filter(doi=arxiv_doi(arxiv_id))).first()


def add_missing_work(user, researcher: Researcher, *, doi="", arxiv_id="", detach=False):
    """Queue the import of the work and its attachment to the owner's ``researcher`` record.

    CorrectionError for a malformed identifier, CorrectionConflict when the work is already on
    the record, CorrectionRateLimited past the day's corrections; nothing is queued then.
    """
    doi, arxiv_id = parse_identifier(doi, arxiv_id)
    if work := listed_work(researcher, doi, arxiv_id):
        raise CorrectionConflict(f"{work.title} is already listed on your record.")
    with transaction.atomic():  # the budget's lock holds until the run is recorded
        check_correction_rate(user)
        run = runs.start_work_addition(
            researcher, doi=doi, arxiv_id=arxiv_id, requested_by=user, detach=detach
        )
    run.refresh_from_db()
    return describe(run)


def describe(run: ImportRun) -> Addition:
    """Where the request the run carries out stands, in plain words."""
    asked = run.target.replace(runs.DOI_TARGET, "DOI ", 1).replace(runs.ARXIV_TARGET, "arXiv:", 1)
    if run.status == ImportRun.Status.FAILED:
        error = (run.errors or [{}])[-1]
        detail = error.get("detail", "")
        if "(404)" in detail or detail.startswith("arXiv has no paper"):
            source = "OpenAlex" if run.source == ImportRun.Source.OPENALEX else "arXiv"
            return Addition(
                run, "not_found", f"{source} has no work with {asked}: nothing was changed."
            )
        return Addition(
            run,
            "failed",
            f"{asked} could not be looked up ({error.get('kind', 'error')}: {detail}). "
            "Nothing was changed; try again later.",
        )
    if run.status != ImportRun.Status.SUCCEEDED:
        return Addition(run, "queued", f"Looking up {asked}: it appears on your record once found.")
    work_pk = (run.checkpoint or {}).get("work")
    work = Work.objects.filter(pk=work_pk).first() if work_pk else None
    title = work.title if work else asked
    if (run.checkpoint or {}).get("outcome") == AddedWork.ALREADY_LISTED:
        return Addition(run, "already_listed", f"{title} was already on your record.", work)
    return Addition(run, "added", f"Added {title} to your record.", work)


def recent_additions(researcher: Researcher) -> list[Addition]:
    """The owner's latest requests to add a work, newest first."""
    recent = (
        runs.work_additions()
        .filter(researcher=researcher, requested_by=researcher.owner_id)
        .order_by("-created_at", "-pk")[:RECENT_ADDITIONS]
    )
    return [describe(run) for run in recent]
