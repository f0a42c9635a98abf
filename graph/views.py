"""The research graph pages: the lazily loaded slice on a profile, and the full explorer."""

from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from graph.access import get_researcher_for_user
from graph.slice import neighbourhood, picture


@require_GET
def graph_slice(request, pk: int):
    """The slice partial the profile page loads with htmx (also a plain page without JS)."""
    researcher = get_researcher_for_user(request.user, pk)
    if researcher.pk != pk:
        return redirect("graph:slice", pk=researcher.pk)
    hood = neighbourhood(researcher, people=12, papers=8, topics=8, institutions=5)
    context = {"researcher": researcher, "hood": hood, "picture": picture(hood)}
    # The same partial serves htmx; the plain link (no JavaScript) gets it inside a page.
    template = "graph/_slice.html" if request.htmx else "graph/slice_page.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_GET
def explorer(request, pk: int):
    """The full explorer: cytoscape draws the network from the API; the lists work without JS."""
    researcher = get_researcher_for_user(request.user, pk)
    if researcher.pk != pk:
        return redirect("graph:explorer", pk=researcher.pk)
    context = {"researcher": researcher, "hood": neighbourhood(researcher)}
    return render(request, "graph/explorer.html", context)
