"""``manage.py import_arxiv --researcher ID [--query "..."] [--sync]``."""

from django.core.management.base import BaseCommand, CommandError

from works import runs
from works.management.commands.import_openalex_author import report
from works.models import Researcher


class Command(BaseCommand):
    help = (
        "Import a researcher's arXiv works: an author-name query (by default their display "
        "name), keeping only entries with a compatible author name. Queues a run and prints its "
        "id; --sync runs it here and waits."
    )

    def add_arguments(self, parser):
        parser.add_argument("--researcher", type=int, required=True, help="researcher id (pk)")
        parser.add_argument("--query", default="", help='arXiv search_query, e.g. au:"A Name"')
        parser.add_argument("--sync", action="store_true", help="run in this process and wait")

    def handle(self, researcher, query, sync, **options):
        record = Researcher.objects.filter(pk=researcher).first()
        if record is None:
            raise CommandError(f"No researcher with id {researcher}")
        run = runs.start_arxiv_import(record, query, enqueue=not sync)
        return report(self, run, sync)
