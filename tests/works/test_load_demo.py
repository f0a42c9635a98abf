"""``manage.py load_demo``: the bundled demo through the project's own importers."""

import io
import json

import pytest
from django.core.management import call_command

from tests.conftest import OPENALEX
from works.management.commands.load_demo import DEMO_DIR, demo_counts, demo_files
from works.models import Researcher, Work


def load_demo() -> str:
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def test_the_demo_bundles_the_recorded_files_unmodified_with_their_provenance():
    # The demo loads the very files the tests replay: one copy, no drift between the two.
    assert OPENALEX == DEMO_DIR / "openalex"
    bundled = {p.name for p in (DEMO_DIR / "openalex").glob("*.json")}
    assert {"author-A5017898742.json", "works-by-A5017898742-per_page50.json"} <= bundled
    provenance = (DEMO_DIR / "PROVENANCE.md").read_text(encoding="utf-8")
    assert all(name in provenance for name in ("maosong-sun-works.csl.json", "CC0"))
    # Author records come first, so that authorships find them.
    names = [p.name for p in demo_files()]
    assert names.index("author-A5017898742.json") < names.index("works-page1-per_page50.json")


@pytest.mark.django_db
def test_load_demo_twice_gives_identical_counts_and_the_expected_researchers():
    first_output = load_demo()
    first = demo_counts()
    updated = {r.pk: r.updated_at for r in Researcher.objects.all()}

    second_output = load_demo()

    assert demo_counts() == first
    assert {r.pk: r.updated_at for r in Researcher.objects.all()} == updated
    assert "Demo loaded:" in first_output and "Demo loaded:" in second_output
    assert "created 0, updated 0" in second_output
    assert f"{first['works']} works" in second_output

    mearman = Researcher.objects.get(openalex_id="A5017898742")
    assert mearman.last_known_institution.display_name == "Bangor University"
    assert Work.objects.filter(authorships__researcher=mearman).count() == 9
    sun = Researcher.objects.get(display_name="Maosong Sun", origin=Researcher.Origin.CURATED)
    assert Work.objects.filter(authorships__researcher=sun).count() == 47
    raw_works = {
        w["id"]
        for path in demo_files()
        for w in json.loads(path.read_text(encoding="utf-8")).get("results", [])
        if "/W" in w["id"]
    } | {"https://openalex.org/W2741809807", "https://openalex.org/W3187234764"}
    assert first["works"] == len(raw_works | {"https://openalex.org/W3188841554"}) + 47


@pytest.mark.django_db
def test_load_demo_ends_like_every_import_paired_versions_and_a_scored_graph(client):
    load_demo()

    preprint = Work.objects.get(openalex_id="W3188841554")
    assert preprint.version_of.openalex_id == "W3187234764"
    mearman = Researcher.objects.get(openalex_id="A5017898742")
    assert mearman.trust_score is not None
    assert mearman.close_collaborators_count > 0
    page = client.get(mearman.get_absolute_url()).content.decode()
    assert "8 published works" in page


@pytest.mark.django_db
def test_a_hidden_work_stays_hidden_when_the_demo_is_loaded_again():
    load_demo()
    Work.objects.filter(openalex_id="W2250748100").update(is_hidden=True)

    load_demo()

    assert Work.objects.get(openalex_id="W2250748100").is_hidden
