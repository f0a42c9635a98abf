"""Curated import: CSL-JSON items as works of one researcher."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from bzpeer.identifiers import normalise_openalex_id
from works.importers.csl import CslError, import_csl_items, read_csl_file
from works.importers.imported_text import describe_cuts
from works.models import Researcher
from works.runs import after_import


def find_researcher(value: str) -> Researcher:
    """A researcher by primary key or OpenAlex id (merged records resolve to the canonical)."""
    try:
        if value.isdigit():
            researcher = Researcher.objects.get(pk=int(value))
        else:
            researcher = Researcher.objects.get(openalex_id=normalise_openalex_id(value, "A"))
    except (Researcher.DoesNotExist, ValueError) as exc:
        raise CommandError(
            f"no researcher {value!r} (give a primary key or an OpenAlex id)"
        ) from exc
    return Researcher.objects.resolve(researcher.pk) or researcher


class Command(BaseCommand):
    help = (
        "Import a CSL-JSON file as works of one researcher (works the sources missed). "
        "Items match existing works by DOI, arXiv id, or title and year, so running it again "
        "changes nothing. A bad file imports nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE")
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--researcher", metavar="ID", help="primary key or OpenAlex id")
        target.add_argument(
            "--new-researcher",
            metavar="NAME",
            help="create a curated researcher of that name (reused if one exists)",
        )

    def handle(self, *args, file, researcher, new_researcher, verbosity, **options):
        try:
            items = read_csl_file(file)
        except CslError as exc:
            raise CommandError(f"{exc} (nothing imported)") from exc
        with transaction.atomic():
            if new_researcher is not None:
                name = " ".join(new_researcher.split())
                if not name:
                    raise CommandError("--new-researcher needs a name")
                longest = Researcher._meta.get_field("display_name").max_length
                if len(name) > longest:
                    raise CommandError(
                        f"--new-researcher: a name of at most {longest} characters, not "
                        f"{len(name)} (nothing imported)"
                    )
                target, created = Researcher.objects.get_or_create(
                    display_name=name,
                    origin=Researcher.Origin.CURATED,
                    openalex_id=None,
                    merged_into=None,
                    defaults={"verification_level": Researcher.Level.NAME_ONLY},
                )
                if verbosity >= 1:
                    verb = "Created" if created else "Using existing"
                    self.stdout.write(f"{verb} curated researcher #{target.pk} {target}")
            else:
                target = find_researcher(researcher)
            try:
                stats = import_csl_items(items, target)
            except CslError as exc:
                raise CommandError(f"{file}, {exc} (nothing imported)") from exc
        after_import([target.pk])
        if verbosity >= 1:
            self.stdout.write(
                f"{file}: {len(items)} items for #{target.pk} {target}: created {stats.created}, "
                f"updated {stats.updated}, unchanged {stats.unchanged}"
            )
            for line in describe_cuts(stats.cuts):
                self.stdout.write(f"{file}: {line}")
