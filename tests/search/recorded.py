"""The recorded OpenAlex data (works/demo/openalex) imported through the real importer,
for the open-data tests (API, search, exports, works pages)."""

import json

from tests.conftest import OPENALEX
from works.importers.openalex import import_author, import_works
from works.models import Researcher, Work

MEARMAN = "A5017898742"
PREPRINT, PUBLISHED = "W3188841554", "W3187234764"
STATE_OF_OA = "W2741809807"


def load(name: str):
    return json.loads((OPENALEX / name).read_text())


def mearman_works() -> list[dict]:
    return load(f"works-by-{MEARMAN}-per_page50.json")["results"]


def import_recorded() -> Researcher:
    """Every recorded author, Mearman's nine works and "The state of OA"; the arXiv preprint
    is made a version of its published paper. Returns Joseph Mearman."""
    for path in sorted(OPENALEX.glob("author-*.json")):
        import_author(json.loads(path.read_text()))
    import_works(mearman_works())
    import_works([load(f"work-{STATE_OF_OA}.json")])
    published = Work.objects.get(openalex_id=PUBLISHED)
    Work.objects.filter(openalex_id=PREPRINT).update(version_of=published)
    return Researcher.objects.get(openalex_id=MEARMAN)
