"""The one way the API reaches a work or researcher from an id in a URL."""

from rest_framework.exceptions import NotFound

from works.models import Work

MAX_ID = 2**63 - 1


def parse_id(raw) -> int:
    """The positive integer id in a URL segment; ``NotFound`` for anything else."""
    text = str(raw)
    if not (text.isascii() and text.isdigit()) or not 0 < int(text) <= MAX_ID:
        raise NotFound(f"No record has the id {text[:40]!r}: ids are positive integers.")
    return int(text)


def get_visible_work_or_404(raw_pk, queryset=None) -> Work:
    queryset = Work.objects.all() if queryset is None else queryset
    work = queryset.filter(pk=parse_id(raw_pk), is_hidden=False).first()
    if work is None:
        raise NotFound("No visible work has this id.")
    return work
