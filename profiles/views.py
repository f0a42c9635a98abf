from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect

from profiles.models import Researcher


def home(request):
    return HttpResponse("bzpeer")


def search(request):
    return HttpResponse("search")


def researcher_detail(request, pk: int):
    researcher = get_object_or_404(Researcher, pk=pk)
    return HttpResponse(researcher.display_name)


def researcher_by_openalex_id(request, openalex_id: str):
    researcher = get_object_or_404(Researcher, openalex_id=openalex_id.upper())
    return redirect(researcher)
