from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_vary_headers

from bzpeer.identifiers import openalex_id_or_none
from bzpeer.page_cache import cached_public_page
from profiles.publications import (
    attach_authors,
    entries_for,
    entry_counts,
    listed_works,
)
from profiles.summary import ranked_topics, summary_for, summary_html
from profiles.work_filters import (
    SORT_LABELS,
    BadWorksQuery,
    WorksQuery,
    filter_options,
    filtered_works,
    read_works_query,
)
from works.citations import attach_citing_counts
from works.models import Researcher

RESEARCHERS_PER_PAGE = 30


@cached_public_page
def home(request):
    # Fullest records first, by the count the graph keeps on each record whenever its works
    # change (Researcher.listed_works_count): nothing is counted per request.
    researchers = (
        Researcher.objects.canonical()
        .select_related("last_known_institution")
        .order_by("-listed_works_count", "display_name", "pk")
    )
    page = Paginator(researchers, RESEARCHERS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "profiles/home.html", {"page_obj": page})


@cached_public_page
def search(request):
    """Researchers by name, works by title and abstract. An htmx request (typing in the box)
    gets only the results partial; the same GET works as a plain form without JavaScript."""
    from django.utils.cache import patch_vary_headers

    from profiles.search import search_page_context

    context, status = search_page_context(request.GET.get("q"))
    context["search_query"] = context["query"]
    # The page's and the home page's boxes swap in the results alone; the header box (on any
    # page) targets <main> and swaps in the whole search page's.
    partial = (
        request.htmx and not request.htmx.history_restore_request and request.htmx.target != "main"
    )
    template = "profiles/_search_results.html" if partial else "profiles/search.html"
    response = render(request, template, context, status=status)
    patch_vary_headers(response, ["HX-Request", "HX-Target"])
    return response


def _live_or_404(pk: int) -> Researcher:
    live = Researcher.objects.resolve(pk)
    if live is None:
        raise Http404("This record was merged into a record that no longer resolves.")
    return live


@cached_public_page
def researcher_detail(request, pk: int):
    researcher = get_object_or_404(
        Researcher.objects.select_related("last_known_institution"), pk=pk
    )
    if researcher.merged_into_id is not None:
        target = _live_or_404(researcher.pk).get_absolute_url()
        if request.GET:
            target = f"{target}?{request.GET.urlencode()}"
        return redirect(target, permanent=True)

    works_context = _works_list_context(request, researcher)
    # The works list's controls (htmx) swap in the results alone; a history restore or a
    # request without JavaScript gets the whole page.
    if (
        request.htmx
        and not request.htmx.history_restore_request
        and request.htmx.target == "works-results"
    ):
        response = render(request, "profiles/_works_results.html", works_context)
    else:
        topics = ranked_topics(researcher)
        response = render(
            request,
            "profiles/researcher_detail.html",
            {
                "summary": summary_for(researcher, topics),
                "summary_html": summary_html(researcher, topics),
                **works_context,
            },
        )
    patch_vary_headers(response, ["HX-Request", "HX-Target"])
    return response


def _works_list_context(request, researcher: Researcher) -> dict:
    """The profile's works list as the request's sort, filters and page ask (see
    profiles.work_filters); a value that cannot be used lists nothing and says why."""
    listed_count, hidden_count = entry_counts(researcher.pk)
    works_error = ""
    try:
        works_query = read_works_query(request.GET, researcher_pk=researcher.pk)
    except BadWorksQuery as error:
        works_query, works_error = WorksQuery(), str(error)
    works = filtered_works(listed_works(researcher.pk), works_query)
    paginator = Paginator(works.none() if works_error else works, settings.BZPEER_WORKS_PER_PAGE)
    if not works_query.is_filtered and not works_error:
        # The count is already known from entry_counts; don't let the paginator query it again.
        paginator.count = listed_count
    works_page = paginator.get_page(request.GET.get("page"))
    works_page.object_list = attach_citing_counts(attach_authors(list(works_page.object_list)))
    options = None
    if listed_count:
        options = filter_options(
            researcher.pk, entries_for(researcher.pk).filter(is_hidden=False), works_query
        )
    query_string = works_query.query_string()
    return {
        "researcher": researcher,
        "works_page": works_page,
        "works_count": listed_count,
        "hidden_count": hidden_count,
        "works_query": works_query,
        "works_filtered": works_query.is_filtered or bool(works_error),
        "works_error": works_error,
        "works_options": options,
        "works_sorts": SORT_LABELS,
        # Pagination links keep the sort and filters.
        "works_extra_query": f"&{query_string}" if query_string else "",
    }


def researcher_by_openalex_id(request, openalex_id: str):
    author_id = openalex_id_or_none(openalex_id, "A")
    if author_id is None:
        raise Http404("Not an OpenAlex author id.")
    researcher = get_object_or_404(Researcher, openalex_id=author_id)
    return redirect(_live_or_404(researcher.pk))
