"""Citations between the works bzpeer holds, from each work's ``referenced_works``
(``WorkReference``): which stored works cite a work, and which stored works it cites. A work
cited but not held is left out; each list is one query, and so are the counts of a page's works
(``attach_citing_counts``)."""

from django.db.models import Count, QuerySet
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


def attach_citing_counts(works: list[Work]) -> list[Work]:
    """Give each work ``citing_count``: how many visible stored works cite it, as
    ``citing_works`` finds them (uncapped), in one query for all of them; none when no work has
    an OpenAlex id (only those can be cited here)."""
    openalex_ids = {work.openalex_id for work in works if work.openalex_id}
    counts: dict[str, int] = {}
    if openalex_ids:
        counts = dict(
            WorkReference.objects.filter(cited_openalex_id__in=openalex_ids, work__is_hidden=False)
            .order_by()
            .values_list("cited_openalex_id")
            # One row per citing work: (work, cited_openalex_id) is unique.
            .annotate(n=Count("pk"))
        )
    for work in works:
        work.citing_count = counts.get(work.openalex_id, 0) if work.openalex_id else 0
    return works
