"""The neighbourhood of one researcher: nearby papers, people, topics and institutions.

``neighbourhood`` reads it in a fixed number of queries (one per kind, whatever the size of
the record) from the stored collaborations and ranked topics; the profile's graph slice, the
explorer's lists and the graph API all start from it. ``picture`` lays it out as a small
radial SVG picture: the researcher in the middle, each kind of neighbour in its own sector.
"""

import math
from dataclasses import dataclass, field

from django.db.models import Count, ExpressionWrapper, F, Max, Min, Q
from django.db.models.fields import BooleanField

from graph.collaborators import close_threshold
from graph.models import Collaboration
from profiles.models import ResearcherTopic
from works.models import Institution, Researcher, Work

PEOPLE, PAPERS, TOPICS, INSTITUTIONS = 50, 50, 15, 10


@dataclass
class Neighbourhood:
    researcher: Researcher
    collaborators: list[Collaboration] = field(default_factory=list)
    works: list[Work] = field(default_factory=list)
    topics: list[ResearcherTopic] = field(default_factory=list)
    institutions: list[Institution] = field(default_factory=list)

    @property
    def close_collaborators(self) -> list[Collaboration]:
        return [c for c in self.collaborators if c.is_close]


def collaborators_of(researcher_id: int):
    """A researcher's co-authors, close ones first, most shared works first."""
    return (
        Collaboration.objects.filter(researcher_id=researcher_id)
        .select_related("coauthor")
        .annotate(
            is_close=ExpressionWrapper(
                Q(shared_works_count__gte=close_threshold()), output_field=BooleanField()
            )
        )
        .order_by("-shared_works_count", "-last_year", "coauthor__display_name", "coauthor_id")
    )


def works_of(researcher_id: int):
    """Visible works of a researcher, one per paper (a preprint shows under its published
    version unless that one is hidden), newest first."""
    return (
        Work.objects.visible()
        .filter(authorships__researcher_id=researcher_id)
        .filter(Q(version_of__isnull=True) | Q(version_of__is_hidden=True))
        .distinct()
        .order_by(F("publication_year").desc(nulls_last=True), "title", "pk")
    )


def institutions_of(researcher_id: int):
    """Institutions on the researcher's visible authorships, with how many works and when."""
    return (
        Institution.objects.filter(
            authorships__researcher_id=researcher_id, authorships__work__is_hidden=False
        )
        .annotate(
            works_count=Count("authorships__work", distinct=True),
            first_year=Min("authorships__work__publication_year"),
            last_year=Max("authorships__work__publication_year"),
        )
        .order_by("-works_count", "-last_year", "display_name")
    )


def neighbourhood(
    researcher: Researcher,
    people: int = PEOPLE,
    papers: int = PAPERS,
    topics: int = TOPICS,
    institutions: int = INSTITUTIONS,
) -> Neighbourhood:
    """Four queries: collaborators, works, topics (with their hierarchy), institutions."""
    pk = researcher.pk
    return Neighbourhood(
        researcher=researcher,
        collaborators=list(collaborators_of(pk)[:people]),
        works=list(works_of(pk).select_related("source")[:papers]),
        topics=list(
            ResearcherTopic.objects.filter(researcher_id=pk)
            .select_related("topic__parent__parent__parent")
            .order_by("rank")[:topics]
        ),
        institutions=list(institutions_of(pk)[:institutions]),
    )


# --- The small picture ------------------------------------------------------------------------


@dataclass
class Dot:
    kind: str
    label: str
    x: float
    y: float
    r: float
    url: str = ""
    strong: bool = False
    # Where the dot's name is written: outward along its radius, turned so it reads left to
    # right on either side of the circle.
    text: str = ""
    text_x: float = 0
    text_y: float = 0
    text_angle: float = 0
    text_anchor: str = "start"


LABEL_CHARS = 16


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1].rstrip() + "…"


# Each kind gets a sector of the circle (start angle, end angle, in degrees; 0 = right).
SECTORS = {
    "person": (-160, -20),
    "topic": (0, 60),
    "institution": (75, 105),
    "work": (120, 180),
}


def _spread(count: int, start: float, end: float) -> list[float]:
    if count == 1:
        return [(start + end) / 2]
    step = (end - start) / (count - 1)
    return [start + i * step for i in range(count)]


def picture(hood: Neighbourhood, size: int = 560) -> dict:
    """Positions for an SVG of the slice: at most 8 people, 5 topics, 5 works, 3 institutions,
    each dot with its name (shortened) written outward from the circle.

    Returns {"size", "center": Dot, "dots": [Dot], "lines": [(x1, y1, x2, y2, kind)]}; the
    template draws it, so no script is needed to see it.
    """
    from django.urls import NoReverseMatch, reverse

    middle = size / 2
    radius = size / 2 - 180  # the rest is room for the names
    groups = {
        "person": [
            (c.coauthor.display_name, c.coauthor.get_absolute_url(), c.is_close)
            for c in hood.collaborators[:8]
        ],
        "topic": [
            (t.topic.display_name, reverse("profiles:topic", args=[t.topic_id]), t.rank <= 3)
            for t in hood.topics[:5]
        ],
        "work": [],
        "institution": [
            (i.display_name, reverse("profiles:institution", args=[i.pk]), False)
            for i in hood.institutions[:3]
        ],
    }
    for work in hood.works[:5]:
        try:
            url = reverse("works:detail", args=[work.pk])
        except NoReverseMatch:
            url = ""
        groups["work"].append((work.title, url, False))
    dots, lines = [], []
    for kind, members in groups.items():
        if not members:
            continue
        start, end = SECTORS[kind]
        for (label, url, strong), angle in zip(
            members, _spread(len(members), start, end), strict=True
        ):
            x = middle + radius * math.cos(math.radians(angle))
            y = middle + radius * math.sin(math.radians(angle))
            r = 12 if strong else 8
            out = radius + r + 6
            left = math.cos(math.radians(angle)) < -1e-9
            dot = Dot(
                kind, label, round(x, 1), round(y, 1), r, url, strong,
                text=_short(label),
                text_x=round(middle + out * math.cos(math.radians(angle)), 1),
                text_y=round(middle + out * math.sin(math.radians(angle)), 1),
                text_angle=round(angle + 180 if left else angle, 1),
                text_anchor="end" if left else "start",
            )  # fmt: skip
            dots.append(dot)
            lines.append((middle, middle, dot.x, dot.y, kind))
    center = Dot("researcher", hood.researcher.display_name, middle, middle, 18)
    return {"size": size, "center": center, "dots": dots, "lines": lines}
