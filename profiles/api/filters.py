"""Filters of /api/researchers/."""

import django_filters
from django.db.models import Exists, OuterRef, Q

from bzpeer.api.errors import BadParameter
from bzpeer.identifiers import (
    looks_like_orcid,
    normalise_ror,
    openalex_id_or_none,
    parse_orcid,
    ror_url,
    topic_id_any_level,
)
from works.api.filters import search_filter
from works.models import Affiliation, Authorship, Institution, Researcher, Topic
from works.search import researchers_matching


def _institutions(value: str):
    value = value.strip()
    if value.isascii() and value.isdigit():
        return Institution.objects.filter(pk=int(value)) if len(value) < 19 else None
    openalex_id = openalex_id_or_none(value, "I")
    ror = normalise_ror(value)
    if not openalex_id and not ror:
        return Institution.objects.none()
    # The importer stores bare ROR ids; rows written before it did may hold the URL.
    by_ror = Q(ror=ror) | Q(ror=ror_url(ror)) if ror else Q(pk__in=[])
    return Institution.objects.filter(Q(openalex_id=openalex_id or "") | by_ror)


def _topics(value: str):
    value = value.strip()
    if value.isascii() and value.isdigit():
        return Topic.objects.filter(pk=int(value)) if len(value) < 19 else None
    # A topic (T...) or a level of its hierarchy, stored as "fields/17", "subfields/1707".
    bare = topic_id_any_level(value)
    return Topic.objects.filter(openalex_id=bare) if bare else Topic.objects.none()


class ResearcherFilter(django_filters.FilterSet):
    openalex_id = django_filters.CharFilter(
        method="filter_openalex_id", help_text='OpenAlex author id, e.g. "A5017898742".'
    )
    orcid = django_filters.CharFilter(
        method="filter_orcid", help_text="ORCID iD, bare or as an https://orcid.org/ URL."
    )
    q = django_filters.CharFilter(
        method=search_filter(researchers_matching),
        help_text='Name or name variant; accents and case ignored, "Mearman J" works.',
    )
    institution = django_filters.CharFilter(
        method="filter_institution",
        help_text="Institution id, OpenAlex id (I...) or ROR: current or past affiliation.",
    )
    topic = django_filters.CharFilter(
        method="filter_topic",
        help_text="Topic id or OpenAlex topic id (T...): researchers with a visible work on it.",
    )

    class Meta:
        model = Researcher
        fields = ["openalex_id", "orcid", "q", "institution", "topic"]

    def filter_openalex_id(self, queryset, name, value):
        openalex_id = openalex_id_or_none(value, "A")
        return queryset.filter(openalex_id=openalex_id) if openalex_id else queryset.none()

    def filter_orcid(self, queryset, name, value):
        # Something that is no ORCID iD at all finds no one, like an unknown iD; a well-formed
        # iD whose check digit is wrong is a typo worth telling the caller about.
        if not looks_like_orcid(value):
            return queryset.none()
        try:
            orcid = parse_orcid(value)
        except ValueError as error:
            raise BadParameter(str(error), code="bad_orcid") from error
        return queryset.filter(orcid=orcid)

    def filter_institution(self, queryset, name, value):
        institutions = _institutions(value)
        if institutions is None:
            return queryset.none()
        return queryset.filter(
            Q(last_known_institution__in=institutions)
            | Exists(
                Affiliation.objects.filter(researcher=OuterRef("pk"), institution__in=institutions)
            )
        )

    def filter_topic(self, queryset, name, value):
        topics = _topics(value)
        if topics is None:
            return queryset.none()
        return queryset.filter(
            Exists(
                Authorship.objects.filter(
                    researcher=OuterRef("pk"),
                    work__is_hidden=False,
                    work__work_topics__topic__in=topics,
                )
            )
        )
