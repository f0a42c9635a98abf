"""How graph views and the graph API reach a researcher record from a URL's id.

Researcher records and their graphs are public, so there is no owner check; this is still
the one place that turns a user-supplied id into a record (404 when unknown).
"""

from django.http import Http404

from works.models import Researcher


def get_researcher_for_user(user, pk: int) -> Researcher:
    """The record with this id, or the record it was merged into; Http404 if unknown."""
    researcher = Researcher.objects.resolve(pk)
    if researcher is None:
        raise Http404("No researcher with this id.")
    return researcher
