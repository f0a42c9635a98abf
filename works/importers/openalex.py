"""Map OpenAlex entities (author, work, list page) onto bzpeer's models. CONTRACT STUB:
the importers helper replaces the bodies; the signatures below are what other code calls."""

from dataclasses import dataclass


@dataclass
class ImportStats:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0


def normalise_openalex_id(value: str) -> str:
    """'https://openalex.org/A5017898742' or 'a5017898742' -> 'A5017898742'; ValueError if bad."""
    raise NotImplementedError


def import_author(data: dict):
    """Upsert one OpenAlex author entity; returns the (canonical) Researcher."""
    raise NotImplementedError


def import_works(works: list[dict]) -> ImportStats:
    """Upsert a batch of OpenAlex work entities in one transaction."""
    raise NotImplementedError
