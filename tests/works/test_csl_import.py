"""Curated CSL-JSON import (works/importers/csl.py and ``manage.py import_csl``)."""

import io
import json
from datetime import date
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tests.conftest import OPENALEX
from tests.factories import ResearcherFactory
from works.importers.csl import CslError, import_csl_items, read_csl_file
from works.importers.openalex import ImportStats, import_works
from works.models import Authorship, Researcher, Work

# The bundled copy of ../shared/reference/maosong-sun-works.csl.json (see its PROVENANCE.md).
CSL_FILE = Path(__file__).resolve().parents[2] / "works" / "demo" / "maosong-sun-works.csl.json"


def run(*args) -> str:
    out = io.StringIO()
    call_command("import_csl", *map(str, args), stdout=out)
    return out.getvalue()


def rows() -> dict:
    return {
        "works": list(Work.objects.order_by("pk").values()),
        "authorships": list(Authorship.objects.order_by("pk").values()),
        "researchers": list(Researcher.objects.order_by("pk").values()),
    }


def write(tmp_path, items, name="items.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(items), encoding="utf-8")
    return path


@pytest.mark.django_db
def test_the_reference_works_import_for_a_new_curated_researcher_in_reference_order():
    reference = json.loads(CSL_FILE.read_text(encoding="utf-8"))

    output = run(CSL_FILE, "--new-researcher", "Maosong Sun")

    assert "created 47" in output
    researcher = Researcher.objects.get(display_name="Maosong Sun")
    assert researcher.origin == Researcher.Origin.CURATED
    assert researcher.openalex_id is None
    works = Work.objects.filter(authorships__researcher=researcher).order_by(
        "-publication_year", "title"
    )
    assert [w.title for w in works] == [item["title"] for item in reference]
    first = works[0]
    assert (first.type, first.publication_year, first.venue) == ("preprint", 2026, "arXiv")
    assert first.abstract == reference[0]["abstract"]
    authorship = first.authorships.get()
    assert (authorship.researcher, authorship.raw_author_name, authorship.order) == (
        researcher,
        "Maosong Sun",
        0,
    )


@pytest.mark.django_db
def test_importing_the_reference_file_twice_changes_nothing():
    run(CSL_FILE, "--new-researcher", "Maosong Sun")
    before = rows()

    output = run(CSL_FILE, "--new-researcher", "Maosong Sun")

    assert "Using existing curated researcher" in output
    assert "created 0, updated 0, unchanged 47" in output
    assert rows() == before


@pytest.mark.django_db
def test_it_imports_for_an_existing_researcher_by_pk_or_openalex_id():
    researcher = ResearcherFactory(display_name="Maosong Sun", openalex_id="A5046448314")

    run(CSL_FILE, "--researcher", researcher.pk)
    again = run(CSL_FILE, "--researcher", "https://openalex.org/A5046448314")

    assert Work.objects.filter(authorships__researcher=researcher).count() == 47
    assert "unchanged 47" in again


@pytest.mark.django_db
def test_items_map_doi_url_date_genre_fallback_and_coauthors(tmp_path):
    researcher = ResearcherFactory(display_name="Joseph Mearman", openalex_id=None)
    items = [
        {
            "type": "paper-conference",
            "title": "A  paper <i>with</i> markup",
            "DOI": "https://doi.org/10.1000/ABC.Def",
            "URL": "https://example.org/paper",
            "issued": {"date-parts": [[2019, 5, 4]]},
            "container-title": "Proceedings of Things",
            "author": [
                {"family": "Roberts", "given": "Jonathan C."},
                {"family": "Mearman", "given": "J. W."},
                {"literal": "The Consortium"},
            ],
        }
    ]

    stats = import_csl_items(items, researcher)

    assert stats == ImportStats(created=1)
    work = Work.objects.get()
    assert work.title == "A paper with markup"
    assert (work.doi, work.landing_page_url) == ("10.1000/abc.def", "https://example.org/paper")
    assert (work.publication_year, work.publication_date) == (2019, date(2019, 5, 4))
    assert (work.type, work.venue) == ("paper-conference", "Proceedings of Things")
    authorships = list(work.authorships.order_by("order"))
    assert [(a.raw_author_name, a.researcher_id, a.position) for a in authorships] == [
        ("Jonathan C. Roberts", None, "first"),
        ("J. W. Mearman", researcher.pk, "middle"),
        ("The Consortium", None, "last"),
    ]
    assert import_csl_items(items, researcher) == ImportStats(unchanged=1)


@pytest.mark.django_db
def test_an_item_matching_a_source_work_by_doi_only_adds_the_authorship_once():
    import_works([json.loads((OPENALEX / "work-W2741809807.json").read_text())])
    curated = ResearcherFactory(display_name="Heather Piwowar", openalex_id=None)
    items = [
        {"title": "Other title", "DOI": "10.7717/PEERJ.4375", "issued": {"date-parts": [[2018]]}}
    ]
    work = Work.objects.get()
    title, authors = work.title, work.authorships.count()

    assert import_csl_items(items, curated) == ImportStats(updated=1)
    assert import_csl_items(items, curated) == ImportStats(unchanged=1)

    work.refresh_from_db()
    assert work.title == title  # the source's record is kept
    assert work.authorships.count() == authors + 1
    assert work.authorships.filter(researcher=curated).count() == 1


@pytest.mark.django_db
def test_an_edited_item_updates_the_curated_work_in_place(tmp_path):
    researcher = ResearcherFactory(display_name="Maosong Sun", openalex_id=None)
    item = {"title": "Stuffed Mamba", "genre": "preprint", "issued": {"date-parts": [[2026]]}}
    import_csl_items([item], researcher)
    pk = Work.objects.get().pk

    stats = import_csl_items([{**item, "title": "stuffed mamba!", "abstract": "New."}], researcher)

    assert stats == ImportStats(updated=1)
    work = Work.objects.get()
    assert (work.pk, work.abstract) == (pk, "New.")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('[{"title": "ok"},\n  {"title": ', "line 2: not valid JSON"),
        ('[{"title": "ok"}, {"type": "article"}]', "item 2: item has no title"),
        ('[{"title": "ok"}, "text"]', "item 2: an item must be a JSON object"),
        ('{"items": 3}', "item 1: item has no title"),
        ("[]", "expected a CSL-JSON list of items"),
    ],
)
def test_a_bad_file_is_a_clear_error_and_imports_nothing(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")

    with pytest.raises(CommandError, match=message) as error:
        run(path, "--new-researcher", "Someone New")

    assert str(path) in str(error.value)
    assert Researcher.objects.count() == 0
    assert Work.objects.count() == 0


@pytest.mark.django_db
def test_missing_file_or_unknown_researcher_is_a_command_error(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        run(tmp_path / "nope.json", "--researcher", "1")
    with pytest.raises(CommandError, match="no researcher"):
        run(CSL_FILE, "--researcher", "999999")
    with pytest.raises(CommandError):
        run(CSL_FILE)  # one of --researcher / --new-researcher is required
    assert Work.objects.count() == 0


def test_read_csl_file_checks_every_item(tmp_path):
    path = write(tmp_path, [{"title": "ok"}, {"title": ""}])
    with pytest.raises(CslError, match="item 2"):
        read_csl_file(path)
    assert len(read_csl_file(CSL_FILE)) == 47


@pytest.mark.django_db
def test_the_researcher_is_found_among_authors_by_surname_and_initial_ignoring_accents():
    researcher = ResearcherFactory(display_name="Katharina Möller", openalex_id=None)
    items = [
        {
            "title": "Papercraft",
            "author": [{"family": "Ritsos", "given": "P. D."}, {"literal": "Moller, K."}],
        }
    ]

    import_csl_items(items, researcher)

    linked = Authorship.objects.get(researcher=researcher)
    assert (linked.order, linked.raw_author_name) == (1, "Moller, K.")
    assert Authorship.objects.count() == 2
