"""Each work on a profile links to its page here, where "Cited by (in bzpeer)" lives, and says
how many works held here cite it. On the recorded Mearman data: his arXiv preprint cites two of
his published papers (its referenced_works), so their rows say so and the others read "Details"."""

import json

import pytest
from lxml import html as lxml_html

from tests.conftest import OPENALEX
from tests.search.recorded import PREPRINT, import_recorded, mearman_works
from works.models import Work

pytestmark = pytest.mark.django_db


@pytest.fixture
def mearman():
    return import_recorded()


def cited_by_preprint() -> set[str]:
    """The recorded works the preprint cites that are Mearman's (worked out from the JSON)."""
    raw = json.loads((OPENALEX / f"work-{PREPRINT}.json").read_text())
    references = {r.rsplit("/", 1)[-1] for r in raw["referenced_works"]}
    return references & {w["id"].rsplit("/", 1)[-1] for w in mearman_works()}


def work_page_links(response) -> dict[str, tuple[str, str]]:
    """{OpenAlex id: (the link's visible text, its whole accessible text)} of each row."""
    document = lxml_html.fromstring(response.content)
    links = {}
    for row in document.find_class("work"):
        [link] = row.xpath('.//p[@class="work__here"]/a')
        work = Work.objects.get(pk=int(row.get("id").removeprefix("work-")))
        assert link.get("href") == f"/works/{work.pk}/"
        visible = (link.text or "").strip()
        links[work.openalex_id] = (visible, " ".join(link.text_content().split()))
    return links


def test_each_row_links_its_work_page_with_the_works_here_that_cite_it(client, mearman):
    cited = cited_by_preprint()
    assert cited == {"W2250748100", "W3200026003"}

    links = work_page_links(client.get(mearman.get_absolute_url()))

    assert len(links) == 8
    for openalex_id, (visible, _) in links.items():
        expected = "Cited by 1 work in bzpeer" if openalex_id in cited else "Details"
        assert visible == expected, openalex_id


def test_the_work_page_the_row_links_lists_the_citing_work(client, mearman):
    [cited] = Work.objects.filter(openalex_id="W2250748100")
    preprint = Work.objects.get(openalex_id=PREPRINT)

    html = client.get(f"/works/{cited.pk}/").content.decode()

    assert "Cited by (in bzpeer)" in html
    assert f'href="/works/{preprint.pk}/"' in html.split('id="cited-by-heading"')[1]


def test_every_link_has_a_name_of_its_own(client, mearman):
    links = work_page_links(client.get(mearman.get_absolute_url()))

    names = [name for _, name in links.values()]
    assert len(set(names)) == len(names)
    for openalex_id, (visible, name) in links.items():
        title = Work.objects.get(openalex_id=openalex_id).title
        assert name == f"{visible} ({' '.join(title.split())})"


def test_a_hidden_citing_work_no_longer_counts(client, mearman):
    Work.objects.filter(openalex_id=PREPRINT).update(is_hidden=True)

    links = work_page_links(client.get(mearman.get_absolute_url()))

    assert {visible for visible, _ in links.values()} == {"Details"}
