"""An institution's page: what it is, the researchers there and what they work on.

"The researchers there" are the canonical records whose last known institution it is, or that
the source lists an affiliation with; current ones are marked. They are ranked by their listed
works (``profiles.publications``: the count the profile shows), in one query with a limit,
whatever the size of the institution. Its topics are the ranked topics of those researchers,
by how many of them carry each.

Queries: the institution, the people, how many people in all, the topics; four in all.
"""

from dataclasses import dataclass

from django.db.models import BooleanField, Count, ExpressionWrapper, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404, render

from bzpeer.identifiers import openalex_url, ror_url
from bzpeer.page_cache import cached_public_page
from profiles.models import ResearcherTopic
from works.models import Affiliation, Institution, Researcher

PEOPLE_LIMIT = 50
TOPICS_LIMIT = 15

# OpenAlex's institution types, in words. OpenAlex types many universities "funder" (they
# fund research as well as do it), so the page says whose word the type is.
TYPE_LABELS = {
    "education": "University or college",
    "healthcare": "Hospital or health organisation",
    "company": "Company",
    "archive": "Archive, library or museum",
    "nonprofit": "Non-profit organisation",
    "government": "Government body",
    "facility": "Research facility",
    "funder": "Research funder",
    "other": "Other organisation",
}


def type_label(institution: Institution) -> str:
    """The institution's type in words; "" when the source gives none."""
    raw = institution.type or ""
    return TYPE_LABELS.get(raw, raw.replace("_", " ").capitalize())


def people_at(institution_id: int) -> QuerySet[Researcher]:
    """Canonical researchers there now or before, unordered and uncounted."""
    return Researcher.objects.canonical().filter(
        Q(last_known_institution_id=institution_id)
        | Q(pk__in=Affiliation.objects.filter(institution_id=institution_id).values("researcher"))
    )


def ranked_people_at(institution_id: int, limit: int = PEOPLE_LIMIT) -> list[Researcher]:
    """Its researchers, most listed works first, each with ``listed_works_count`` and
    ``is_current`` (their last known institution is this one)."""
    return list(
        people_at(institution_id)
        .select_related("last_known_institution")
        .annotate(
            is_current=ExpressionWrapper(
                Q(last_known_institution_id=institution_id), output_field=BooleanField()
            ),
        )
        .order_by("-listed_works_count", "display_name", "pk")[:limit]
    )


def topics_at(institution_id: int, limit: int = TOPICS_LIMIT) -> list[dict]:
    """Topics of its researchers: {"topic_id", "name", "people", "works"}, carried by the
    most researchers first (then by their works in it; a co-authored work counts once per
    researcher)."""
    rows = (
        ResearcherTopic.objects.filter(researcher__in=people_at(institution_id).values("pk"))
        .values("topic_id", "topic__display_name")
        .annotate(people=Count("researcher_id"), works=Sum("works_count"))
        .order_by("-people", "-works", "topic__display_name", "topic_id")[:limit]
    )
    return [
        {
            "topic_id": row["topic_id"],
            "name": row["topic__display_name"],
            "people": row["people"],
            "works": row["works"],
        }
        for row in rows
    ]


@dataclass
class InstitutionPage:
    institution: Institution
    people: list[Researcher]
    people_count: int
    topics: list[dict]

    @property
    def type_label(self) -> str:
        return type_label(self.institution)

    @property
    def ror_url(self) -> str:
        return ror_url(self.institution.ror) if self.institution.ror else ""

    @property
    def openalex_url(self) -> str:
        oid = self.institution.openalex_id
        return openalex_url(oid) if oid else ""

    @property
    def homepage_url(self) -> str:
        # Imported text: only an http(s) address becomes a link.
        url = self.institution.homepage_url
        return url if url.lower().startswith(("https://", "http://")) else ""

    @property
    def crumbs(self) -> list[tuple[str, str]]:
        return [(self.institution.display_name, "")]


def institution_page(institution: Institution) -> InstitutionPage:
    return InstitutionPage(
        institution=institution,
        people=ranked_people_at(institution.pk),
        people_count=people_at(institution.pk).count(),
        topics=topics_at(institution.pk),
    )


@cached_public_page
def institution_detail(request, pk: int):
    institution = get_object_or_404(Institution, pk=pk)
    return render(
        request,
        "profiles/institution_detail.html",
        {"page": institution_page(institution), "institution": institution},
    )
