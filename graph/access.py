"""How graph views and the graph API reach a researcher record from a URL's id.

Researcher records and their graphs are public, so there is no owner check; this is still
the one place that turns a user-supplied id into a record (404 when unknown).
"""

from django.http import Http404

from profiles.models import Researcher

# Merges are shallow in practice; the cap only stops a bad chain from looping.
MAX_MERGE_HOPS = 10


def get_researcher_for_user(user, pk: int) -> Researcher:
    """The record with this id, or the record it was merged into; Http404 if unknown."""
    researcher = Researcher.objects.filter(pk=pk).first()
    hops = 0
    while researcher is not None and researcher.merged_into_id and hops < MAX_MERGE_HOPS:
        researcher = Researcher.objects.filter(pk=researcher.merged_into_id).first()
        hops += 1
    if researcher is None:
        raise Http404("No researcher with this id.")
    return researcher
