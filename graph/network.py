"""The network around one researcher, as a networkx graph: what the explorer draws.

Nodes are keyed by kind and primary key ("researcher:12", "work:34", "topic:5",
"institution:7"), never by model instance. Depth 1 is the researcher's neighbourhood
(``graph.slice.neighbourhood``) plus the links among it: co-authors who work together, which
co-authors wrote which of the works, which works carry which topics. Depth 2 adds each
co-author's own strongest collaborators and topics. Both take a fixed number of queries, and
the graph is trimmed to ``MAX_NODES`` so the explorer stays legible.
"""

import networkx as nx
from django.db.models import F, Window
from django.db.models.functions import RowNumber
from django.urls import NoReverseMatch, reverse

from graph.models import Collaboration
from graph.slice import neighbourhood
from profiles.models import ResearcherTopic
from works.models import Authorship, Researcher, WorkTopic

MAX_NODES = 500
SECOND_PEOPLE, SECOND_TOPICS = 6, 2


def node_id(kind: str, pk: int) -> str:
    return f"{kind}:{pk}"


def _work_url(pk: int) -> str:
    try:
        return reverse("works:detail", args=[pk])
    except NoReverseMatch:
        return ""


def _page_url(name: str, pk: int) -> str:
    """The bzpeer page of a topic or institution (``profiles:topic``, ``profiles:institution``)."""
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return ""


def _add_node(graph: nx.Graph, kind: str, pk: int, label: str, url: str, depth: int, **extra):
    """Add a typed node once (a later sighting keeps the first, nearest one); returns its key."""
    key = node_id(kind, pk)
    if key not in graph:
        graph.add_node(key, type=kind, pk=pk, label=label, url=url, depth=depth, **extra)
    return key


def _add_person(graph: nx.Graph, researcher: Researcher, depth: int, **extra) -> str:
    return _add_node(
        graph,
        "researcher",
        researcher.pk,
        researcher.display_name,
        researcher.get_absolute_url(),
        depth,
        openalex_id=researcher.openalex_id or "",
        **extra,
    )


def _add_topic(graph: nx.Graph, topic, depth: int) -> str:
    return _add_node(
        graph, "topic", topic.pk, topic.display_name, _page_url("profiles:topic", topic.pk), depth
    )


def build(researcher: Researcher, depth: int = 1) -> nx.Graph:
    """The typed graph around ``researcher`` (depth 1 or 2)."""
    hood = neighbourhood(researcher)
    graph = nx.Graph()
    center = _add_person(graph, researcher, 0, close=False)

    people = {}
    for collaboration in hood.collaborators:
        key = _add_person(graph, collaboration.coauthor, 1, close=collaboration.is_close)
        people[collaboration.coauthor_id] = key
        graph.add_edge(
            center,
            key,
            type="coauthor",
            weight=collaboration.shared_works_count,
            first_year=collaboration.first_year,
            last_year=collaboration.last_year,
        )
    works = {}
    for work in hood.works:
        key = _add_node(
            graph, "work", work.pk, work.title, _work_url(work.pk), 1, year=work.publication_year
        )
        works[work.pk] = key
        graph.add_edge(center, key, type="authored", weight=1, first_year=work.publication_year)
    topics = {}
    for ranked in hood.topics:
        key = _add_topic(graph, ranked.topic, 1)
        topics[ranked.topic_id] = key
        graph.add_edge(center, key, type="topic", weight=ranked.works_count)
    for institution in hood.institutions:
        key = _add_node(
            graph,
            "institution",
            institution.pk,
            institution.display_name,
            _page_url("profiles:institution", institution.pk),
            1,
        )
        graph.add_edge(
            center,
            key,
            type="affiliated",
            weight=institution.works_count,
            first_year=institution.first_year,
            last_year=institution.last_year,
        )

    # The links inside the neighbourhood, one query each.
    for low, high, shared, first, last in Collaboration.objects.filter(
        researcher_id__in=people, coauthor_id__in=people, researcher_id__lt=F("coauthor_id")
    ).values_list("researcher_id", "coauthor_id", "shared_works_count", "first_year", "last_year"):
        graph.add_edge(
            people[low],
            people[high],
            type="coauthor",
            weight=shared,
            first_year=first,
            last_year=last,
        )
    for work_id, researcher_id, year in Authorship.objects.filter(
        work_id__in=works, researcher_id__in=people
    ).values_list("work_id", "researcher_id", "work__publication_year"):
        graph.add_edge(
            people[researcher_id], works[work_id], type="authored", weight=1, first_year=year
        )
    for work_id, topic_id in WorkTopic.objects.filter(
        work_id__in=works, topic_id__in=topics
    ).values_list("work_id", "topic_id"):
        graph.add_edge(works[work_id], topics[topic_id], type="about", weight=1)

    if depth >= 2 and people:
        _add_second_ring(graph, people)
    return _trimmed(graph, center)


def _add_second_ring(graph: nx.Graph, people: dict[int, str]) -> None:
    """Each co-author's strongest collaborators and top topics (two queries)."""
    ranked = Window(
        RowNumber(),
        partition_by=[F("researcher_id")],
        order_by=[F("shared_works_count").desc(), F("coauthor_id").asc()],
    )
    for collaboration in (
        Collaboration.objects.filter(researcher_id__in=people)
        .select_related("coauthor")
        .annotate(place=ranked)
        .filter(place__lte=SECOND_PEOPLE)
    ):
        key = _add_person(graph, collaboration.coauthor, 2, close=False)
        graph.add_edge(
            people[collaboration.researcher_id],
            key,
            type="coauthor",
            weight=collaboration.shared_works_count,
            first_year=collaboration.first_year,
            last_year=collaboration.last_year,
        )
    for ranked_topic in ResearcherTopic.objects.filter(
        researcher_id__in=people, rank__lte=SECOND_TOPICS
    ).select_related("topic"):
        key = _add_topic(graph, ranked_topic.topic, 2)
        graph.add_edge(
            people[ranked_topic.researcher_id], key, type="topic", weight=ranked_topic.works_count
        )


def _trimmed(graph: nx.Graph, center: str) -> nx.Graph:
    """At most MAX_NODES nodes: the farthest, least connected ones go first."""
    if graph.number_of_nodes() <= MAX_NODES:
        return graph
    order = sorted(
        graph.nodes,
        key=lambda n: (graph.nodes[n]["depth"], -graph.degree(n, weight="weight"), n),
    )
    keep = set(order[:MAX_NODES]) | {center}
    return graph.subgraph(keep).copy()


def as_data(graph: nx.Graph, center: str) -> dict:
    """JSON-ready {"center", "nodes": [...], "edges": [...]} (nodes carry their degree)."""
    nodes = [
        {"id": key, "degree": graph.degree(key), **attributes}
        for key, attributes in graph.nodes(data=True)
    ]
    edges = [
        {"source": source, "target": target, **attributes}
        for source, target, attributes in graph.edges(data=True)
    ]
    return {"center": center, "nodes": nodes, "edges": edges}
