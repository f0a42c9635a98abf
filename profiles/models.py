"""What the people layer stores about a researcher beyond the source record.

The author records themselves (``Researcher``, ``Institution``, ``Affiliation``) live in
``works.models``, with the rest of what the sources give.
"""

from django.db import models

from works.models import Researcher, Topic


class ResearcherTopic(models.Model):
    """A topic of a researcher, ranked by how many of their visible works carry it (1 = most).

    Computed by the graph app (graph/topics.py), read by the profile summary and the graph."""

    # Derived rows, rebuilt in bulk: no database-level foreign keys (see Collaboration).
    pk = models.CompositePrimaryKey("researcher", "topic")
    researcher = models.ForeignKey(
        Researcher,
        on_delete=models.CASCADE,
        related_name="ranked_topics",
        db_index=False,
        db_constraint=False,
    )
    topic = models.ForeignKey(
        Topic, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    works_count = models.PositiveIntegerField()
    rank = models.PositiveIntegerField()

    class Meta:
        db_table = "graph_researchertopic"
        ordering = ["researcher", "rank"]
        # Who has a topic, most works first (topic pages, similar researchers): read from an
        # index, never by scanning every ranked topic.
        indexes = [
            models.Index(
                "topic",
                models.F("works_count").desc(),
                "researcher",
                name="researchertopic_by_topic",
            )
        ]

    def __str__(self) -> str:
        return f"{self.researcher_id}: #{self.rank} {self.topic_id}"
