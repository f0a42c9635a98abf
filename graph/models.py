"""What the graph app stores: collaborations, ranked topics and the history of trust scores.

All three are derived data. ``graph.actions.refresh_researchers`` and ``manage.py
recompute_graph`` rebuild them from works and authorships; nothing else writes them.
"""

from django.db import models

from works.models import Researcher


class Collaboration(models.Model):
    """Two researchers who share visible works, stored in both directions.

    A pair (A, B) has two rows, (A, B) and (B, A), with the same counts, so "the co-authors of
    X" is always ``Collaboration.objects.filter(researcher=X)``. Preprint/published versions of
    one work count once; hidden works do not count.
    """

    # Derived rows, rebuilt in bulk: no database-level foreign keys (their per-row checks cost
    # more than the rest of a full recompute); Django still cascades deletions. The pair is the
    # primary key (no id column, no sequence); its index starts with researcher_id and serves
    # every lookup by it. There is no index on coauthor_id: the rows are symmetric, so "rows
    # with coauthor X" are read as the mirrors of "rows with researcher X".
    pk = models.CompositePrimaryKey("researcher", "coauthor")
    researcher = models.ForeignKey(
        Researcher,
        on_delete=models.CASCADE,
        related_name="collaborations",
        db_index=False,
        db_constraint=False,
    )
    coauthor = models.ForeignKey(
        Researcher, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    shared_works_count = models.PositiveIntegerField()
    first_year = models.PositiveSmallIntegerField(null=True, blank=True)
    last_year = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["researcher", "-shared_works_count", "coauthor"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(researcher=models.F("coauthor")),
                name="collaboration_not_with_self",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.researcher_id} with {self.coauthor_id} ({self.shared_works_count})"


class TrustScore(models.Model):
    """One computed trust score. A row is added only when the score or the level changes,
    so the table is the history of a record's trust, not a log of every recomputation."""

    researcher = models.ForeignKey(
        Researcher, on_delete=models.CASCADE, related_name="trust_history"
    )
    score = models.PositiveSmallIntegerField()
    level = models.PositiveSmallIntegerField(choices=Researcher.Level.choices)
    breakdown = models.JSONField(default=dict)
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["researcher", "-computed_at", "-pk"]
        get_latest_by = "computed_at"

    def __str__(self) -> str:
        return f"{self.researcher_id}: {self.score} at {self.computed_at:%Y-%m-%d}"
