"""Read OpenAlex entity dicts into plain records (no database access).

The real records drift between years and carry quirks (see works/demo/PROVENANCE.md): keys
go missing, ``doi``, ``primary_location.source`` and ``abstract_inverted_index`` are null, titles
carry inline HTML, names are Unicode. A record here only carries the fields whose keys the data
has, so a missing key leaves the stored value alone instead of blanking it. A malformed entity
(no id, or an id that is not an OpenAlex id of the expected kind) raises ValueError.
"""

import html
import logging
import re
from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone

from bzpeer.identifiers import (
    TOPIC_LEVELS,
    arxiv_id_from_doi,
    arxiv_id_from_url,
    looks_like_orcid,
    normalise_doi,
    normalise_openalex_id,
    normalise_ror,
    openalex_id_or_none,
    openalex_kind,
    parse_orcid,
    topic_level_id,
)
from bzpeer.identifiers import (
    normalise_orcid as normalise_orcid,  # re-exported by works.importers.openalex
)
from works.importers.imported_text import bounded, reading

logger = logging.getLogger(__name__)

# Inline markup OpenAlex leaves in titles and abstracts ("A short history of<i>SHELX</i>").
_MARKUP = re.compile(
    r"</?(?:i|b|em|strong|sub|sup|scp|u|p|br|span|div|sc|mml:[a-z]+|jats:[a-z\-]+)\b[^<>]*/?>",
    re.IGNORECASE,
)
_GLUED_OPEN = re.compile(r"(\w)<(?=(?:i|b|em|strong)>)", re.IGNORECASE)
_GLUED_CLOSE = re.compile(r"(?<=</(?:i|b)>|/em>)(\w)", re.IGNORECASE)
_POSITIONS = {"first", "middle", "last"}
_MAX_INT = 2_147_483_647
# Positions beyond this are corrupt data, not an abstract (and would allocate without bound).
_MAX_ABSTRACT_WORDS = 100_000
# Far above any real reference list (a long review cites a few thousand works).
_MAX_REFERENCES = 10_000
# The open-access statuses OpenAlex gives; anything else is stored as unknown ("").
_OA_STATUSES = {"gold", "diamond", "green", "hybrid", "bronze", "closed"}


# Identifiers -----------------------------------------------------------------------------------


def kind_of_id(openalex_id: str) -> str:
    """The kind of entity a bare OpenAlex id names ('W1' -> 'work')."""
    return openalex_kind(openalex_id)


def entity_kind(data: dict) -> str:
    """'author', 'work', 'institution', 'source', 'topic' (or 'other') from the entity's id.
    ValueError when the entity is not a dict or has no valid id."""
    return kind_of_id(entity_id(data))


def checked_orcid(value, where: str) -> str | None:
    """The author's ORCID iD, or None. An iD whose check digit is wrong is dropped with a
    warning rather than stored: it names someone else or no one, and an ORCID sign-in claim
    trusts the stored iD."""
    if not value:
        return None
    try:
        return parse_orcid(value)
    except ValueError as error:
        if looks_like_orcid(value):
            logger.warning("OpenAlex %s: ORCID dropped: %s", where, error)
        return None


def entity_id(data, kind: str | None = None) -> str:
    """The bare OpenAlex id of an entity (of the given kind letter); ValueError if bad."""
    if not isinstance(data, dict):
        raise ValueError(f"an OpenAlex entity must be a JSON object, not {type(data).__name__}")
    raw = data.get("id")
    if not raw:
        raise ValueError("OpenAlex entity has no id")
    return normalise_openalex_id(raw, kind)


# Values ----------------------------------------------------------------------------------------


def plain_text(value, kind: str, field: str | None = None) -> str:
    """Text as stored: inline markup and entities removed, whitespace collapsed, NUL (which
    PostgreSQL rejects) dropped, then bounded for its ``kind`` of text (see
    ``imported_text.LIMITS``; a cut is noted as made to ``field``). "" for a non-string."""
    if not isinstance(value, str):
        return ""
    text = value
    if "<" in text:
        # OpenAlex drops the space around italics: "A short history of<i>SHELX</i>".
        text = _GLUED_OPEN.sub(r"\1 <", text)
        text = _GLUED_CLOSE.sub(r" \1", text)
        text = _MARKUP.sub("", text)
    if "&" in text:
        text = html.unescape(text)
    text = " ".join(text.replace("\x00", "").split())
    return bounded(text, kind, field)


def abstract_from_inverted_index(index) -> str:
    """Rebuild the abstract from OpenAlex's ``{"word": [positions]}`` as plain text."""
    if not isinstance(index, dict) or not index:
        return ""
    placed = [
        (position, word)
        for word, positions in index.items()
        if isinstance(positions, list)
        for position in positions
        if isinstance(position, int) and 0 <= position < _MAX_ABSTRACT_WORDS
    ]
    if not placed:
        return ""
    words = [""] * (max(p for p, _ in placed) + 1)
    for position, word in placed:
        words[position] = word
    return plain_text(" ".join(words), "abstract")


def _count(value) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return min(max(value, 0), _MAX_INT)


def _year(value) -> int | None:
    return value if isinstance(value, int) and 0 < value < 32768 else None


def _date(value) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if isinstance(value, str) else None
    except ValueError:
        return None


def _url(value, max_length: int = 1000) -> str:
    """An http(s) URL that fits the column, else "" (a clipped URL would be a broken link)."""
    if isinstance(value, str) and value.startswith(("http://", "https://")):
        return value if len(value) <= max_length else ""
    return ""


def _counts_by_year(value) -> list[dict]:
    """OpenAlex's citations per year, newest year first, one entry per year; an entry without
    a valid year or count is dropped."""
    counts: dict[int, int] = {}
    for entry in value if isinstance(value, list) else []:
        if not isinstance(entry, dict):
            continue
        year, count = _year(entry.get("year")), _count(entry.get("cited_by_count"))
        if year is not None and count is not None:
            counts.setdefault(year, count)
    return [{"year": y, "cited_by_count": c} for y, c in sorted(counts.items(), reverse=True)]


def _dict(value) -> dict:
    return value if isinstance(value, dict) else {}


def _put(fields: dict, data: dict, key: str, name: str, convert) -> None:
    """fields[name] = convert(data[key]) when the data has that key."""
    if key in data:
        fields[name] = convert(data[key])


# Institutions, sources, topics -----------------------------------------------------------------


def parse_institution(data) -> tuple[str, dict] | None:
    """(openalex_id, fields) of an institution dict, or None without a valid id."""
    if not isinstance(data, dict):
        return None
    try:
        oid = normalise_openalex_id(data.get("id") or "")
    except ValueError:
        return None
    with reading(oid):
        fields = {
            "display_name": plain_text(data.get("display_name"), "institution", "display_name")
            or oid
        }
        _put(fields, data, "type", "type", lambda v: plain_text(v, "type"))
    if ror := normalise_ror(data.get("ror")):
        fields["ror"] = ror  # identifiers are added, never blanked
    _put(fields, data, "country_code", "country_code", lambda v: (v or "")[:2].upper())
    # The type is kept verbatim: OpenAlex types many universities "funder".
    _put(fields, data, "homepage_url", "homepage_url", lambda v: _url(v, 500))
    return oid, fields


def parse_source(data) -> tuple[str, dict] | None:
    if not isinstance(data, dict):
        return None
    try:
        oid = normalise_openalex_id(data.get("id") or "")
    except ValueError:
        return None
    with reading(oid):
        fields = {
            "display_name": plain_text(data.get("display_name"), "venue", "display_name") or oid
        }
        _put(fields, data, "type", "type", lambda v: plain_text(v, "type"))
        _put(fields, data, "issn_l", "issn_l", lambda v: plain_text(v, "issn"))  # "1234-5678"
        _put(fields, data, "host_organization_name", "host_organization_name",
             lambda v: plain_text(v, "venue", "host_organization_name"))  # fmt: skip
    return oid, fields


# Hierarchies already read: a batch names the same few thousand topics over and over.
_HIERARCHIES: dict[tuple, dict] = {}
_MAX_HIERARCHIES = 20_000


def parse_topic(data) -> tuple[str | None, float | None, dict]:
    """A work's topic entry -> (topic id, score, {id: node fields}) for the whole hierarchy.
    The node dicts may be shared between calls: read them, do not change them."""
    if not isinstance(data, dict):
        return None, None, {}
    score = data.get("score")
    score = float(score) if isinstance(score, int | float) and not isinstance(score, bool) else None
    key = tuple(
        (node.get("id"), node.get("display_name")) if isinstance(node, dict) else None
        for node in (data, *(data.get(level) for level in TOPIC_LEVELS[:3]))
    )
    cacheable = True
    try:
        nodes = _HIERARCHIES.get(key)
    except TypeError:  # an unhashable value where a string belongs
        cacheable, nodes = False, None
    if nodes is None:
        nodes = _topic_hierarchy(data)
        if cacheable:
            if len(_HIERARCHIES) >= _MAX_HIERARCHIES:
                _HIERARCHIES.clear()
            _HIERARCHIES[key] = nodes
    return topic_level_id(data.get("id"), "topic"), score, nodes


def _topic_hierarchy(data: dict) -> dict[str, dict]:
    nodes: dict[str, dict] = {}
    parent = None
    for level in TOPIC_LEVELS:
        node = data if level == "topic" else data.get(level)
        if not isinstance(node, dict):
            continue
        tid = topic_level_id(node.get("id"), level)
        if tid is None:
            continue
        with reading(tid):
            name = plain_text(node.get("display_name"), "topic", "display_name") or tid
        nodes[tid] = {"display_name": name, "level": level, "parent": parent}
        parent = tid
    return nodes


# Authors ---------------------------------------------------------------------------------------


@dataclass
class AuthorRecord:
    openalex_id: str
    display_name: str
    orcid: str | None = None
    fields: dict = field(default_factory=dict)
    # The institution's OpenAlex id, None for "none", or ... when the data does not say.
    last_known: object = ...
    institutions: dict = field(default_factory=dict)
    # {institution OpenAlex id: [years, newest first]}; None when the data has no such key.
    affiliations: dict | None = None

    def researcher_fields(self, institution_pks: dict) -> dict:
        fields = dict(self.fields)
        if self.last_known is not ...:
            fields["last_known_institution_id"] = institution_pks.get(self.last_known)
        return fields


def parse_author(data) -> AuthorRecord:
    """Read an OpenAlex author entity. ValueError if it has no valid author id."""
    oid = entity_id(data, "A")
    with reading(oid):
        return _parse_author(oid, data)


def _parse_author(oid: str, data: dict) -> AuthorRecord:
    ids = _dict(data.get("ids"))
    name = plain_text(data.get("display_name"), "name", "display_name") or oid
    record = AuthorRecord(
        openalex_id=oid,
        display_name=name,
        orcid=checked_orcid(data.get("orcid") or ids.get("orcid"), f"author {oid}"),
    )
    fields = record.fields
    fields["display_name"] = name
    _put(fields, data, "display_name_alternatives", "display_name_alternatives",
         lambda v: [t for t in (plain_text(x, "name", "display_name_alternatives")
                                for x in v or []) if t])  # fmt: skip
    _put(fields, data, "works_count", "source_works_count", _count)
    _put(fields, data, "cited_by_count", "source_cited_by_count", _count)
    if isinstance(data.get("summary_stats"), dict):
        fields["h_index"] = _count(data["summary_stats"].get("h_index"))
    _put(fields, data, "updated_date", "source_updated", lambda v: plain_text(v, "date"))

    # "last_known_institutions" (a list) replaced "last_known_institution" in 2023.
    if "last_known_institutions" in data or "last_known_institution" in data:
        candidates = data.get("last_known_institutions") or [data.get("last_known_institution")]
        parsed = parse_institution(candidates[0] if candidates else None)
        record.last_known = parsed[0] if parsed else None
        if parsed:
            record.institutions[parsed[0]] = parsed[1]
    if "affiliations" in data:
        record.affiliations = {}
        for affiliation in data.get("affiliations") or []:
            if not isinstance(affiliation, dict):
                continue
            parsed = parse_institution(affiliation.get("institution"))
            if not parsed:
                continue
            record.institutions.setdefault(parsed[0], parsed[1])
            years = {y for y in affiliation.get("years") or [] if _year(y)}
            record.affiliations[parsed[0]] = sorted(years, reverse=True)
    return record


# Works -----------------------------------------------------------------------------------------


@dataclass
class AuthorshipRecord:
    order: int
    author: AuthorRecord | None
    position: str
    raw_author_name: str
    institutions: list[str]


@dataclass
class WorkRecord:
    openalex_id: str
    doi: str | None = None
    arxiv_id: str | None = None
    # True when the work's own DOI is the arXiv DOI (the strongest claim on that arXiv id).
    arxiv_from_doi: bool = False
    fields: dict = field(default_factory=dict)
    # (OpenAlex id, fields) of the primary location's source; None when it has none.
    source: tuple | None = None
    source_known: bool = False
    institutions: dict = field(default_factory=dict)
    topic_nodes: dict = field(default_factory=dict)
    # {topic id: score}; None when the data has neither "topics" nor "primary_topic".
    topic_scores: dict | None = None
    # None when the data has no "authorships" key.
    authorships: list[AuthorshipRecord] | None = None
    # OpenAlex ids of the works it cites; None when the data has no "referenced_works" key.
    references: list[str] | None = None

    def work_fields(self, source_pks: dict) -> dict:
        fields = {"openalex_id": self.openalex_id, **self.fields}
        if self.doi:
            fields["doi"] = self.doi
        if self.arxiv_id:
            fields["arxiv_id"] = self.arxiv_id
        if self.source_known:
            fields["source_id"] = source_pks.get(self.source[0]) if self.source else None
        return fields


def parse_work(data) -> WorkRecord:
    """Read an OpenAlex work entity. ValueError if it has no valid work id."""
    oid = entity_id(data, "W")
    with reading(oid):
        return _parse_work(oid, data)


def _parse_work(oid: str, data: dict) -> WorkRecord:
    ids = _dict(data.get("ids"))
    record = WorkRecord(openalex_id=oid, doi=normalise_doi(data.get("doi") or ids.get("doi")))
    fields = record.fields
    fields["title"] = plain_text(data.get("title") or data.get("display_name"), "title")
    _put(fields, data, "abstract_inverted_index", "abstract", abstract_from_inverted_index)
    _put(fields, data, "publication_year", "publication_year", _year)
    _put(fields, data, "publication_date", "publication_date", _date)
    _put(fields, data, "type", "type", lambda v: plain_text(v, "type"))
    _put(fields, data, "cited_by_count", "cited_by_count", lambda v: _count(v) or 0)
    if "cited_by_count" in data:
        # The count is as of the record's last update; without one, as of this import.
        read_on = _date(data.get("updated_date")) or timezone.localdate()
        fields["cited_by_read_on"] = read_on
    _put(fields, data, "counts_by_year", "counts_by_year", _counts_by_year)
    _put(fields, data, "is_retracted", "is_retracted", lambda v: v is True)
    _put(fields, data, "language", "language", lambda v: plain_text(v, "language"))
    _put(fields, data, "updated_date", "source_updated", lambda v: plain_text(v, "date"))
    _read_locations(record, data)

    record.arxiv_id = arxiv_id_from_doi(record.doi)

    record.arxiv_from_doi = record.arxiv_id is not None
    if record.arxiv_id is None:
        record.arxiv_id = _arxiv_id_from_locations(data)

    if "topics" in data or "primary_topic" in data:
        record.topic_scores = {}
        entries = list(data.get("topics") or [])
        if isinstance(data.get("primary_topic"), dict):
            entries.append(data["primary_topic"])
        for entry in entries:
            topic_id, score, nodes = parse_topic(entry)
            record.topic_nodes.update(nodes)
            if topic_id and topic_id not in record.topic_scores:
                record.topic_scores[topic_id] = score

    if "authorships" in data:
        record.authorships = []
        for order, authorship in enumerate(data.get("authorships") or []):
            if isinstance(authorship, dict):
                record.authorships.append(_parse_authorship(order, authorship, record))
    if "referenced_works" in data:
        record.references = _references(data.get("referenced_works"))
    return record


def _read_locations(record: WorkRecord, data: dict) -> None:
    """The links to the work: its landing page and PDF (the primary location's, the PDF else the
    best open-access copy's), the best open-access copy and its status. Only http(s) URLs."""
    fields = record.fields
    primary, best = _dict(data.get("primary_location")), _dict(data.get("best_oa_location"))
    open_access = _dict(data.get("open_access"))
    if "primary_location" in data:
        fields["landing_page_url"] = _url(primary.get("landing_page_url"))
        fields["pdf_url"] = _url(primary.get("pdf_url")) or _url(best.get("pdf_url"))
        record.source_known = True
        record.source = parse_source(primary.get("source"))
    if "open_access" in data:
        status = open_access.get("oa_status")
        fields["oa_status"] = status if status in _OA_STATUSES else ""
    if "best_oa_location" in data or "open_access" in data:
        fields["oa_url"] = (
            _url(best.get("landing_page_url"))
            or _url(best.get("pdf_url"))
            or _url(open_access.get("oa_url"))
        )


def _references(value) -> list[str]:
    """The OpenAlex work ids a work cites, each once, in the order given (malformed ones
    dropped; a list beyond ``_MAX_REFERENCES`` is corrupt data and cut there)."""
    ids = (openalex_id_or_none(v, "W") for v in (value if isinstance(value, list) else []))
    return list(dict.fromkeys(oid for oid in ids if oid))[:_MAX_REFERENCES]


def _arxiv_id_from_locations(data: dict) -> str | None:
    """The arXiv id of the first location (primary first) whose landing page is on arXiv."""
    for location in [data.get("primary_location"), *(data.get("locations") or [])]:
        if isinstance(location, dict) and (
            arxiv_id := arxiv_id_from_url(location.get("landing_page_url"))
        ):
            return arxiv_id
    return None


def _parse_authorship(order: int, data: dict, work: WorkRecord) -> AuthorshipRecord:
    author_data = _dict(data.get("author"))
    author = None
    name = plain_text(author_data.get("display_name"), "name", f"authorships[{order}] name")
    try:
        author_id = normalise_openalex_id(author_data.get("id") or "")
    except ValueError:
        author_id = None  # an author OpenAlex has no record for: the raw name is kept
    if author_id and author_id.startswith("A"):
        author = AuthorRecord(
            openalex_id=author_id,
            display_name=name or author_id,
            orcid=checked_orcid(author_data.get("orcid"), f"author {author_id}"),
        )
    institutions = []
    for institution in data.get("institutions") or []:
        parsed = parse_institution(institution)
        if parsed:
            work.institutions.setdefault(parsed[0], parsed[1])
            institutions.append(parsed[0])
    position = data.get("author_position")
    return AuthorshipRecord(
        order=order,
        author=author,
        position=position if position in _POSITIONS else "",
        # The name as printed on the work; it often differs from the author's display name.
        raw_author_name=plain_text(
            data.get("raw_author_name"), "name", f"authorships[{order}] raw_author_name"
        )
        or name,
        institutions=institutions,
    )
