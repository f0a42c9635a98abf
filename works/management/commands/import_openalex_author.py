"""``manage.py import_openalex_author ID [--sync]``: import one OpenAlex author and their works."""

from django.core.management.base import BaseCommand, CommandError

from works import runs
from works.clients.http import PermanentError
from works.models import ImportRun


class Command(BaseCommand):
    help = (
        "Import an OpenAlex author (id, openalex.org URL or ORCID) with all their works. "
        "Queues a run for a worker and prints its id; --sync runs it here and waits."
    )

    def add_arguments(self, parser):
        parser.add_argument("identifier")
        parser.add_argument("--sync", action="store_true", help="run in this process and wait")

    def handle(self, identifier, sync, **options):
        try:
            run = runs.start_openalex_import(identifier, enqueue=not sync)
        except PermanentError as exc:
            raise CommandError(exc.detail) from exc
        return report(self, run, sync)


def report(command: BaseCommand, run: ImportRun, sync: bool) -> str:
    if sync:
        run = runs.execute_run(run.pk, task_id="manage.py") or run
    run.refresh_from_db()
    if not run.is_finished:
        command.stdout.write(
            f"Queued import run {run.pk} ({run.get_source_display()} {run.target})"
        )
        return ""
    # Without REDIS_URL the task ran in-process already, even without --sync.
    command.stdout.write(
        f"Run {run.pk} {run.status}: {run.created} created, {run.updated} updated, "
        f"{run.unchanged} unchanged, {run.skipped} skipped"
    )
    for error in run.errors:
        if error.get("kind") == "TextCut":
            command.stdout.write(error["detail"])
    if run.status != ImportRun.Status.SUCCEEDED:
        detail = run.errors[-1]["detail"] if run.errors else "see the run in the admin"
        raise CommandError(f"Import run {run.pk} {run.status}: {detail}")
    return ""
