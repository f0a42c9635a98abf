"""Load the bundled demo data (works/demo/, see its PROVENANCE.md) through the importers."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from works.importers.csl import import_csl_items, read_csl_file
from works.importers.snapshot import SnapshotError, import_snapshot_file
from works.models import Affiliation, Authorship, Institution, Researcher, Source, Topic, Work
from works.runs import after_bulk_import

DEMO_DIR = Path(__file__).resolve().parents[2] / "demo"
# The reference researcher: a curated record, since the page it comes from names no ids.
CURATED_NAME = "Maosong Sun"
CURATED_FILE = "maosong-sun-works.csl.json"


def demo_files() -> list[Path]:
    """Author records first (so that authorships find them), then works and list pages."""
    files = sorted((DEMO_DIR / "openalex").glob("*.json"))
    authors = [f for f in files if f.name.startswith("author")]
    return authors + [f for f in files if f not in authors]


def demo_counts() -> dict[str, int]:
    return {
        "researchers": Researcher.objects.count(),
        "institutions": Institution.objects.count(),
        "affiliations": Affiliation.objects.count(),
        "works": Work.objects.count(),
        "authorships": Authorship.objects.count(),
        "sources": Source.objects.count(),
        "topics": Topic.objects.count(),
    }


class Command(BaseCommand):
    help = (
        "Load the demo: recorded OpenAlex authors and works, and the reference researcher's "
        "works from CSL-JSON. Idempotent: a second run adds nothing."
    )

    def handle(self, *args, verbosity, **options):
        progress = self.stdout.write if verbosity >= 2 else None
        with transaction.atomic():
            for path in demo_files():
                try:
                    stats = import_snapshot_file(path, progress=progress)
                except SnapshotError as exc:
                    raise CommandError(str(exc)) from exc
                if verbosity >= 1:
                    self.stdout.write(
                        f"{path.name}: created {stats.created}, updated {stats.updated}, "
                        f"unchanged {stats.unchanged}"
                    )
            researcher, _ = Researcher.objects.get_or_create(
                display_name=CURATED_NAME,
                origin=Researcher.Origin.CURATED,
                openalex_id=None,
                merged_into=None,
            )
            stats = import_csl_items(read_csl_file(DEMO_DIR / CURATED_FILE), researcher)
            if verbosity >= 1:
                self.stdout.write(
                    f"{CURATED_FILE} (#{researcher.pk} {researcher}): created {stats.created}, "
                    f"updated {stats.updated}, unchanged {stats.unchanged}"
                )
        graph = after_bulk_import()
        if verbosity >= 1:
            self.stdout.write(
                f"Graph: {graph['researchers']} researchers scored, "
                f"{graph['collaborations']} collaboration rows, {graph['topics']} ranked topics."
            )
        if verbosity >= 1:
            summary = ", ".join(f"{n} {name}" for name, n in demo_counts().items())
            self.stdout.write(self.style.SUCCESS(f"Demo loaded: {summary}."))
