"""Filters of /api/works/. Identifiers are accepted in the forms people paste: a DOI with or
without https://doi.org/, an arXiv id with "arXiv:" or a version suffix, an OpenAlex URL."""

import re

import django_filters

from profiles.api.errors import BadParameter
from profiles.search import BadQuery, works_matching
from works.models import Work

_DOI_PREFIX = re.compile(r"^(https?://(dx\.)?doi\.org/|doi:)", re.IGNORECASE)
_ARXIV_PREFIX = re.compile(r"^(https?://arxiv\.org/(abs|pdf)/|arxiv:)", re.IGNORECASE)
_ARXIV_VERSION = re.compile(r"v\d+$")
_OPENALEX_PREFIX = re.compile(r"^https?://(api\.)?openalex\.org/(works/|authors/)?", re.I)


def bare_doi(value: str) -> str:
    return _DOI_PREFIX.sub("", value.strip()).lower()


def bare_arxiv_id(value: str) -> str:
    return _ARXIV_VERSION.sub("", _ARXIV_PREFIX.sub("", value.strip()))


def bare_openalex_id(value: str) -> str:
    return _OPENALEX_PREFIX.sub("", value.strip()).upper()


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

    def filter_doi(self, queryset, name, value):
        return queryset.filter(doi=bare_doi(value))

    def filter_arxiv_id(self, queryset, name, value):
        return queryset.filter(arxiv_id=bare_arxiv_id(value))

    def filter_openalex_id(self, queryset, name, value):
        return queryset.filter(openalex_id=bare_openalex_id(value))
