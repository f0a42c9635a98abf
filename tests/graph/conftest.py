"""The recorded Mearman data (works/demo/openalex), imported through the real importer."""

import json

import pytest

from graph.actions import refresh_researchers
from tests.conftest import OPENALEX
from works.importers.openalex import import_author, import_works
from works.models import Researcher, Work

MEARMAN = "A5017898742"
PREPRINT, PUBLISHED = "W3188841554", "W3187234764"


def recorded_works() -> list[dict]:
    return json.loads((OPENALEX / f"works-by-{MEARMAN}-per_page50.json").read_text())["results"]


def recorded_authors() -> list[dict]:
    return [json.loads(path.read_text()) for path in sorted(OPENALEX.glob("author-*.json"))]


@pytest.fixture
def mearman(db) -> Researcher:
    """Joseph Mearman, his nine works and every recorded author, with the graph refreshed."""
    for author in recorded_authors():
        import_author(author)
    import_works(recorded_works())
    # The arXiv preprint and its published version are one paper (works.versions links them
    # after an import; set it here so these tests do not depend on that heuristic).
    published = Work.objects.get(openalex_id=PUBLISHED)
    Work.objects.filter(openalex_id=PREPRINT).update(version_of=published)
    refresh_researchers(Researcher.objects.values_list("pk", flat=True))
    return Researcher.objects.get(openalex_id=MEARMAN)
