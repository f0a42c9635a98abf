"""The owner's identity (name, shown variants, interests, links, openness): /api/me/record/,
the /my-record/ form without JavaScript, the profile that shows it, and re-imports that keep it."""

import json

import pytest
import responses
from django.urls import reverse

from claims.models import AuditEvent
from tests.factories import ResearcherFactory
from tests.works import imports_replay as replay
from works import runs
from works.clients import http
from works.curation import reapply_curation
from works.models import CurationLog, ImportRun, Researcher
from works.reverts import revert_entry

pytestmark = pytest.mark.django_db

API = "/api/me/record/"
VARIANTS = ["Ada Researcher", "A. Researcher", "Ada R. Researcher"]


@pytest.fixture
def owned(record, owner):
    record.owner = owner
    record.display_name_alternatives = VARIANTS
    record.save()
    return record


def patch(client, data):
    return client.patch(API, json.dumps(data), content_type="application/json")


def snapshot(record) -> dict:
    fresh = Researcher.objects.get(pk=record.pk)
    return {
        f: getattr(fresh, f)
        for f in (
            "display_name",
            "display_name_alternatives",
            "hidden_name_variants",
            "research_interests",
            "summary",
            "open_to_collaborate",
            "links",
        )
    }


# GET ------------------------------------------------------------------------------------------


def test_the_owner_gets_their_record(client, owned, owner):
    client.force_login(owner)
    Researcher.objects.filter(pk=owned.pk).update(hidden_name_variants=["A. Researcher"])
    response = client.get(API)
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == owned.pk
    assert body["display_name"] == "Ada Researcher"
    assert body["display_name_alternatives"] == VARIANTS
    assert body["hidden_name_variants"] == ["A. Researcher"]
    assert body["shown_name_variants"] == ["Ada R. Researcher"]
    assert body["orcid"] == "0000-0002-1825-0097"
    assert body["html_url"] == owned.get_absolute_url()


def test_a_user_without_a_record_gets_a_404_that_says_why(client, stranger, owned):
    client.force_login(stranger)
    response = client.get(API)
    assert response.status_code == 404
    assert "do not own a record" in response.json()["detail"]
    assert patch(client, {"summary": "Mine now"}).status_code == 404
    assert Researcher.objects.get(pk=owned.pk).summary == ""


def test_anonymous_gets_a_401(client, owned):
    assert client.get(API).status_code == 401
    assert patch(client, {"summary": "x"}).status_code == 401


# PATCH ----------------------------------------------------------------------------------------


def test_the_owner_changes_name_variants_interests_links_and_openness(client, owned, owner):
    client.force_login(owner)
    response = patch(
        client,
        {
            "display_name": "  Ada\u202e  R.\tResearcher ",
            "hidden_name_variants": ["A. Researcher"],
            "research_interests": ["Quantum fluids", "quantum FLUIDS", " Superfluidity ", ""],
            "links": [{"label": "Homepage", "url": "https://ada.example.org/"}],
            "open_to_collaborate": True,
            "summary": "Cold atoms.",
        },
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    # Cleaned as imported text is: no override characters, white space collapsed.
    assert body["display_name"] == "Ada R. Researcher"
    assert body["research_interests"] == ["Quantum fluids", "Superfluidity"]
    assert body["hidden_name_variants"] == ["A. Researcher"]
    # The name it replaced stays a known variant and is shown; the new name is the heading.
    assert body["shown_name_variants"] == ["Ada Researcher"]
    assert body["links"] == [{"label": "Homepage", "url": "https://ada.example.org/"}]
    assert body["open_to_collaborate"] is True
    entry = CurationLog.objects.get(action=CurationLog.Action.IDENTITY)
    assert entry.researcher_id == owned.pk and entry.actor == owner
    # Every field it changed is in the history, summary, links and openness included.
    assert entry.target["changes"] == {
        "display_name": "Ada R. Researcher",
        "hidden_name_variants": ["A. Researcher"],
        "research_interests": ["Quantum fluids", "Superfluidity"],
        "links": [{"label": "Homepage", "url": "https://ada.example.org/"}],
        "open_to_collaborate": True,
        "summary": "Cold atoms.",
    }
    assert entry.target["before"] == {
        "display_name": "Ada Researcher",
        "hidden_name_variants": [],
        "research_interests": [],
        "links": [],
        "open_to_collaborate": False,
        "summary": "",
    }
    assert AuditEvent.objects.filter(action="record_edited", actor=owner).exists()
    history = client.get(reverse("profiles:history", args=[owned.pk])).content.decode()
    assert (
        "Edited the name, name variants shown, research interests, summary, openness to "
        "collaborate and links of Ada R. Researcher" in history
    )


def test_a_summary_edit_is_in_the_history_and_staff_can_revert_it(
    client, owned, owner, staff_reviewer
):
    client.force_login(owner)
    assert patch(client, {"summary": "Cold atoms."}).status_code == 200
    entry = CurationLog.objects.get(action=CurationLog.Action.IDENTITY)
    history = client.get(reverse("profiles:history", args=[owned.pk])).content.decode()
    assert "Edited the summary of" in history
    revert_entry(entry, staff_reviewer, "Not what the owner meant")
    owned.refresh_from_db()
    assert owned.summary == ""


def test_saving_the_same_values_again_logs_nothing(client, owned, owner):
    client.force_login(owner)
    assert patch(client, {"research_interests": ["Optics"]}).status_code == 200
    assert patch(client, {"research_interests": ["Optics"]}).status_code == 200
    assert CurationLog.objects.filter(action=CurationLog.Action.IDENTITY).count() == 1


def test_summary_and_openness_are_logged_and_a_reimport_leaves_them(client, owned, owner):
    client.force_login(owner)
    assert patch(client, {"summary": "Hello", "open_to_collaborate": True}).status_code == 200
    entry = CurationLog.objects.get()
    assert entry.target["changes"] == {"summary": "Hello", "open_to_collaborate": True}
    reapply_curation()
    owned.refresh_from_db()
    assert (owned.summary, owned.open_to_collaborate) == ("Hello", True)


BAD_INPUTS = [
    ({"display_name": 42}, "display_name"),
    ({"display_name": ["Ada"]}, "display_name"),
    ({"display_name": "   "}, "display_name"),
    ({"display_name": "\u202e\u202d"}, "display_name"),
    ({"display_name": "A" * 201}, "display_name"),
    ({"display_name": "A" * 1_000_000}, "display_name"),
    ({"hidden_name_variants": "A. Researcher"}, "hidden_name_variants"),
    ({"hidden_name_variants": ["Someone Else"]}, "hidden_name_variants"),
    ({"hidden_name_variants": [7]}, "hidden_name_variants"),
    ({"research_interests": "optics"}, "research_interests"),
    ({"research_interests": [1, 2]}, "research_interests"),
    ({"research_interests": [f"topic {i}" for i in range(11)]}, "research_interests"),
    ({"research_interests": ["x" * 61]}, "research_interests"),
    ({"research_interests": {"a": 1}}, "research_interests"),
    ({"summary": "s" * 281}, "summary"),
    ({"summary": None}, "summary"),
    ({"open_to_collaborate": "yes"}, "open_to_collaborate"),
    ({"open_to_collaborate": 1}, "open_to_collaborate"),
    ({"links": [{"label": "x", "url": "javascript:alert(1)"}]}, "links"),
    ({"links": [{"url": f"https://e.org/{i}"} for i in range(6)]}, "links"),
    ({"links": ["https://e.org/"]}, "links"),
    ({"links": [{"url": 5}]}, "links"),
    ({"orcid": "0000-0001-5109-3700"}, "orcid"),
    ({"owner": 1}, "owner"),
    # One good field with one bad one: neither is saved.
    ({"summary": "Fine", "research_interests": [None]}, "research_interests"),
]


@pytest.mark.parametrize(("data", "field"), BAD_INPUTS)
def test_bad_input_is_a_400_naming_the_field_and_changes_nothing(client, owned, owner, data, field):
    client.force_login(owner)
    before = snapshot(owned)
    response = patch(client, data)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert field in body["errors"]
    assert snapshot(owned) == before
    assert not CurationLog.objects.exists()


@pytest.mark.parametrize("body", ["[]", '"name"', "{}", "not json"])
def test_a_body_that_is_not_an_object_of_fields_is_a_400(client, owned, owner, body):
    client.force_login(owner)
    before = snapshot(owned)
    response = client.patch(API, body, content_type="application/json")
    assert response.status_code == 400
    assert snapshot(owned) == before


def test_identity_edits_count_against_the_daily_corrections(client, owned, owner, settings):
    settings.BZPEER_CORRECTIONS_PER_DAY = 1
    client.force_login(owner)
    assert patch(client, {"research_interests": ["Optics"]}).status_code == 200
    response = patch(client, {"research_interests": ["Lasers"]})
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert Researcher.objects.get(pk=owned.pk).research_interests == ["Optics"]


def test_a_merged_away_record_cannot_be_edited(client, owned, owner):
    Researcher.objects.filter(pk=owned.pk).update(merged_into=ResearcherFactory())
    client.force_login(owner)
    assert client.get(API).status_code == 404
    assert patch(client, {"summary": "x"}).status_code == 404


# The page, without JavaScript -----------------------------------------------------------------


def page_post(owned, **overrides) -> dict:
    data = {
        "display_name": "Ada R. Researcher",
        "shown_name_variants": ["Ada R. Researcher"],
        "research_interests": "Quantum fluids, superfluidity\nquantum fluids",
        "summary": "Cold atoms.",
        "open_to_collaborate": "on",
        "link_label_1": "Homepage",
        "link_url_1": "https://ada.example.org/",
    }
    return data | overrides


def test_the_page_form_saves_and_redirects_back_with_a_message(client, owned, owner):
    client.force_login(owner)
    page = client.get(reverse("claims:record_edit"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="display_name"' in html and 'value="Ada Researcher"' in html
    # The variant equal to the heading is not offered; the other two are, both ticked.
    assert html.count('name="shown_name_variants"') == 2
    response = client.post(reverse("claims:record_edit"), page_post(owned), follow=True)
    assert response.redirect_chain == [(reverse("claims:record_edit"), 302)]
    assert "Saved." in response.content.decode()
    record = Researcher.objects.get(pk=owned.pk)
    assert record.display_name == "Ada R. Researcher"
    # "A. Researcher" was unticked; the old heading stays a variant.
    assert record.hidden_name_variants == ["A. Researcher"]
    assert record.research_interests == ["Quantum fluids", "superfluidity"]
    assert record.open_to_collaborate is True
    assert record.links == [{"label": "Homepage", "url": "https://ada.example.org/"}]


def test_the_page_form_shows_errors_and_changes_nothing(client, owned, owner):
    client.force_login(owner)
    before = snapshot(owned)
    data = page_post(owned, research_interests=", ".join(f"topic {i}" for i in range(12)))
    response = client.post(reverse("claims:record_edit"), data)
    assert response.status_code == 400
    assert "At most 10 research interests." in response.content.decode()
    assert snapshot(owned) == before


def test_with_htmx_the_form_comes_back_saved_in_place(client, owned, owner):
    client.force_login(owner)
    response = client.post(reverse("claims:record_edit"), page_post(owned), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="record-identity"' in html
    assert "Saved." in html and "<html" not in html
    assert Researcher.objects.get(pk=owned.pk).display_name == "Ada R. Researcher"


# The profile ----------------------------------------------------------------------------------


def test_the_profile_shows_the_chosen_name_shown_variants_and_interests(client, owned):
    Researcher.objects.filter(pk=owned.pk).update(
        display_name="Ada R. Researcher",
        hidden_name_variants=["A. Researcher"],
        research_interests=["<b>Optics</b>", "Lasers"],
    )
    html = client.get(owned.get_absolute_url()).content.decode()
    assert 'class="profile-header__name" dir="auto">Ada R. Researcher</h1>' in html
    assert "Also published as <bdi>Ada Researcher</bdi>" in html
    assert "A. Researcher</bdi>" not in html
    assert '<li class="chip chip--interest" dir="auto">&lt;b&gt;Optics&lt;/b&gt;</li>' in html


def test_open_to_collaborate_shows_only_on_a_claimed_record_whose_owner_turned_it_on(
    client, owned, owner
):
    url = owned.get_absolute_url()
    assert "Open to collaborate" not in client.get(url).content.decode()
    Researcher.objects.filter(pk=owned.pk).update(open_to_collaborate=True)
    assert "Open to collaborate" in client.get(url).content.decode()
    unclaimed = ResearcherFactory(open_to_collaborate=True)
    assert "Open to collaborate" not in client.get(unclaimed.get_absolute_url()).content.decode()


def test_releasing_the_record_turns_openness_off(client, owned, owner):
    Researcher.objects.filter(pk=owned.pk).update(open_to_collaborate=True)
    client.force_login(owner)
    client.post(reverse("claims:record_release"))
    assert Researcher.objects.get(pk=owned.pk).open_to_collaborate is False


# Re-imports -----------------------------------------------------------------------------------


def import_mearman() -> ImportRun:
    with responses.RequestsMock() as rsps:
        replay.add_author(rsps)
        replay.add_pages(rsps, [replay.all_works()])
        run = runs.execute_run(
            ImportRun.objects.create(source=ImportRun.Source.OPENALEX, target=replay.AUTHOR_ID).pk
        )
    assert run.status == ImportRun.Status.SUCCEEDED, run.errors
    return run


def test_re_importing_the_recorded_openalex_files_keeps_the_owners_identity(
    client, owner, monkeypatch
):
    monkeypatch.setattr(http.DEFAULT_POLICY, "sleep", lambda seconds: None)
    import_mearman()
    mearman = Researcher.objects.get(openalex_id=replay.AUTHOR_ID)
    # What OpenAlex says, and what a re-import would write back.
    assert mearman.display_name == "Joseph Mearman"
    assert mearman.display_name_alternatives == [
        "Joseph Mearman",
        "Joseph W. Mearman",
        "J. W. Mearman",
    ]
    Researcher.objects.filter(pk=mearman.pk).update(owner=owner)
    client.force_login(owner)
    chosen = {
        "display_name": "Joe Mearman",
        "hidden_name_variants": ["J. W. Mearman"],
        "research_interests": ["Peer review", "Research graphs"],
    }
    assert patch(client, chosen).status_code == 200

    import_mearman()

    mearman.refresh_from_db()
    assert mearman.display_name == "Joe Mearman"
    assert mearman.hidden_name_variants == ["J. W. Mearman"]
    assert mearman.research_interests == ["Peer review", "Research graphs"]
    assert mearman.shown_name_variants == ["Joseph Mearman", "Joseph W. Mearman"]
    html = client.get(mearman.get_absolute_url()).content.decode()
    assert "Joe Mearman" in html and "J. W. Mearman</bdi>" not in html
    # A third import changes nothing more: the replay is idempotent.
    import_mearman()
    assert Researcher.objects.get(pk=mearman.pk).display_name_alternatives == [
        "Joseph Mearman",
        "Joseph W. Mearman",
        "J. W. Mearman",
    ]


def test_staff_revert_an_identity_entry_to_what_the_entries_left_say(
    client, owned, owner, staff_reviewer
):
    client.force_login(owner)
    assert patch(client, {"display_name": "Ada R. Researcher", "research_interests": ["Optics"]})
    assert patch(client, {"research_interests": ["Lasers"]}).status_code == 200
    first, second = CurationLog.objects.filter(action=CurationLog.Action.IDENTITY)
    revert_entry(second, staff_reviewer, "Spam")
    record = Researcher.objects.get(pk=owned.pk)
    assert (record.display_name, record.research_interests) == ("Ada R. Researcher", ["Optics"])
    revert_entry(first, staff_reviewer, "Not their name")
    record = Researcher.objects.get(pk=owned.pk)
    assert (record.display_name, record.research_interests) == ("Ada Researcher", [])
