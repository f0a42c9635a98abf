"""The live progress of an import run: the partial the admin page includes and htmx polls."""

from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from works.runs import get_import_run_for_user


@never_cache
@require_GET
def run_progress(request, pk: int):
    run = get_import_run_for_user(request.user, pk)
    return render(request, "admin/works/importrun/_run_progress.html", {"run": run})
