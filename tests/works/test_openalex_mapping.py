"""The OpenAlex mapping (works/importers/openalex.py) on the recorded real responses."""

import copy
import json
import sqlite3

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import OPENALEX
from tests.factories import ResearcherFactory, WorkFactory
from works.importers.openalex import (
    ImportStats,
    abstract_from_inverted_index,
    import_author,
    import_authors,
    import_entities,
    import_list_page,
    import_works,
    normalise_doi,
    normalise_openalex_id,
    normalise_orcid,
)
from works.models import (
    Affiliation,
    Authorship,
    Institution,
    Researcher,
    Source,
    Topic,
    Work,
    WorkReference,
    WorkTopic,
)

MEARMAN = "A5017898742"
ALL_FILES = sorted(OPENALEX.glob("*.json"))
MODELS = [
    Institution,
    Researcher,
    Affiliation,
    Source,
    Topic,
    Work,
    Authorship,
    WorkTopic,
    WorkReference,
]


def load(name: str) -> dict:
    return json.loads((OPENALEX / name).read_text(encoding="utf-8"))


def entities(data: dict) -> list[dict]:
    return data.get("results", [data])


def import_file(data: dict) -> ImportStats:
    return import_list_page(data) if "results" in data else import_entities([data])


def database_rows() -> dict:
    """Every row of every table the importers write, with all columns."""
    through = Authorship.institutions.through
    rows = {m.__name__: list(m.objects.order_by("pk").values()) for m in MODELS}
    rows["links"] = list(through.objects.order_by("pk").values())
    return rows


def raw_doi(value: str | None) -> str | None:
    return value.removeprefix("https://doi.org/").lower() if value else None


# Every recorded file ---------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("path", ALL_FILES, ids=lambda p: p.name)
def test_every_recorded_file_imports_and_a_second_import_changes_nothing(path):
    data = json.loads(path.read_text(encoding="utf-8"))
    items = entities(data)

    first = import_file(data)

    assert first.created == len(items)
    assert first.updated == first.unchanged == first.skipped == 0
    works = [w for w in items if "/W" in w["id"]]
    authors = [a for a in items if "/A" in a["id"]]
    assert Work.objects.count() == len(works)
    assert Researcher.objects.filter(openalex_id__in=[a["id"][21:] for a in authors]).count() == (
        len(authors)
    )
    for raw in works:
        work = Work.objects.get(openalex_id=raw["id"].removeprefix("https://openalex.org/"))
        assert work.authorships.count() == len(raw["authorships"])
        assert work.doi == raw_doi(raw.get("doi"))
        assert work.publication_year == raw["publication_year"]
        assert work.cited_by_count == raw["cited_by_count"]
        assert set(work.work_topics.values_list("topic__openalex_id", flat=True)) == {
            t["id"].removeprefix("https://openalex.org/") for t in raw["topics"]
        }
    before = database_rows()

    second = import_file(data)

    assert second == ImportStats(unchanged=len(items))
    assert database_rows() == before


# Specific facts --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_mearman_is_at_bangor_university_with_ror_and_affiliation_years():
    researcher = import_author(load(f"author-{MEARMAN}.json"))

    assert researcher.openalex_id == MEARMAN
    assert researcher.display_name == "Joseph Mearman"
    assert researcher.display_name_alternatives == [
        "Joseph Mearman",
        "Joseph W. Mearman",
        "J. W. Mearman",
    ]
    assert researcher.orcid is None
    assert (researcher.source_works_count, researcher.source_cited_by_count) == (9, 41)
    assert researcher.h_index == 2
    assert researcher.source_updated == "2025-09-21T07:40:09.928040"
    bangor = researcher.last_known_institution
    assert (bangor.display_name, bangor.ror, bangor.openalex_id) == (
        "Bangor University",
        "006jb1a24",
        "I161548249",
    )
    assert (bangor.country_code, bangor.type) == ("GB", "funder")  # kept verbatim
    affiliation = Affiliation.objects.get(researcher=researcher)
    assert affiliation.institution == bangor
    assert affiliation.years == [2021, 2016, 2015, 2014]


@pytest.mark.django_db
def test_mearman_works_page_gives_nine_works_and_the_distinct_authors_of_the_raw_json():
    page = load(f"works-by-{MEARMAN}-per_page50.json")
    raw_author_ids = {
        a["author"]["id"].removeprefix("https://openalex.org/")
        for w in page["results"]
        for a in w["authorships"]
    }
    import_author(load(f"author-{MEARMAN}.json"))

    import_list_page(page)

    mearman = Researcher.objects.get(openalex_id=MEARMAN)
    works = Work.objects.filter(authorships__researcher=mearman)
    assert works.count() == 9
    authors = Researcher.objects.filter(authorships__work__in=works).distinct()
    assert len(raw_author_ids) == 18
    assert set(authors.values_list("openalex_id", flat=True)) == raw_author_ids
    # The full author record was not overwritten by the minimal one from the authorships.
    assert mearman.display_name_alternatives and mearman.last_known_institution is not None


@pytest.mark.django_db
def test_unknown_authors_get_a_minimal_record_with_orcid_and_the_raw_name_is_kept():
    import_works([load("work-W3188841554.json")])

    first = Authorship.objects.select_related("researcher").get(
        work__openalex_id="W3188841554", order=0
    )
    assert first.raw_author_name == "J. C. Roberts"
    assert first.researcher.display_name == "Jonathan C. Roberts"
    assert first.researcher.orcid == "0000-0001-7718-3181"
    assert first.researcher.origin == Researcher.Origin.OPENALEX
    assert first.position == Authorship.Position.FIRST
    assert list(first.institutions.values_list("ror", flat=True)) == ["006jb1a24"]


@pytest.mark.django_db
def test_abstract_is_rebuilt_from_the_inverted_index_as_plain_text():
    raw = load("work-W3188841554.json")
    index = raw["abstract_inverted_index"]
    by_position = {p: word for word, positions in index.items() for p in positions}
    expected = " ".join(by_position[p] for p in sorted(by_position))

    import_works([raw])

    abstract = Work.objects.get(openalex_id="W3188841554").abstract
    assert abstract == expected
    assert abstract.startswith("We believe that 3D visualisations should not be used alone;")


def test_abstract_from_inverted_index_handles_repeats_missing_and_markup():
    index = {"the": [0, 3], "cat": [1], "saw": [2], "<i>dog</i>": [4], "&amp;": [5]}
    assert abstract_from_inverted_index(index) == "the cat saw the dog &"
    assert abstract_from_inverted_index(None) == ""
    assert abstract_from_inverted_index({}) == ""


@pytest.mark.django_db
def test_dois_are_bare_and_lower_case():
    import_list_page(load("works-page1-per_page50.json"))
    import_works([load("work-W2741809807.json")])

    assert Work.objects.get(openalex_id="W2741809807").doi == "10.7717/peerj.4375"
    assert Work.objects.get(openalex_id="W1775749144").doi == "10.1016/s0021-9258(19)52451-6"
    assert not Work.objects.filter(doi__startswith="http").exists()
    assert not Work.objects.filter(doi__regex=r"[A-Z]").exists()
    assert normalise_doi("https://doi.org/10.1103/PhysRevLett.77.3865") == (
        "10.1103/physrevlett.77.3865"
    )
    assert normalise_doi(None) is None
    assert normalise_doi("not a doi") is None


@pytest.mark.django_db
def test_a_work_without_primary_source_imports_with_an_empty_venue():
    raw = load("work-W3187234764.json")
    assert raw["primary_location"]["source"] is None

    import_works([raw])

    work = Work.objects.get(openalex_id="W3187234764")
    assert work.source is None
    assert work.venue == ""
    assert work.doi == "10.2312/cgvc.20211309"


@pytest.mark.django_db
def test_null_doi_null_abstract_and_null_title_are_tolerated():
    import_list_page(load("works-page1-per_page50.json"))

    untitled = Work.objects.get(openalex_id="W2911964244")
    assert untitled.title == ""
    no_doi = Work.objects.get(openalex_id="W2582743722")
    assert (no_doi.doi, no_doi.abstract) == (None, "")
    # Inline markup in titles is dropped: the stored title is plain text.
    assert Work.objects.get(openalex_id="W2131350133").title == "A short history of SHELX"


@pytest.mark.django_db
def test_the_preprint_gets_its_arxiv_id_and_the_published_version_does_not():
    import_works([load("work-W3187234764.json"), load("work-W3188841554.json")])

    preprint = Work.objects.get(openalex_id="W3188841554")
    published = Work.objects.get(openalex_id="W3187234764")
    assert (preprint.arxiv_id, preprint.doi, preprint.type) == (
        "2108.04680",
        "10.48550/arxiv.2108.04680",
        "preprint",
    )
    assert published.arxiv_id is None
    assert preprint.venue == "arXiv (Cornell University)"
    assert preprint.landing_page_url == "https://arxiv.org/abs/2108.04680"


@pytest.mark.django_db
def test_an_arxiv_id_from_a_location_is_not_stolen_from_the_work_holding_it():
    holder = WorkFactory(arxiv_id="1512.03385", openalex_id="W1")

    import_list_page(load("works-page1-per_page50.json"))

    resnet = Work.objects.get(openalex_id="W2194775991")
    assert resnet.arxiv_id is None
    holder.refresh_from_db()
    assert holder.arxiv_id == "1512.03385"
    # Locations of other works do give arXiv ids (abs and pdf landing pages).
    assert Work.objects.get(openalex_id="W1951724000").arxiv_id == "1406.5823"
    assert Work.objects.get(openalex_id="W1686810756").arxiv_id == "1409.1556"


@pytest.mark.django_db
def test_a_doi_held_by_another_openalex_work_is_left_null():
    other = WorkFactory(doi="10.7717/peerj.4375", openalex_id="W99")

    import_works([load("work-W2741809807.json")])

    assert Work.objects.get(openalex_id="W2741809807").doi is None
    other.refresh_from_db()
    assert other.doi == "10.7717/peerj.4375"


@pytest.mark.django_db
def test_a_curated_work_with_the_same_doi_is_adopted_not_duplicated():
    curated = WorkFactory(doi="10.7717/peerj.4375", openalex_id=None, title="state of oa")

    stats = import_works([load("work-W2741809807.json")])

    assert stats == ImportStats(updated=1)
    curated.refresh_from_db()
    assert curated.openalex_id == "W2741809807"
    assert curated.title.startswith("The state of OA")
    assert Work.objects.count() == 1


@pytest.mark.django_db
def test_an_adopted_work_keeps_its_curated_authorship_after_the_source_authors():
    raw = load("work-W2741809807.json")
    curated = ResearcherFactory(display_name="Heather Piwowar", openalex_id=None)
    work = WorkFactory(doi="10.7717/peerj.4375", openalex_id=None)
    Authorship.objects.create(work=work, researcher=curated, order=0, raw_author_name="H. P.")

    import_works([raw])
    again = import_works([raw])

    assert again == ImportStats(unchanged=1)
    authorships = list(work.authorships.order_by("order"))
    assert len(authorships) == len(raw["authorships"]) + 1
    assert authorships[-1].researcher == curated
    assert authorships[0].raw_author_name == raw["authorships"][0]["raw_author_name"]


@pytest.mark.django_db
def test_two_new_authors_with_the_same_orcid_do_not_fail_the_batch():
    raw = copy.deepcopy(load("work-W3188841554.json"))
    first, second = raw["authorships"][0]["author"], raw["authorships"][1]["author"]
    second["orcid"] = first["orcid"]

    import_works([raw])

    holders = Researcher.objects.filter(orcid=normalise_orcid(first["orcid"]))
    assert list(holders.values_list("openalex_id", flat=True)) == [first["id"][21:]]
    assert Researcher.objects.get(openalex_id=second["id"][21:]).orcid is None


@pytest.mark.django_db
def test_topics_keep_the_hierarchy_and_work_topic_scores():
    raw = load("work-W3188841554.json")

    import_works([raw])

    topic = Topic.objects.get(openalex_id="T10799")
    assert topic.level == Topic.Level.TOPIC
    assert (topic.parent.openalex_id, topic.parent.level) == ("subfields/1707", "subfield")
    assert (topic.parent.parent.openalex_id, topic.parent.parent.level) == ("fields/17", "field")
    domain = topic.parent.parent.parent
    assert (domain.openalex_id, domain.level, domain.parent) == ("domains/3", "domain", None)
    assert WorkTopic.objects.get(work__openalex_id="W3188841554", topic=topic).score == 0.9999
    assert WorkTopic.objects.filter(work__openalex_id="W3188841554").count() == len(raw["topics"])


@pytest.mark.django_db
def test_unicode_names_survive():
    import_author(load("author-A5088205980.json"))
    import_list_page(load("authors-page1-per_page50.json"))

    assert Researcher.objects.get(openalex_id="A5088205980").display_name == "Katharina Möller"
    page_names = {a["display_name"] for a in load("authors-page1-per_page50.json")["results"]}
    assert page_names <= set(Researcher.objects.values_list("display_name", flat=True))


# Curation survives re-import -------------------------------------------------------------------


@pytest.mark.django_db
def test_a_hidden_work_stays_hidden_and_keeps_its_version_link_after_reimport():
    preprint, published = load("work-W3188841554.json"), load("work-W3187234764.json")
    import_works([preprint, published])
    Work.objects.filter(openalex_id="W3188841554").update(
        is_hidden=True, version_of=Work.objects.get(openalex_id="W3187234764")
    )
    changed = copy.deepcopy(preprint)
    changed["cited_by_count"] += 5
    changed["updated_date"] = "2026-01-01T00:00:00"

    stats = import_works([changed, published])

    assert stats == ImportStats(updated=1, unchanged=1)
    work = Work.objects.get(openalex_id="W3188841554")
    assert work.is_hidden is True
    assert work.version_of.openalex_id == "W3187234764"
    assert work.cited_by_count == preprint["cited_by_count"] + 5


@pytest.mark.django_db
def test_authorships_of_a_merged_author_go_to_the_canonical_record_following_the_chain():
    page = load(f"works-by-{MEARMAN}-per_page50.json")
    import_list_page(page)
    mearman = Researcher.objects.get(openalex_id=MEARMAN)
    middle = ResearcherFactory(display_name="Joseph Mearman (dup)")
    canonical = ResearcherFactory(display_name="Joseph Mearman")
    Researcher.objects.filter(pk=middle.pk).update(merged_into=canonical)
    Researcher.objects.filter(pk=mearman.pk).update(merged_into=middle)

    stats = import_list_page(page)

    assert stats.updated == 9
    assert Authorship.objects.filter(researcher=mearman).count() == 0
    assert Work.objects.filter(authorships__researcher=canonical).count() == 9
    # The record keeps its OpenAlex id; import_author refreshes it and returns the canonical one.
    assert import_author(load(f"author-{MEARMAN}.json")) == canonical
    mearman.refresh_from_db()
    assert mearman.openalex_id == MEARMAN and mearman.merged_into == middle


@pytest.mark.django_db
def test_a_changed_authorship_list_is_updated_in_place_and_extra_rows_removed():
    raw = load("work-W3188841554.json")
    import_works([raw])
    pks = list(
        Authorship.objects.filter(work__openalex_id="W3188841554")
        .order_by("order")
        .values_list("pk", flat=True)
    )
    shorter = copy.deepcopy(raw)
    shorter["authorships"] = shorter["authorships"][:2]
    shorter["authorships"][1]["raw_author_name"] = "Renamed"

    stats = import_works([shorter])

    assert stats == ImportStats(updated=1)
    rows = Authorship.objects.filter(work__openalex_id="W3188841554").order_by("order")
    assert list(rows.values_list("pk", flat=True)) == pks[:2]
    assert rows[1].raw_author_name == "Renamed"


# Malformed entities and schema drift ----------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("entity", "message"),
    [
        ({"title": "No id"}, "has no id"),
        ({"id": None}, "has no id"),
        ({"id": "https://openalex.org/not-an-id"}, "not an OpenAlex id"),
        ({"id": "https://openalex.org/A5017898742"}, "not an OpenAlex work id"),
        ("a string", "must be a JSON object"),
    ],
)
def test_a_malformed_work_raises_a_clear_error_and_imports_nothing(entity, message):
    good = load("work-W2741809807.json")

    with pytest.raises(ValueError, match=message):
        import_works([good, entity])

    assert Work.objects.count() == 0
    assert Researcher.objects.count() == 0


@pytest.mark.django_db
def test_a_malformed_author_raises_a_clear_error():
    with pytest.raises(ValueError, match="not an OpenAlex author id"):
        import_author({"id": "https://openalex.org/W2741809807"})
    with pytest.raises(ValueError, match="has no id"):
        import_authors([{"display_name": "Nobody"}])
    with pytest.raises(ValueError, match="results"):
        import_list_page({"meta": {}})


@pytest.mark.django_db
def test_missing_keys_do_not_crash_and_leave_stored_values_alone():
    import_works([load("work-W2741809807.json")])

    stats = import_works([{"id": "https://openalex.org/W2741809807", "title": "The state of OA"}])
    sparse_new = import_works([{"id": "https://openalex.org/W123"}])
    author = import_author(
        {
            "id": "https://openalex.org/A1",
            "display_name": "Old Schema",
            # The pre-2023 singular form.
            "last_known_institution": {"id": "https://openalex.org/I1", "display_name": "Old U"},
        }
    )

    work = Work.objects.get(openalex_id="W2741809807")
    assert stats.updated == 1
    assert work.abstract and work.authorships.count() == len(
        load("work-W2741809807.json")["authorships"]
    )
    assert sparse_new == ImportStats(created=1)
    assert author.last_known_institution.display_name == "Old U"


def test_identifier_normalisers():
    assert normalise_openalex_id("https://openalex.org/A5017898742") == MEARMAN
    assert normalise_openalex_id("a5017898742") == MEARMAN
    assert normalise_orcid("https://orcid.org/0000-0003-4063-6479") == "0000-0003-4063-6479"
    assert normalise_orcid("0000-0002-1694-233x") == "0000-0002-1694-233X"
    assert normalise_orcid("nope") is None
    for bad in ("", "W", "https://example.org/W1", "X123", None, {"id": "W1"}):
        with pytest.raises(ValueError):
            normalise_openalex_id(bad)


# Queries per batch -----------------------------------------------------------------------------


def synthetic_works(n: int, offset: int) -> list[dict]:
    """n copies of a real work, each with its own ids for everything it names, so that every
    batch has the same shape whatever its size."""
    template = load("work-W3188841554.json")
    works = []
    for i in range(offset, offset + n):
        work = copy.deepcopy(template)
        work["id"] = f"https://openalex.org/W7{i:08d}"
        work["doi"] = f"https://doi.org/10.5555/synthetic.{i}"
        work["locations"] = []
        work["primary_location"]["landing_page_url"] = f"https://example.org/{i}"
        work["primary_location"]["source"]["id"] = f"https://openalex.org/S7{i:08d}"
        for j, authorship in enumerate(work["authorships"]):
            authorship["author"]["id"] = f"https://openalex.org/A7{i:06d}{j:02d}"
            authorship["author"]["orcid"] = None
            for k, institution in enumerate(authorship["institutions"]):
                institution["id"] = f"https://openalex.org/I7{i:06d}{j:02d}{k}"
                institution["ror"] = None
        for j, topic in enumerate(work["topics"]):
            topic["id"] = f"https://openalex.org/T7{i:06d}{j:02d}"
        work.pop("primary_topic")
        works.append(work)
    return works


def count_queries(batch) -> int:
    with CaptureQueriesContext(connection) as queries:
        import_works(batch)
    return len(queries)


@pytest.mark.django_db
def test_a_batch_costs_the_same_number_of_queries_for_5_and_50_works(monkeypatch):
    if connection.vendor == "sqlite":
        # Django splits bulk statements at 999 variables, the limit of SQLite builds before
        # 3.32; use the limit of the SQLite actually linked (32766 today) so that the count
        # shows the importer's statements rather than that chunking.
        connection.ensure_connection()
        limit = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        monkeypatch.setattr(connection.features, "max_query_params", limit)
    small, large = synthetic_works(5, 0), synthetic_works(50, 1000)

    assert count_queries(small) == count_queries(large)
    # Re-importing (everything unchanged) is constant too.
    assert count_queries(small) == count_queries(large)
    assert Work.objects.count() == 55
    assert Authorship.objects.count() == 55 * len(small[0]["authorships"])


def test_an_orcid_with_a_wrong_check_digit_is_not_stored_and_is_logged(caplog):
    from works.importers.openalex_records import parse_author

    data = {
        "id": "https://openalex.org/A5017898742",
        "display_name": "Joseph Mearman",
        "orcid": "https://orcid.org/0000-0002-1825-0098",  # ORCID's example, last digit wrong
    }
    with caplog.at_level("WARNING", logger="works.importers.openalex_records"):
        assert parse_author(data).orcid is None
    assert "A5017898742" in caplog.text and "should be 7" in caplog.text
    data["orcid"] = "https://orcid.org/0000-0002-1825-0097"
    assert parse_author(data).orcid == "0000-0002-1825-0097"
