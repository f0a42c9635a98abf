"""Hostile records through the real importers.

Huge texts are cut to their limit and the cut reported (record and field); wrong-typed fields
refuse the record with file, line and field, and nothing of its batch is written; deep nesting,
an over-long researcher name and an empty file are one-line command errors; directional
controls are dropped at import and imported text is isolated on the pages.
"""

import copy
import io
import json
from datetime import UTC, datetime

import pytest
import responses
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from tests.conftest import OPENALEX
from tests.factories import ResearcherFactory
from tests.works import imports_replay as replay
from works import runs
from works.clients import http
from works.clients.arxiv import ArxivAuthor, ArxivEntry
from works.importers import arxiv as arxiv_importer
from works.importers.csl import import_csl_items, read_csl_file
from works.importers.imported_text import LIMITS, bidi_safe, bounded
from works.importers.openalex import import_works
from works.importers.snapshot import import_snapshot_file
from works.management.commands.load_demo import CURATED_FILE, DEMO_DIR, demo_files
from works.models import Authorship, ImportRun, Institution, Researcher, Topic, Work
from works.run_errors import explain

pytestmark = pytest.mark.django_db

WORK = "W3188841554"  # the recorded preprint: authors with institutions, topics, a source
LRE, PDF, RLO = "\u202a", "\u202c", "\u202e"  # embedding, pop, override
LRI, RLI, FSI, PDI = "\u2066", "\u2067", "\u2068", "\u2069"  # isolates and their close
HUGE = 3_000_000
# How the templates write FSI and PDI (character references, visible in the source).
TITLE_FSI, TITLE_PDI = "&#x2068;", "&#x2069;"


def load(name: str) -> dict:
    return json.loads((OPENALEX / name).read_text(encoding="utf-8"))


def recorded_work() -> dict:
    return copy.deepcopy(load(f"work-{WORK}.json"))


def write_jsonl(tmp_path, entities, name="part_000.jsonl"):
    path = tmp_path / name
    path.write_text("".join(json.dumps(e) + "\n" for e in entities), encoding="utf-8")
    return path


def snapshot(*paths) -> str:
    out = io.StringIO()
    call_command("import_openalex_snapshot", *map(str, paths), stdout=out)
    return out.getvalue()


def import_csl(*args) -> str:
    out = io.StringIO()
    call_command("import_csl", *map(str, args), stdout=out)
    return out.getvalue()


def nothing_written() -> bool:
    return not (Work.objects.exists() or Researcher.objects.exists() or Authorship.objects.exists())


# Item 3: huge texts are cut and reported ----------------------------------------------------


def test_a_huge_csl_title_abstract_and_name_are_cut_and_each_cut_is_reported(tmp_path):
    path = tmp_path / "hostile.json"
    item = {
        "title": "T" * HUGE,
        "abstract": "word " * 10_000,
        "author": [{"literal": "N" * 1000}],
        "container-title": "V" * 800,
    }
    path.write_text(json.dumps([{"title": "A fine title"}, item]), encoding="utf-8")

    output = import_csl(path, "--new-researcher", "Ada Lovelace")

    work = Work.objects.get(title__startswith="TTT")
    assert len(work.title) == LIMITS["title"] == 2_000
    assert len(work.abstract) <= LIMITS["abstract"]
    assert len(work.venue_name) == 500
    assert len(work.authorships.get(order=0).raw_author_name) == 500
    assert f"item 2 title: {HUGE:,} characters cut to 2,000" in output
    assert "item 2 abstract: 49,999 characters cut to 20,000" in output
    assert "item 2 author: 1,000 characters cut to 500" in output
    assert "item 2 container-title: 800 characters cut to 500" in output
    assert "item 1" not in output.split("cut:", 1)[1]


def test_a_huge_openalex_record_through_the_snapshot_is_cut_and_each_cut_is_named(tmp_path):
    work = recorded_work()
    work["title"] = "T" * HUGE
    work["abstract_inverted_index"] = {"w" * 10: list(range(5_000))}
    work["authorships"][0]["raw_author_name"] = "R" * 5_000
    institution = work["authorships"][0]["institutions"][0]
    institution["display_name"] = "I" * 5_000
    work["topics"][0]["display_name"] = work["primary_topic"]["display_name"] = "P" * 5_000
    path = write_jsonl(tmp_path, [work])

    output = snapshot(path)

    stored = Work.objects.get(openalex_id=WORK)
    assert len(stored.title) == 2_000
    assert len(stored.abstract) == 20_000
    assert len(stored.authorships.get(order=0).raw_author_name) == 500
    assert len(Institution.objects.get(openalex_id="I161548249").display_name) == 500
    assert len(Topic.objects.get(openalex_id="T10799").display_name) == 300
    assert f"{WORK} title: {HUGE:,} characters cut to 2,000" in output
    assert f"{WORK} abstract: 54,999 characters cut to 20,000" in output
    assert f"{WORK} authorships[0] raw_author_name: 5,000 characters cut to 500" in output
    assert "I161548249 display_name: 5,000 characters cut to 500" in output
    assert "T10799 display_name: 5,000 characters cut to 300" in output
    assert str(path) in output.split("cut:", 1)[0].rsplit("\n", 1)[-1]


def test_a_huge_arxiv_entry_is_cut_and_the_cuts_are_in_the_stats():
    researcher = ResearcherFactory(display_name="Ada Lovelace")
    entry = ArxivEntry(
        arxiv_id="2108.04680",
        version=1,
        title="T" * HUGE,
        summary="S" * 30_000,
        authors=[ArxivAuthor(name="Ada Lovelace", affiliations=["A" * 900])],
        published=datetime(2021, 8, 10, tzinfo=UTC),
        updated=None,
        doi="",
        journal_ref="J" * 700,
        primary_category="cs.HC",
        categories=["cs.HC"],
        abs_url="https://arxiv.org/abs/2108.04680v1",
        pdf_url="https://arxiv.org/pdf/2108.04680v1",
    )

    stats = arxiv_importer.import_entries(researcher, [entry])

    work = Work.objects.get(arxiv_id="2108.04680")
    assert (len(work.title), len(work.abstract), len(work.venue_name)) == (2_000, 20_000, 500)
    assert [str(cut) for cut in stats.cuts] == [
        "arXiv 2108.04680 affiliation: 900 characters cut to 500",
        f"arXiv 2108.04680 title: {HUGE:,} characters cut to 2,000",
        "arXiv 2108.04680 summary: 30,000 characters cut to 20,000",
        "arXiv 2108.04680 journal_ref: 700 characters cut to 500",
    ]


@responses.activate
def test_an_openalex_run_keeps_the_cuts_on_the_run_and_succeeds(monkeypatch):
    monkeypatch.setattr(http.DEFAULT_POLICY, "sleep", lambda s: None)
    works = replay.all_works()
    huge = {**works[3], "title": "T" * HUGE}
    replay.add_author(responses)
    replay.add_pages(responses, [[*works[:3], huge, *works[4:]]])
    run = ImportRun.objects.create(source=ImportRun.Source.OPENALEX, target=replay.AUTHOR_ID)

    run = runs.execute_run(run.pk)

    oid = huge["id"].rsplit("/", 1)[1]
    assert run.status == ImportRun.Status.SUCCEEDED
    assert [(e["kind"], e["detail"], e["page"]) for e in run.errors] == [
        ("TextCut", f"cut: {oid} title: {HUGE:,} characters cut to 2,000", 1)
    ]
    assert explain(run.errors[0]).message.startswith("A text longer than bzpeer keeps was")
    assert len(Work.objects.get(openalex_id=oid).title) == 2_000


def test_no_recorded_real_record_is_cut():
    stats = [import_snapshot_file(path) for path in sorted(OPENALEX.glob("*.json"))]
    stats += [import_snapshot_file(path) for path in demo_files()]
    curated = ResearcherFactory(display_name="Maosong Sun")
    stats.append(import_csl_items(read_csl_file(DEMO_DIR / CURATED_FILE), curated))

    assert sum(s.total for s in stats) > 100
    assert [cut for s in stats for cut in s.cuts] == []


def test_cutting_never_leaves_an_isolate_open():
    text = "a" * 1_995 + LRI + "b" * 10 + PDI

    cut = bounded(text, "title")

    assert len(cut) == 1_995 + 5 - 1  # the opening isolate lost its partner: dropped
    assert LRI not in cut and PDI not in cut


# Item 5: wrong-typed fields are refused with file, line and field -----------------------------

THE_REPORTED_LINE = {
    "id": "https://openalex.org/W4000000001",
    "title": ["a"],
    "authorships": "not a list",
    "publication_year": "2020",
    "cited_by_count": "many",
}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": ["a"]}, "$.title"),
        ({"authorships": "not a list"}, "$.authorships"),
        ({"publication_year": "2020"}, "$.publication_year"),
        ({"cited_by_count": "many"}, "$.cited_by_count"),
        ({"abstract_inverted_index": {"word": ["0"]}}, "$.abstract_inverted_index[...][0]"),
    ],
)
def test_a_wrong_typed_work_field_refuses_the_file_naming_line_and_field(tmp_path, change, field):
    good = [load("works-by-A5017898742-per_page50.json")["results"][i] for i in range(2)]
    path = write_jsonl(tmp_path, [*good, {**recorded_work(), **change}])

    with pytest.raises(CommandError) as error:
        snapshot(path)

    message = str(error.value)
    assert f"{path}, line 3:" in message
    assert f"at `{field}`" in message
    assert "nothing imported" in message
    assert "\n" not in message
    assert nothing_written()


def test_the_reported_line_is_refused_not_imported_with_an_empty_title(tmp_path):
    path = write_jsonl(tmp_path, [THE_REPORTED_LINE])

    with pytest.raises(CommandError, match=r"line 1: Expected `str \| null`, got `array`"):
        snapshot(path)

    assert nothing_written()


def test_a_nested_wrong_type_names_its_path(tmp_path):
    work = recorded_work()
    work["authorships"][1]["author"]["id"] = 5017898742
    page = {"meta": {"count": 1}, "results": [work]}
    path = tmp_path / "page.json"
    path.write_text(json.dumps(page, indent=2), encoding="utf-8")

    with pytest.raises(CommandError) as error:
        snapshot(path)

    assert "results[0]: Expected `str | null`, got `int`" in str(error.value)
    assert "at `$.authorships[1].author.id`" in str(error.value)
    assert nothing_written()


def test_a_wrong_typed_author_line_refuses_the_file(tmp_path):
    author = load("author-A5017898742.json")
    author["affiliations"][0]["years"] = ["2021"]
    path = write_jsonl(tmp_path, [recorded_work(), author])

    with pytest.raises(CommandError, match=r"line 2: .* at `\$\.affiliations\[0\]\.years\[0\]`"):
        snapshot(path)

    assert nothing_written()


def test_the_api_path_refuses_a_wrong_typed_work_before_writing_the_batch():
    with pytest.raises(ValueError, match=r"W4000000001: .* at `\$\.title`"):
        import_works([recorded_work(), THE_REPORTED_LINE])

    assert nothing_written()


@responses.activate
def test_an_openalex_run_fails_the_page_with_the_record_and_field(monkeypatch):
    monkeypatch.setattr(http.DEFAULT_POLICY, "sleep", lambda s: None)
    works = replay.all_works()
    bad = {**works[7], "publication_year": "2020"}
    replay.add_author(responses)
    replay.add_pages(responses, [works[:5], [*works[5:7], bad]])
    run = ImportRun.objects.create(source=ImportRun.Source.OPENALEX, target=replay.AUTHOR_ID)

    run = runs.execute_run(run.pk)

    assert run.status == ImportRun.Status.FAILED
    error = run.errors[-1]
    assert error["page"] == 2
    assert "at `$.publication_year`" in error["detail"]
    assert bad["id"].rsplit("/", 1)[1] in error["detail"]
    assert Work.objects.count() == 5  # page 1 stays, nothing of page 2


def test_an_arxiv_entry_the_parser_could_not_make_sense_of_is_refused():
    researcher = ResearcherFactory(display_name="Ada Lovelace")
    entry = ArxivEntry(
        arxiv_id="not an id",
        version=None,
        title="A title",
        summary="",
        authors=[ArxivAuthor(name="Ada Lovelace")],
        published=None,
        updated=None,
        doi="",
        journal_ref="",
        primary_category="",
        categories=[],
        abs_url="",
        pdf_url="",
    )

    with pytest.raises(ValueError, match=r"arXiv entry 'not an id': .* at `\$\.arxiv_id`"):
        arxiv_importer.import_entries(researcher, [entry])

    assert not Work.objects.exists()


def test_a_wrong_typed_csl_field_refuses_the_file_naming_item_and_field(tmp_path):
    path = tmp_path / "items.json"
    path.write_text(json.dumps([{"title": "ok"}, {"title": "x", "DOI": ["10.1/x"]}]))

    with pytest.raises(CommandError) as error:
        import_csl(path, "--new-researcher", "Ada Lovelace")

    message = str(error.value)
    assert f"{path}, item 2: Expected `str | null`, got `array` - at `$.DOI`" in message
    assert nothing_written()


# Item 5: deep nesting, an over-long name and an empty file are one-line errors ----------------

DEEP = "[" * 100_000 + "]" * 100_000


def test_deeply_nested_csl_is_a_one_line_error(tmp_path):
    path = tmp_path / "deep.json"
    path.write_text(DEEP)

    with pytest.raises(CommandError, match=r"deep\.json, line 1: not valid JSON") as error:
        import_csl(path, "--new-researcher", "Ada Lovelace")

    assert "\n" not in str(error.value)
    assert not Researcher.objects.exists()


@pytest.mark.parametrize(
    "line",
    [
        '{"id": "https://openalex.org/W1", "junk": ' + DEEP + "}",  # read into its shape
        '{"junk": ' + DEEP + ', "id": "https://openalex.org/W1"}',  # read whole
        DEEP,  # not one entity per line: read as a document
    ],
    ids=["shaped", "whole", "document"],
)
def test_deeply_nested_snapshot_json_is_a_one_line_error(tmp_path, line):
    path = write_jsonl(tmp_path, [recorded_work()])
    with path.open("a") as out:
        out.write(line + "\n")
    if line is DEEP:
        path.write_text(line)

    with pytest.raises(CommandError, match="not valid JSON") as error:
        snapshot(path)

    assert len(str(error.value).splitlines()) == 1
    assert nothing_written()


def test_the_admin_csl_upload_refuses_deep_json_and_keeps_the_cuts_on_its_run(
    client, staff_reviewer
):
    client.force_login(staff_reviewer)
    researcher = ResearcherFactory(display_name="Ada Lovelace")
    url = reverse("admin:works_researcher_csl", args=[researcher.pk])

    deep = SimpleUploadedFile("deep.json", DEEP.encode(), "application/json")
    refused = client.post(url, {"file": deep, "reason": "from her CV"})
    huge = json.dumps([{"title": "T" * 100_000}]).encode()
    upload = SimpleUploadedFile("cv.json", huge, "application/json")
    imported = client.post(url, {"file": upload, "reason": "from her CV"})

    assert refused.status_code == 200
    assert b"Not a CSL-JSON file" in refused.content
    assert imported.status_code == 302
    run = ImportRun.objects.get()
    assert [(e["kind"], e["detail"]) for e in run.errors] == [
        ("TextCut", "cut: item 1 title: 100,000 characters cut to 2,000")
    ]


def test_an_over_long_new_researcher_name_is_a_command_error(tmp_path):
    path = tmp_path / "items.json"
    path.write_text(json.dumps([{"title": "ok"}]))

    with pytest.raises(CommandError, match="at most 500 characters, not 600"):
        import_csl(path, "--new-researcher", "N" * 600)

    assert nothing_written()


# Item 6: directional controls ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "kept"),
    [
        ("plain title", "plain title"),
        (f"Invoice {RLO}fdp.exe", "Invoice fdp.exe"),  # the classic spoof, unclosed
        (f"a {RLO}b{PDF} c", "a b c"),  # closed, an override still reverses what it holds
        (f"a {LRE}b{PDF} c", "a b c"),  # embeddings: deprecated for isolates
        (f"a {RLI}عربي{PDI} c", f"a {RLI}عربي{PDI} c"),  # a paired isolate is kept
        (f"a {FSI}x {LRI}y{PDI} z{PDI}", f"a {FSI}x {LRI}y{PDI} z{PDI}"),  # nested pairs
        (f"a {RLI}b c", "a b c"),  # an isolate left open
        (f"a {PDI}b", "a b"),  # a close without an open
        (f"{PDI}{LRI}x{PDI}{RLI}", f"{LRI}x{PDI}"),
    ],
)
def test_unpaired_directional_controls_are_dropped(raw, kept):
    assert bidi_safe(raw) == kept


def test_a_hostile_title_imported_for_real_renders_isolated_without_unpaired_controls(
    tmp_path, client
):
    work = recorded_work()
    work["title"] = f"Quarterly report {RLO}fdp.exe"
    work["authorships"][0]["raw_author_name"] = f"{RLI}Jonathan Roberts"
    work["authorships"][0]["author"]["display_name"] = f"{RLO}Jonathan C. Roberts"
    snapshot(write_jsonl(tmp_path, [work]))

    stored = Work.objects.get(openalex_id=WORK)
    assert stored.title == "Quarterly report fdp.exe"
    author = stored.authorships.get(order=0)
    assert author.raw_author_name == "Jonathan Roberts"
    assert author.researcher.display_name == "Jonathan C. Roberts"

    work_page = client.get(f"/works/{stored.pk}/").content.decode()
    assert f"<title>{TITLE_FSI}Quarterly report fdp.exe{TITLE_PDI} · bzpeer</title>" in work_page
    assert '<h1 id="work-title" dir="auto">Quarterly report fdp.exe</h1>' in work_page
    profile = client.get(author.researcher.get_absolute_url()).content.decode()
    assert f"<title>{TITLE_FSI}Jonathan C. Roberts{TITLE_PDI} · bzpeer</title>" in profile
    assert 'class="profile-header__name" dir="auto">Jonathan C. Roberts</h1>' in profile
    assert 'rel="noopener" dir="auto">Quarterly report fdp.exe</a>' in profile
    for page in (work_page, profile):
        assert RLO not in page and RLI not in page


def test_a_title_stored_before_the_fix_is_still_isolated_on_the_pages(client):
    """Rows imported before controls were dropped keep them: the page isolates them."""
    researcher = ResearcherFactory(display_name=f"{RLO}Mallory")
    stored = Work.objects.create(title=f"Report {RLO}fdp.exe", venue_name=f"{RLO}Journal")
    Authorship.objects.create(work=stored, researcher=researcher, order=0)

    work_page = client.get(f"/works/{stored.pk}/").content.decode()
    profile = client.get(researcher.get_absolute_url()).content.decode()

    assert f"<title>{TITLE_FSI}Report {RLO}fdp.exe{TITLE_PDI} · bzpeer</title>" in work_page
    assert f'<h1 id="work-title" dir="auto">Report {RLO}fdp.exe</h1>' in work_page
    assert f'<span class="tag tag--venue" dir="auto">{RLO}Journal</span>' in work_page
    assert f"<title>{TITLE_FSI}{RLO}Mallory{TITLE_PDI} · bzpeer</title>" in profile
    assert f'<strong class="author author--self" dir="auto">{RLO}Mallory</strong>' in profile
