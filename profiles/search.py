"""The /search/ page: researchers, institutions and works for one query.

The matching itself (folding, bounded text, ranking) is ``works.search``; this module puts the
three result lists of the page together.
"""

from django.db.models import Prefetch

from profiles.institution_search import institutions_matching
from works.models import Authorship
from works.search import (
    MAX_QUERY_LENGTH,
    RANKED_WORKS,
    RESULTS_LIMIT,
    BadQuery,
    clean_query,
    researchers_matching,
    works_matching,
)


def search_page_context(raw_query: str | None) -> tuple[dict, int]:
    """What /search/ shows for a query, and the HTTP status (400 for a query refused)."""
    query = (raw_query or "").strip()
    context = {"query": query[:MAX_QUERY_LENGTH], "researchers": [], "works": [], "error": ""}
    try:
        query = clean_query(query)
    except BadQuery as error:
        context["query"] = ""
        context["error"] = str(error)
        return context, 400
    if not query:
        return context, 200
    context["researchers"] = list(
        researchers_matching(query).select_related("last_known_institution")[:RESULTS_LIMIT]
    )

    context["institutions"] = institutions_matching(query)
    context["works"] = list(
        works_matching(query, ranked_at_most=RANKED_WORKS)
        .defer("abstract")  # not shown in the results; some are long
        .select_related("source")
        .prefetch_related(
            Prefetch(
                "authorships",
                queryset=Authorship.objects.select_related("researcher").order_by("order"),
            )
        )[:RESULTS_LIMIT]
    )
    return context, 200
