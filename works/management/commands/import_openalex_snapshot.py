"""Import files of OpenAlex entities (snapshot JSON Lines, .gz, or recorded list pages)."""

import os
from contextlib import nullcontext
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from bzpeer import planner_statistics
from works.importers import search_indexes
from works.importers.imported_text import describe_cuts
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
        parser.add_argument("paths", nargs="*", metavar="PATH")
        parser.add_argument(
            "--batch-size",
            type=int,
            default=DEFAULT_BATCH_SIZE,
            help=f"entities per bulk write (default {DEFAULT_BATCH_SIZE})",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=os.cpu_count() or 1,
            help="processes that decode, check and map the lines of a JSON Lines file while "
            "this one writes (default: the number of CPUs); 1 does it all in this process, as "
            "does a file of one batch",
        )
        parser.add_argument(
            "--defer-search-indexes",
            action="store_true",
            help="PostgreSQL: drop the search indexes (trigram, full text) for the load and "
            "build them once after it, also if the load fails. Meant for a first load of a "
            "large snapshot: the rebuild covers every row of the tables, so on a large database "
            "a small import costs more this way. Search is slow until the rebuild is done. "
            "No-op on SQLite.",
        )
        parser.add_argument(
            "--rebuild-search-indexes",
            action="store_true",
            help="recreate any search index that is missing (after an import with "
            "--defer-search-indexes was killed) and exit if no PATH is given",
        )

    def handle(self, *args, paths, batch_size, workers, verbosity, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        if workers < 1:
            raise CommandError("--workers must be at least 1")
        say = self.stdout.write if verbosity >= 1 else None
        if options["rebuild_search_indexes"]:
            created = search_indexes.restore_missing()
            if say:
                say(f"Search indexes recreated: {', '.join(created) or 'none were missing'}.")
            if not paths:
                return
        if not paths:
            raise CommandError("give at least one PATH")
        defer = options["defer_search_indexes"]
        if not defer:
            self._warn_of_missing_search_indexes()
        failed = []
        with search_indexes.deferred(note=say) if defer else nullcontext():
            for path in expand(paths):
                if error := self._import(path, batch_size, workers, say):
                    failed.append(error)
        # The graph recompute and the first pages after a load plan on fresh statistics.
        planner_statistics.refresh()
        graph = after_bulk_import()
        planner_statistics.refresh()
        if verbosity >= 1:
            self.stdout.write(
                f"Curation re-applied, versions paired, graph recomputed for "
                f"{graph['researchers']} researchers."
            )
        if failed:
            raise CommandError("\n".join(failed))

    def _warn_of_missing_search_indexes(self):
        if not search_indexes.supported():
            return
        missing = set(search_indexes.SEARCH_INDEXES) - set(search_indexes.live_definitions())
        if missing:
            self.stderr.write(
                f"Search indexes missing: {', '.join(sorted(missing))}; recreate them with "
                "--rebuild-search-indexes."
            )

    def _import(self, path, batch_size, workers, say) -> str | None:
        """Import one file; the error to report at the end if it was refused."""
        try:
            stats = import_snapshot_file(path, batch_size=batch_size, progress=say, workers=workers)
        except SnapshotError as exc:
            return f"{exc} (nothing imported from this file)"
        if say:
            say(
                f"{path}: done: created {stats.created}, updated {stats.updated}, "
                f"unchanged {stats.unchanged}, skipped {stats.skipped}"
            )
            for line in describe_cuts(stats.cuts):
                say(f"{path}: {line}")
        return None
