"""Curated import of CSL-JSON items as works of one researcher.

Staff use it to add works the sources missed (``manage.py import_csl FILE --researcher ID``).
An item becomes a work with the researcher's authorship plus raw names for the other authors.
Importing the same file again changes nothing: an item matches an existing work by DOI, then by
arXiv id, then by normalised title and year among the researcher's works. A work that came from
a source (it has an OpenAlex id) keeps the source's data; the import only adds the researcher's
authorship to it if missing.

Each item is checked against the CSL shape ``works.importers.schemas`` declares before it is read
(a list where a DOI belongs refuses the file, naming the item and the field), and its texts are
bounded (``works.importers.imported_text``); the cuts are reported with the counts.
"""

import re
from datetime import date
from pathlib import Path

import orjson
from django.db import transaction
from django.db.models import Max

from bzpeer.fold import title_key
from works import matching
from works.importers.imported_text import noting_cuts, reading
from works.importers.openalex import ImportStats
from works.importers.openalex_records import (
    arxiv_id_from_doi,
    arxiv_id_from_url,
    normalise_doi,
    plain_text,
)
from works.importers.schemas import CslItem, ShapeError, as_dict, checked
from works.models import Authorship, Researcher, Work

_YEAR = re.compile(r"\b(1[5-9]\d\d|2\d\d\d)\b")


class CslError(ValueError):
    """A CSL-JSON file or item that cannot be imported."""


def read_csl_file(path) -> list[dict]:
    """The items of a CSL-JSON file (a list of items, or one item), each checked.
    CslError naming the problem (and the item) when the file cannot be imported."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise CslError(f"{path}: no such file") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise CslError(f"{path}: cannot be read as UTF-8 text ({exc})") from exc
    try:
        # orjson refuses JSON nested deeper than 1024 levels with an error, where the json
        # module would raise RecursionError.
        data = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise CslError(f"{path}, line {exc.lineno}: not valid JSON ({exc.msg})") from exc
    items = [data] if isinstance(data, dict) else data
    if not isinstance(items, list) or not items:
        raise CslError(f"{path}: expected a CSL-JSON list of items")
    for index, item in enumerate(items):
        try:
            parse_item(item)
        except CslError as exc:
            raise CslError(f"{path}, item {index + 1}: {exc}") from exc
    return items


def _first(value):
    return value[0] if isinstance(value, list) and value else value


def _issued(item: dict) -> tuple[int | None, date | None]:
    issued = item.get("issued")
    if not isinstance(issued, dict):
        return None, None
    parts = _first(issued.get("date-parts"))
    if isinstance(parts, list) and parts:
        try:
            numbers = [int(p) for p in parts[:3]]
        except (TypeError, ValueError):
            numbers = []
        if numbers and 0 < numbers[0] < 32768:
            when = None
            if len(numbers) == 3:
                try:
                    when = date(*numbers)
                except ValueError:
                    when = None
            return numbers[0], when
    match = _YEAR.search(str(issued.get("raw") or issued.get("literal") or ""))
    return (int(match.group(1)), None) if match else (None, None)


def _author_name(author) -> str:
    if not isinstance(author, dict):
        return ""
    if author.get("literal"):
        return plain_text(author["literal"], "name", "author")
    parts = [author.get("given"), author.get("non-dropping-particle"), author.get("family")]
    return plain_text(" ".join(p for p in parts if isinstance(p, str)), "name", "author")


def parse_item(item, label: str = "an item") -> dict:
    """The work fields and author names of one CSL item; CslError if it does not fit the CSL
    shape (naming the field) or has no title. ``label`` names it in the cuts noted."""
    if not isinstance(item, dict):
        raise CslError("an item must be a JSON object")
    try:
        item = as_dict(checked(item, CslItem))
    except ShapeError as exc:
        raise CslError(str(exc)) from exc
    with reading(label):
        return _parse_item(item)


def _parse_item(item: dict) -> dict:
    title = plain_text(_first(item.get("title")), "title")
    if not title:
        raise CslError("item has no title")
    year, when = _issued(item)
    doi = normalise_doi(item.get("DOI"))
    url = item.get("URL")
    url = url if isinstance(url, str) else ""
    url = url if url.startswith(("http://", "https://")) and len(url) <= 1000 else ""
    return {
        "title": title,
        "abstract": plain_text(item.get("abstract"), "abstract"),
        "publication_year": year,
        "publication_date": when,
        # CSL's own type is coarse ("article"); "genre" says "preprint", "thesis", ...
        "type": plain_text(item.get("genre") or item.get("type"), "type"),
        "venue_name": plain_text(_first(item.get("container-title")), "venue", "container-title"),
        "doi": doi,
        "arxiv_id": arxiv_id_from_doi(doi) or arxiv_id_from_url(url),
        "landing_page_url": url,
        "language": plain_text(item.get("language"), "language"),
        "authors": [_author_name(a) for a in item.get("author") or []],
    }


def _name_key(name: str) -> tuple[str, str]:
    """(surname, first initial) of "Given Family" or "Family, Given", accent-insensitive."""
    if "," in name:
        surname, _, given = name.partition(",")
        name = f"{given} {surname}"
    tokens = title_key(name).split()
    if not tokens:
        return "", ""
    return tokens[-1], tokens[0][0] if len(tokens) > 1 else ""


def _researcher_index(researcher: Researcher, authors: list[str]) -> int | None:
    """Position of the researcher among the item's authors (surname and first initial)."""
    keys = {
        _name_key(n)
        for n in [researcher.display_name, *(researcher.display_name_alternatives or [])]
    }
    for index, name in enumerate(authors):
        surname, initial = _name_key(name)
        if any(surname == s and (not initial or not i or initial == i) for s, i in keys):
            return index
    return None


def _authorships(researcher: Researcher, authors: list[str]) -> list[dict]:
    """The item's authors in order; the researcher's own entry is linked to the record (and
    added last when the item does not name them)."""
    index = _researcher_index(researcher, authors)
    rows = [
        {
            "order": order,
            "researcher_id": researcher.pk if order == index else None,
            "raw_author_name": name,
        }
        for order, name in enumerate(authors)
    ]
    if index is None:
        rows.append(
            {
                "order": len(rows),
                "researcher_id": researcher.pk,
                "raw_author_name": researcher.display_name,
            }
        )
    last = len(rows) - 1
    for row in rows:
        order = row["order"]
        row["position"] = "first" if order == 0 else "last" if order == last else "middle"
    return rows


def import_csl_items(items: list[dict], researcher: Researcher) -> ImportStats:
    """Import CSL-JSON items as works of ``researcher`` in one transaction. Items are checked
    first (CslError, nothing written). A second run with the same items changes nothing.
    Texts over their limit are cut, and the cuts listed in the stats ("item 3 title: ...")."""
    parsed = []
    with noting_cuts() as cuts:
        for index, item in enumerate(items):
            try:
                parsed.append(parse_item(item, f"item {index + 1}"))
            except CslError as exc:
                raise CslError(f"item {index + 1}: {exc}") from exc
    stats = ImportStats(cuts=cuts)
    with transaction.atomic():
        dois = [p["doi"] for p in parsed if p["doi"]]
        arxiv_ids = [p["arxiv_id"] for p in parsed if p["arxiv_id"]]
        by_doi = {w.doi: w for w in Work.objects.filter(doi__in=dois)}
        by_arxiv = {w.arxiv_id: w for w in Work.objects.filter(arxiv_id__in=arxiv_ids)}
        mine = Work.objects.filter(authorships__researcher=researcher).distinct()
        by_title = {(title_key(w.title), w.publication_year): w for w in mine}
        for fields in parsed:
            work = (
                by_doi.get(fields["doi"])
                or by_arxiv.get(fields["arxiv_id"])
                or by_title.get((title_key(fields["title"]), fields["publication_year"]))
            )
            outcome, work = _import_item(fields, researcher, work)
            setattr(stats, outcome, getattr(stats, outcome) + 1)
            by_title[(title_key(work.title), work.publication_year)] = work
            if work.doi:
                by_doi[work.doi] = work
            if work.arxiv_id:
                by_arxiv[work.arxiv_id] = work
    return stats


def _import_item(fields: dict, researcher: Researcher, work: Work | None) -> tuple[str, Work]:
    """Create or update one work; returns ('created' | 'updated' | 'unchanged', work)."""
    fields = dict(fields)
    authors = _authorships(researcher, fields.pop("authors"))
    # What the item says is curation: a later import of the same work keeps it.
    curated = matching.curated_names(fields)
    if work is None:
        fields = {k: v for k, v in fields.items() if v is not None}
        work = Work.objects.create(**fields, curated_fields=curated)
        Authorship.objects.bulk_create(Authorship(work=work, **row) for row in authors)
        return "created", work
    if work.openalex_id:
        # A source's record: keep its data, only make sure the researcher is on it.
        if work.authorships.filter(researcher=researcher).exists():
            return "unchanged", work
        next_order = (work.authorships.aggregate(m=Max("order"))["m"] or 0) + 1
        Authorship.objects.create(
            work=work,
            researcher=researcher,
            order=next_order,
            position=Authorship.Position.MIDDLE,
            raw_author_name=researcher.display_name,
        )
        return "updated", work
    changed = []
    for name, value in fields.items():
        if value is None and name in ("doi", "arxiv_id"):
            continue  # identifiers are added, never removed
        if getattr(work, name) != value:
            setattr(work, name, value)
            changed.append(name)
    if not set(curated) <= set(work.curated_fields):
        work.curated_fields = list(dict.fromkeys([*work.curated_fields, *curated]))
        changed.append("curated_fields")
    current = list(work.authorships.values("order", "researcher_id", "raw_author_name", "position"))
    authors_changed = sorted(current, key=lambda r: r["order"]) != authors
    if authors_changed:
        work.authorships.all().delete()
        Authorship.objects.bulk_create(Authorship(work=work, **row) for row in authors)
    if changed:
        work.save(update_fields=[*changed, "updated_at"])
    elif authors_changed:
        work.save(update_fields=["updated_at"])
    return ("updated" if changed or authors_changed else "unchanged"), work
