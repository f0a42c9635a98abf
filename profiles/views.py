from django.conf import settings
from django.core.paginator import Paginator
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from bzpeer.identifiers import openalex_id_or_none
from profiles.publications import (
    attach_authors,
    entry_counts,
    listed_works,
    listed_works_count_subquery,
)
from profiles.summary import summary_for
from works.models import Researcher

RESEARCHERS_PER_PAGE = 30


def home(request):
    # Fullest records first. The count is a correlated subquery over every canonical record;
    # fine at demo and departmental scale, a denormalised counter is the next step beyond.
    researchers = (
        Researcher.objects.canonical()
        .select_related("last_known_institution")
        .annotate(listed_works_count=Coalesce(listed_works_count_subquery(), 0))
        .order_by("-listed_works_count", "display_name", "pk")
    )
    page = Paginator(researchers, RESEARCHERS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "profiles/home.html", {"page_obj": page})


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


def researcher_detail(request, pk: int):
    researcher = get_object_or_404(
        Researcher.objects.select_related("last_known_institution"), pk=pk
    )
    if researcher.merged_into_id is not None:
        target = _live_or_404(researcher.pk).get_absolute_url()
        if request.GET:
            target = f"{target}?{request.GET.urlencode()}"
        return redirect(target, permanent=True)

    listed_count, hidden_count = entry_counts(researcher.pk)
    paginator = Paginator(listed_works(researcher.pk), settings.BZPEER_WORKS_PER_PAGE)
    # The count is already known from entry_counts; don't let the paginator query it again.
    paginator.count = listed_count
    works_page = paginator.get_page(request.GET.get("page"))
    works_page.object_list = attach_authors(list(works_page.object_list))
    return render(
        request,
        "profiles/researcher_detail.html",
        {
            "researcher": researcher,
            "summary": summary_for(researcher),
            "works_page": works_page,
            "works_count": listed_count,
            "hidden_count": hidden_count,
        },
    )


def researcher_by_openalex_id(request, openalex_id: str):
    author_id = openalex_id_or_none(openalex_id, "A")
    if author_id is None:
        raise Http404("Not an OpenAlex author id.")
    researcher = get_object_or_404(Researcher, openalex_id=author_id)
    return redirect(_live_or_404(researcher.pk))
