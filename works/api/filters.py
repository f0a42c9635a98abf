"""Filters of /api/works/. Identifiers are accepted in the forms people paste: a DOI with or
without https://doi.org/, an arXiv id with "arXiv:" or a version suffix, an OpenAlex URL."""

import django_filters

from bzpeer.api.errors import BadParameter
from bzpeer.identifiers import normalise_arxiv_id, normalise_doi, openalex_id_or_none
from works.models import Work
from works.search import BadQuery, works_matching


def search_filter(matching):
    """A filter method running one of profiles.search's functions on the queryset."""

    def method(queryset, name, value):
        try:
            return matching(value, queryset)
        except BadQuery as error:
            raise BadParameter(str(error), code="bad_query") from error

    return method


class WorkFilter(django_filters.FilterSet):
    doi = django_filters.CharFilter(method="filter_doi", help_text="DOI, bare or as a URL.")
    arxiv_id = django_filters.CharFilter(
        method="filter_arxiv_id", help_text='arXiv id, e.g. "2108.04680" (version ignored).'
    )
    openalex_id = django_filters.CharFilter(
        method="filter_openalex_id", help_text='OpenAlex work id, e.g. "W3188841554".'
    )
    year = django_filters.NumberFilter(
        field_name="publication_year", min_value=0, max_value=9999, help_text="Publication year."
    )
    q = django_filters.CharFilter(
        method=search_filter(works_matching), help_text="Words of the title or abstract."
    )

    class Meta:
        model = Work
        fields = ["doi", "arxiv_id", "openalex_id", "year", "q"]

    # A value that is not such an id matches nothing (as an unknown id does).
    def filter_doi(self, queryset, name, value):
        doi = normalise_doi(value)
        return queryset.filter(doi=doi) if doi else queryset.none()

    def filter_arxiv_id(self, queryset, name, value):
        arxiv_id = normalise_arxiv_id(value)
        return queryset.filter(arxiv_id=arxiv_id) if arxiv_id else queryset.none()

    def filter_openalex_id(self, queryset, name, value):
        openalex_id = openalex_id_or_none(value, "W")
        return queryset.filter(openalex_id=openalex_id) if openalex_id else queryset.none()
