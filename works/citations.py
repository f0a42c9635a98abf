"""Citations between the works bzpeer holds, from each work's ``referenced_works``
(``WorkReference``): which stored works cite a work, and which stored works it cites. A work
cited but not held is left out; each list is one query."""

from django.db.models import QuerySet
from django.db.models.functions import Lower

from works.models import Work, WorkReference

# Enough for a page; a work cited by more of the works held here links to none beyond it.
MAX_LISTED = 100


def _ordered(works: QuerySet[Work]) -> QuerySet[Work]:
    return works.visible().order_by("-publication_year", Lower("title"), "pk")[:MAX_LISTED]


def citing_works(work: Work) -> QuerySet[Work]:
    """The visible stored works whose references name ``work``, newest first."""
    if not work.openalex_id:
        return Work.objects.none()
    return _ordered(Work.objects.filter(references__cited_openalex_id=work.openalex_id))


def cited_works(work: Work) -> QuerySet[Work]:
    """The visible stored works that ``work`` cites, newest first."""
    cited = WorkReference.objects.filter(work=work).values("cited_openalex_id")
    return _ordered(Work.objects.filter(openalex_id__in=cited))
