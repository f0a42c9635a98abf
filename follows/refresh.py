"""The weekly re-import of the records people care about: the followed and the claimed ones."""

from django.db.models import Q

from follows.models import Follow
from works.models import ImportRun, Researcher
from works.runs import start_arxiv_import, start_openalex_import


def researchers_to_refresh() -> list[Researcher]:
    """Live records that someone claimed or follows, in id order."""
    return list(
        Researcher.objects.canonical()
        .filter(Q(owner__isnull=False) | Q(pk__in=Follow.objects.values("researcher_id")))
        .order_by("pk")
        .only("pk", "openalex_id", "display_name", "origin")
    )


def refresh_followed_and_claimed() -> list[int]:
    """Queue a re-import of each followed or claimed researcher that has none pending: from
    OpenAlex when the record has an OpenAlex id, else an arXiv name query for arXiv records.
    Returns the ids of the runs started."""
    pending = ImportRun.objects.filter(
        status__in=[ImportRun.Status.QUEUED, ImportRun.Status.RUNNING]
    )
    pending_targets = set(
        pending.filter(source=ImportRun.Source.OPENALEX).values_list("target", flat=True)
    )
    pending_researchers = set(
        pending.filter(source=ImportRun.Source.ARXIV).values_list("researcher_id", flat=True)
    )
    started = []
    for researcher in researchers_to_refresh():
        if researcher.openalex_id:
            if researcher.openalex_id not in pending_targets:
                started.append(start_openalex_import(researcher.openalex_id).pk)
        elif (
            researcher.origin == Researcher.Origin.ARXIV
            and researcher.pk not in pending_researchers
        ):
            started.append(start_arxiv_import(researcher).pk)
    return started
