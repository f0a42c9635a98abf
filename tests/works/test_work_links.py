"""How a work can be reached and how often it is cited, read from the recorded OpenAlex works:
every value checked against what the fixture JSON says, and a second import changes nothing."""

import copy
import datetime
import json

import pytest

from tests.conftest import OPENALEX
from works.importers.openalex import ImportStats, import_works
from works.models import Work, WorkReference

WORK_FILES = sorted(OPENALEX.glob("work*.json"))
OA_STATUSES = {"gold", "diamond", "green", "hybrid", "bronze", "closed"}


def recorded_works(path) -> list[dict]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return data.get("results", [data])


def bare(openalex_url: str) -> str:
    return openalex_url.removeprefix("https://openalex.org/")


def http_only(url):
    return url if url and url.startswith(("http://", "https://")) else ""


def expected_links(raw: dict) -> dict:
    """The stored values, worked out from the raw record by the rules the importer documents."""
    primary = raw.get("primary_location") or {}
    best = raw.get("best_oa_location") or {}
    open_access = raw.get("open_access") or {}
    status = open_access.get("oa_status")
    return {
        "cited_by_count": raw["cited_by_count"],
        "counts_by_year": sorted(
            (
                {"year": c["year"], "cited_by_count": c["cited_by_count"]}
                for c in raw["counts_by_year"]
            ),
            key=lambda c: -c["year"],
        ),
        "cited_by_read_on": datetime.date.fromisoformat(raw["updated_date"][:10]),
        "oa_status": status if status in OA_STATUSES else "",
        "oa_url": http_only(best.get("landing_page_url"))
        or http_only(best.get("pdf_url"))
        or http_only(open_access.get("oa_url")),
        "pdf_url": http_only(primary.get("pdf_url")) or http_only(best.get("pdf_url")),
        "landing_page_url": http_only(primary.get("landing_page_url")),
        "is_retracted": raw["is_retracted"],
    }


@pytest.mark.django_db
@pytest.mark.parametrize("path", WORK_FILES, ids=lambda p: p.name)
def test_links_citations_and_references_are_what_the_record_says_and_a_reimport_keeps_them(path):
    raws = recorded_works(path)

    import_works(raws)
    second = import_works(raws)

    assert second == ImportStats(unchanged=len(raws))
    for raw in raws:
        work = Work.objects.get(openalex_id=bare(raw["id"]))
        stored = {name: getattr(work, name) for name in expected_links(raw)}
        assert stored == expected_links(raw), raw["id"]
        references = WorkReference.objects.filter(work=work)
        assert sorted(references.values_list("cited_openalex_id", flat=True)) == sorted(
            {bare(r) for r in raw["referenced_works"]}
        )


@pytest.mark.django_db
def test_the_recorded_works_cover_every_kind_of_link():
    """The fixtures hold open and closed works, PDFs and citation histories, so the checks above
    are not vacuous."""
    for path in WORK_FILES:
        import_works(recorded_works(path))

    statuses = set(Work.objects.values_list("oa_status", flat=True))
    assert {"gold", "green", "hybrid", "bronze", "diamond", "closed"} <= statuses
    assert Work.objects.exclude(pdf_url="").exists()
    assert Work.objects.exclude(oa_url="").exists()
    assert Work.objects.exclude(counts_by_year=[]).exists()
    assert WorkReference.objects.count() > 100


@pytest.mark.django_db
def test_the_mearman_preprint_reads_green_via_arxiv_with_two_citations_in_2023():
    (raw,) = recorded_works(OPENALEX / "work-W3188841554.json")

    import_works([raw])

    work = Work.objects.get(openalex_id="W3188841554")
    assert (work.oa_status, work.oa_url) == ("green", "https://arxiv.org/abs/2108.04680")
    assert work.counts_by_year == [{"year": 2023, "cited_by_count": 2}]
    assert (work.cited_by_count, work.cited_by_read_on) == (2, datetime.date(2025, 9, 17))
    assert work.is_retracted is False
    assert work.arxiv_pdf_url == "https://arxiv.org/pdf/2108.04680"


@pytest.mark.django_db
def test_a_changed_reference_list_and_retraction_are_updated_in_place():
    (raw,) = recorded_works(OPENALEX / "work-W3188841554.json")
    import_works([raw])
    changed = copy.deepcopy(raw)
    changed["referenced_works"] = [*raw["referenced_works"][:2], "https://openalex.org/W1"]
    changed["is_retracted"] = True

    stats = import_works([changed])

    assert stats == ImportStats(updated=1)
    work = Work.objects.get(openalex_id="W3188841554")
    assert work.is_retracted is True
    assert sorted(work.references.values_list("cited_openalex_id", flat=True)) == sorted(
        [bare(r) for r in raw["referenced_works"][:2]] + ["W1"]
    )


@pytest.mark.django_db
def test_unsafe_urls_unknown_statuses_and_bad_counts_are_not_stored():
    (raw,) = recorded_works(OPENALEX / "work-W3188841554.json")
    hostile = copy.deepcopy(raw)
    hostile["best_oa_location"]["landing_page_url"] = "javascript:alert(1)"
    hostile["best_oa_location"]["pdf_url"] = "ftp://example.org/paper.pdf"
    hostile["open_access"] = {"oa_status": "platinum", "oa_url": "data:text/html,hi"}
    hostile["counts_by_year"] = [{"year": 2023}, {"year": 0, "cited_by_count": 3}]
    hostile["referenced_works"] = ["https://openalex.org/A5017898742", "not an id", "W42"]
    del hostile["updated_date"]

    import_works([hostile])

    work = Work.objects.get(openalex_id="W3188841554")
    assert (work.oa_status, work.oa_url, work.counts_by_year) == ("", "", [])
    assert work.cited_by_read_on is not None  # the day of the import, for want of a record date
    assert list(work.references.values_list("cited_openalex_id", flat=True)) == ["W42"]


@pytest.mark.django_db
def test_a_record_without_the_new_keys_leaves_the_stored_values_alone():
    (raw,) = recorded_works(OPENALEX / "work-W3188841554.json")
    import_works([raw])
    slim = {
        k: v
        for k, v in raw.items()
        if k not in {"counts_by_year", "open_access", "best_oa_location", "referenced_works"}
    }

    import_works([slim])

    work = Work.objects.get(openalex_id="W3188841554")
    assert work.oa_status == "green"
    assert work.counts_by_year == [{"year": 2023, "cited_by_count": 2}]
    assert work.references.count() == len(set(raw["referenced_works"]))
