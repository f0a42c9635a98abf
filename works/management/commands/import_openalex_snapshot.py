"""Import files of OpenAlex entities (snapshot JSON Lines, .gz, or recorded list pages)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from works.importers.snapshot import DEFAULT_BATCH_SIZE, SnapshotError, import_snapshot_file
from works.runs import after_bulk_import

# In a directory, the files that hold entities (the snapshot's "manifest" files do not).
ENTITY_SUFFIXES = (".gz", ".jsonl", ".json")


def expand(paths: list[str]) -> list[Path]:
    """Files as given; a directory (e.g. the snapshot's data/authors) becomes its entity files,
    recursively, in name order ("authors" sorts before "works")."""
    files = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files.extend(
                sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in ENTITY_SUFFIXES)
            )
        else:
            files.append(path)
    return files


class Command(BaseCommand):
    help = (
        "Import OpenAlex entities from files: JSON Lines as in the OpenAlex snapshot (one "
        "entity per line, optionally .gz; a directory means its files) or a recorded API list "
        'page {"meta": .., "results": [..]}. Authors and works are told apart by id. Each file '
        "is checked first and imported all or nothing; importing it again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH")
        parser.add_argument(
            "--batch-size",
            type=int,
            default=DEFAULT_BATCH_SIZE,
            help=f"entities per bulk write (default {DEFAULT_BATCH_SIZE})",
        )

    def handle(self, *args, paths, batch_size, verbosity, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        progress = self.stdout.write if verbosity >= 1 else None
        failed = []
        for path in expand(paths):
            try:
                stats = import_snapshot_file(path, batch_size=batch_size, progress=progress)
            except SnapshotError as exc:
                failed.append(f"{exc} (nothing imported from this file)")
            else:
                if verbosity >= 1:
                    self.stdout.write(
                        f"{path}: done: created {stats.created}, updated {stats.updated}, "
                        f"unchanged {stats.unchanged}, skipped {stats.skipped}"
                    )
        graph = after_bulk_import()
        if verbosity >= 1:
            self.stdout.write(
                f"Curation re-applied, versions paired, graph recomputed for "
                f"{graph['researchers']} researchers."
            )
        if failed:
            raise CommandError("\n".join(failed))
