"""Public works pages: the browse list and one work."""

from django import forms
from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import F, Prefetch, Q
from django.http import Http404
from django.shortcuts import render
from django.utils.http import urlencode

from bzpeer.page_cache import cached_public_page
from works.api.prefetch import with_list_relations
from works.citations import cited_works, citing_works
from works.models import Work, WorkTopic


class WorkListFilterForm(forms.Form):
    year = forms.IntegerField(required=False, min_value=0, max_value=9999)
    type = forms.CharField(required=False, max_length=50)


@cached_public_page
def work_list(request):
    """Visible works, newest first; a version of another visible work is listed under it."""
    form = WorkListFilterForm(request.GET)
    works = Work.objects.visible().filter(
        Q(version_of__isnull=True) | Q(version_of__is_hidden=True)
    )
    if form.is_valid():
        if form.cleaned_data["year"] is not None:
            works = works.filter(publication_year=form.cleaned_data["year"])
        if form.cleaned_data["type"]:
            works = works.filter(type=form.cleaned_data["type"])
    works = with_list_relations(works).order_by(
        F("publication_year").desc(nulls_last=True),
        F("publication_date").desc(nulls_last=True),
        "-pk",
    )
    page_obj = Paginator(works, settings.BZPEER_WORKS_PER_PAGE).get_page(request.GET.get("page"))
    types = Work.objects.visible().exclude(type="").order_by("type").values_list("type", flat=True)
    filters = {k: v for k, v in (form.cleaned_data if form.is_valid() else {}).items() if v}
    extra_query = f"&{urlencode(filters)}" if filters else ""
    return render(
        request,
        "works/work_list.html",
        {
            "form": form,
            "page_obj": page_obj,
            "types": types.distinct(),
            "extra_query": extra_query,
        },
        status=200 if form.is_valid() else 400,
    )


@cached_public_page
def work_detail(request, pk: int):
    work = (
        with_list_relations(Work.objects.visible())
        .select_related("version_of")
        .prefetch_related(
            Prefetch(
                "work_topics",
                queryset=WorkTopic.objects.select_related("topic").order_by(
                    F("score").desc(nulls_last=True)
                ),
            )
        )
        .filter(pk=pk)
        .first()
    )
    if work is None:
        raise Http404("No visible work has this id.")
    main = work.version_of if work.version_of_id and not work.version_of.is_hidden else None
    return render(
        request,
        "works/work_detail.html",
        {
            "work": work,
            "main": main,
            "cited_by": list(citing_works(work)),
            "cites": list(cited_works(work)),
        },
    )
