"""``manage.py recompute_graph``: rebuild collaborations, topics, levels and trust scores."""

import time

from django.core.management.base import BaseCommand

from bzpeer import planner_statistics
from graph.actions import recompute_all


class Command(BaseCommand):
    help = (
        "Recompute every researcher's collaborations, ranked topics, verification level and "
        "trust score from the works in the database (run after a bulk load, or after changing "
        "BZPEER_CLOSE_COLLABORATOR_MIN_SHARED_WORKS). A second run changes no scores."
    )

    def handle(self, *args, **options):
        started = time.monotonic()
        counts = recompute_all()
        # Its tables were rewritten: later queries plan on their new contents.
        planner_statistics.refresh()
        self.stdout.write(
            self.style.SUCCESS(
                f"Recomputed {counts['researchers']} researchers: "
                f"{counts['collaborations']} collaboration rows, "
                f"{counts['topics']} ranked topics in {time.monotonic() - started:.1f} s."
            )
        )
