"""Filters of /api/researchers/."""

import re

import django_filters
from django.db.models import Exists, OuterRef, Q

from profiles.models import Affiliation, Institution, Researcher
from profiles.search import researchers_matching
from works.api.filters import bare_openalex_id, search_filter
from works.models import Authorship, Topic

_ORCID = re.compile(r"(\d{4}-\d{4}-\d{4}-\d{3}[\dX])", re.IGNORECASE)
_ROR_PREFIX = re.compile(r"^https?://ror\.org/", re.IGNORECASE)
_TOPIC_PREFIX = re.compile(r"^https?://openalex\.org/", re.IGNORECASE)


def _institutions(value: str):
    value = value.strip()
    if value.isascii() and value.isdigit():
        return Institution.objects.filter(pk=int(value)) if len(value) < 19 else None
    ror = _ROR_PREFIX.sub("", value)
    return Institution.objects.filter(
        Q(openalex_id=bare_openalex_id(value)) | Q(ror=ror) | Q(ror=f"https://ror.org/{ror}")
    )


def _topics(value: str):
    value = value.strip()
    if value.isascii() and value.isdigit():
        return Topic.objects.filter(pk=int(value)) if len(value) < 19 else None
    bare = _TOPIC_PREFIX.sub("", value)
    if re.fullmatch(r"[tT]\d+", bare):
        bare = bare.upper()
    return Topic.objects.filter(openalex_id=bare)


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
        return queryset.filter(openalex_id=bare_openalex_id(value))

    def filter_orcid(self, queryset, name, value):
        match = _ORCID.search(value)
        return queryset.filter(orcid=match.group(1).upper()) if match else queryset.none()

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
