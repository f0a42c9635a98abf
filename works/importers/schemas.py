"""The shapes of the records the importers read, declared as msgspec types.

A record is checked against its shape before anything is mapped: a field of the wrong type
(a list where a title belongs, "2020" for a year, "many" for a count) refuses the record with
msgspec's path to the field (``$.authorships[0].author.id``) instead of being read as empty.

Only the fields the importers read are declared; msgspec skips the rest without building them,
which is why decoding a snapshot line straight into its shape is faster than decoding all of
it. Every field may be absent (``UNSET``) and most may be null, because the real records drift
(works/demo/PROVENANCE.md): a missing key must leave the stored value alone, so
``msgspec.to_builtins`` of a decoded record has exactly the keys the data had, and the mapping
in ``openalex_records.py`` / ``csl.py`` reads that plain dict as before.
"""

from typing import Annotated, TypeVar

import msgspec
from msgspec import UNSET, UnsetType

Text = str | UnsetType | None
Count = int | UnsetType | None
# OpenAlex and Crossref give scores and counts as JSON numbers; msgspec accepts an int for a
# float but never a string.
Number = float | UnsetType | None


class Shape(msgspec.Struct, kw_only=True, omit_defaults=True):
    """Unknown fields are ignored (upstream adds fields every year); known ones are typed."""


S = TypeVar("S", bound=Shape)


class EntityShape(Shape):
    """An OpenAlex entity (or a reference to one): every kind has an id."""

    id: Text = UNSET


# OpenAlex --------------------------------------------------------------------------------------


class Ids(Shape):
    doi: Text = UNSET
    orcid: Text = UNSET


class InstitutionShape(EntityShape):
    display_name: Text = UNSET
    ror: Text = UNSET
    country_code: Text = UNSET
    type: Text = UNSET
    homepage_url: Text = UNSET


class SourceShape(EntityShape):
    display_name: Text = UNSET
    type: Text = UNSET
    issn_l: Text = UNSET
    host_organization_name: Text = UNSET


class TopicNode(Shape):
    id: Text = UNSET
    display_name: Text = UNSET


class TopicShape(EntityShape):
    display_name: Text = UNSET
    score: Number = UNSET
    subfield: TopicNode | UnsetType | None = UNSET
    field: TopicNode | UnsetType | None = UNSET
    domain: TopicNode | UnsetType | None = UNSET


class AuthorRef(Shape):
    id: Text = UNSET
    display_name: Text = UNSET
    orcid: Text = UNSET


class AuthorshipShape(Shape):
    author: AuthorRef | UnsetType | None = UNSET
    author_position: Text = UNSET
    raw_author_name: Text = UNSET
    institutions: list[InstitutionShape] | UnsetType | None = UNSET


class LocationShape(Shape):
    landing_page_url: Text = UNSET
    pdf_url: Text = UNSET
    source: SourceShape | UnsetType | None = UNSET


class OpenAccessShape(Shape):
    oa_status: Text = UNSET
    oa_url: Text = UNSET


class CitationYear(Shape):
    year: Count = UNSET
    cited_by_count: Count = UNSET


class WorkShape(EntityShape):
    doi: Text = UNSET
    ids: Ids | UnsetType | None = UNSET
    title: Text = UNSET
    display_name: Text = UNSET
    abstract_inverted_index: dict[str, list[int]] | UnsetType | None = UNSET
    publication_year: Count = UNSET
    publication_date: Text = UNSET
    type: Text = UNSET
    cited_by_count: Count = UNSET
    counts_by_year: list[CitationYear] | UnsetType | None = UNSET
    is_retracted: bool | UnsetType | None = UNSET
    language: Text = UNSET
    updated_date: Text = UNSET
    primary_location: LocationShape | UnsetType | None = UNSET
    best_oa_location: LocationShape | UnsetType | None = UNSET
    open_access: OpenAccessShape | UnsetType | None = UNSET
    # OpenAlex ids of the works this one cites.
    referenced_works: list[str] | UnsetType | None = UNSET
    locations: list[LocationShape] | UnsetType | None = UNSET
    topics: list[TopicShape] | UnsetType | None = UNSET
    primary_topic: TopicShape | UnsetType | None = UNSET
    authorships: list[AuthorshipShape] | UnsetType | None = UNSET


class SummaryStats(Shape):
    h_index: Count = UNSET


class AffiliationShape(Shape):
    institution: InstitutionShape | UnsetType | None = UNSET
    years: list[int] | UnsetType | None = UNSET


class AuthorShape(EntityShape):
    display_name: Text = UNSET
    display_name_alternatives: list[str] | UnsetType | None = UNSET
    orcid: Text = UNSET
    ids: Ids | UnsetType | None = UNSET
    works_count: Count = UNSET
    cited_by_count: Count = UNSET
    summary_stats: SummaryStats | UnsetType | None = UNSET
    updated_date: Text = UNSET
    # The pre-2023 singular form, and the list that replaced it.
    last_known_institution: InstitutionShape | UnsetType | None = UNSET
    last_known_institutions: list[InstitutionShape] | UnsetType | None = UNSET
    affiliations: list[AffiliationShape] | UnsetType | None = UNSET


# The shape of each OpenAlex entity kind an importer reads (see ``entity_kind``).
OPENALEX_SHAPES: dict[str, type[EntityShape]] = {
    "work": WorkShape,
    "author": AuthorShape,
    "institution": InstitutionShape,
    "source": SourceShape,
    "topic": TopicShape,
}


# CSL-JSON --------------------------------------------------------------------------------------

# Crossref's CSL gives titles and container titles as lists of strings, Zotero as strings.
CslText = str | list[str] | UnsetType | None
# Zotero exports some date parts as strings ("2020"); Crossref gives an unknown date as
# [[null]], which the mapping reads as no date.
DatePart = int | str | None


class CslName(Shape):
    literal: Text = UNSET
    given: Text = UNSET
    family: Text = UNSET
    non_dropping_particle: Text = msgspec.field(default=UNSET, name="non-dropping-particle")


class CslDate(Shape):
    date_parts: list[list[DatePart]] | UnsetType | None = msgspec.field(
        default=UNSET, name="date-parts"
    )
    raw: Text = UNSET
    literal: Text = UNSET


class CslItem(Shape):
    title: CslText = UNSET
    abstract: Text = UNSET
    issued: CslDate | UnsetType | None = UNSET
    DOI: Text = UNSET
    URL: Text = UNSET
    genre: Text = UNSET
    type: Text = UNSET
    container_title: CslText = msgspec.field(default=UNSET, name="container-title")
    language: Text = UNSET
    author: list[CslName] | UnsetType | None = UNSET


# arXiv -----------------------------------------------------------------------------------------

# What the Atom parser must have made of an entry: an arXiv id of either form, text fields.
ARXIV_ID = r"^(\d{4}\.\d{4,5}|[a-z][a-z\-]*(\.[A-Z]{2})?/\d{7})$"
ArxivId = Annotated[str, msgspec.Meta(pattern=ARXIV_ID)]


class ArxivAuthorShape(Shape):
    name: str
    affiliations: list[str] = []


class ArxivEntryShape(Shape):
    arxiv_id: ArxivId
    title: str
    summary: str
    authors: list[ArxivAuthorShape]
    doi: str
    journal_ref: str
    pdf_url: str


# Checking --------------------------------------------------------------------------------------


class ShapeError(ValueError):
    """A record that does not fit its declared shape; the message names the field."""


def checked(data, shape: type[S]) -> S:
    """``data`` (decoded JSON, or a record already of its shape) checked against ``shape``;
    ShapeError, naming the field (``$.authorships[0].author.id``), when one has the wrong type."""
    if isinstance(data, shape):
        return data
    try:
        return msgspec.convert(data, type=shape)
    except msgspec.ValidationError as exc:
        raise ShapeError(str(exc)) from exc


def decoded(line: bytes | str, shape: type[S]) -> S:
    """One JSON document decoded straight into its shape (the fast path for snapshot lines).
    ShapeError for a wrong-typed field; msgspec.DecodeError for text that is not JSON (or is
    nested too deeply)."""
    try:
        return msgspec.json.decode(line, type=shape)
    except msgspec.ValidationError as exc:
        raise ShapeError(str(exc)) from exc
    except RecursionError as exc:
        # msgspec's own depth guard (raised before the stack runs out) in a field it skips.
        raise msgspec.DecodeError("nested too deeply") from exc


def as_dict(record: Shape) -> dict:
    """The record as the plain dict the mapping reads: the fields the data had (absent ones
    left out, so "missing" stays distinct from null), nested shapes as dicts too.

    Not ``msgspec.to_builtins``: that copies every list and dict (an abstract's inverted index
    is thousands of them) and cost more than decoding the line; lists of strings or numbers
    and the inverted index are passed on as they are."""
    return {
        name: _plain(value)
        for name, value in zip(
            record.__struct_encode_fields__, msgspec.structs.astuple(record), strict=True
        )
        if value is not UNSET
    }


def _plain(value):
    if isinstance(value, Shape):
        return as_dict(value)
    if isinstance(value, list) and value and isinstance(value[0], Shape):
        return [as_dict(item) for item in value]
    return value


def checked_arxiv_entry(entry) -> None:
    """ShapeError, naming the field, when the Atom parser made an entry we cannot import."""
    try:
        msgspec.convert(entry, type=ArxivEntryShape, from_attributes=True)
    except msgspec.ValidationError as exc:
        raise ShapeError(f"arXiv entry {getattr(entry, 'arxiv_id', '?')!r}: {exc}") from exc
