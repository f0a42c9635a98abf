"""One work-row partial (works/_work_row.html) for the works list, the search results and a
profile's published work: the same markup, with imported text isolated, on all three."""

import re

import pytest
from django.template.exceptions import TemplateDoesNotExist
from django.template.loader import get_template

from tests.factories import AuthorshipFactory, ResearcherFactory, WorkFactory

pytestmark = pytest.mark.django_db

RLO = "\u202e"


@pytest.fixture
def listed(db):
    researcher = ResearcherFactory(display_name="Ada Quaternion")
    coauthor = ResearcherFactory(display_name=f"{RLO}Mallory")
    work = WorkFactory(title=f"Zebrafish {RLO}fdp.exe", doi="10.1234/zebra", publication_year=2021)
    AuthorshipFactory(work=work, researcher=researcher, order=0)
    AuthorshipFactory(work=work, researcher=coauthor, order=1)
    return researcher, work


def _row(html: str, work) -> str:
    match = re.search(rf'<li class="work" id="work-{work.pk}">.*?\n</li>', html, flags=re.S)
    assert match, "no row for the work"
    return match.group(0)


def _pages(client, researcher):
    return {
        "profile": client.get(researcher.get_absolute_url()),
        "works list": client.get("/works/"),
        "search": client.get("/search/", {"q": "zebrafish"}),
    }


def test_every_list_of_works_renders_the_one_row_partial(client, listed):
    researcher, work = listed
    for name, response in _pages(client, researcher).items():
        assert response.status_code == 200, name
        used = [t.name for t in response.templates]
        assert "works/_work_row.html" in used, name
        row = _row(response.content.decode(), work)
        assert '<p class="work__meta">' in row, name
        assert '<span class="tag tag--year">2021</span>' in row, name
        assert re.search(r'<h3 class="work__title">\s*<a href="[^"]+"', row), name


def test_titles_and_names_are_isolated_in_every_row(client, listed):
    researcher, work = listed
    for name, response in _pages(client, researcher).items():
        row = _row(response.content.decode(), work)
        # The title and every author name sit in an element that isolates their direction.
        assert f'dir="auto">Zebrafish {RLO}fdp.exe</a>' in row, name
        assert re.search(rf'(dir="auto"[^>]*>|<bdi>(<a [^>]*>)?){RLO}Mallory<', row), name


def test_the_profile_row_is_the_profile_variant(client, listed):
    researcher, work = listed
    row = _row(client.get(researcher.get_absolute_url()).content.decode(), work)
    # The profiled researcher is emphasised; the title links to the work at its source.
    assert '<strong class="author author--self" dir="auto">Ada Quaternion</strong>' in row
    assert f'href="/works/{work.pk}/"' not in row.split("</h3>")[0]


def test_the_old_profile_row_template_is_gone():
    with pytest.raises(TemplateDoesNotExist):
        get_template("profiles/_work_item.html")
