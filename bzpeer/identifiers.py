"""The external identifiers bzpeer stores, in one place: DOI, ORCID iD, arXiv id, ROR id and
OpenAlex id (and the ids of OpenAlex's topic hierarchy).

Each ``normalise_*`` function takes what people and upstream records write (a bare id, a URL,
a prefix such as ``doi:`` or ``arXiv:``, any case) and returns the canonical form stored in the
database, or ``None`` when the value is not such an id. ``parse_orcid`` and
``normalise_openalex_id`` raise ``ValueError`` with a message fit to show instead, for entry
points that must say why a value is refused. No database access: every layer may import this.
"""

import re
from functools import lru_cache

DOI_RESOLVER = "https://doi.org/"
ORCID_RESOLVER = "https://orcid.org/"
ROR_RESOLVER = "https://ror.org/"
OPENALEX_RESOLVER = "https://openalex.org/"
ARXIV_ABS = "https://arxiv.org/abs/"
ARXIV_PDF = "https://arxiv.org/pdf/"

MAX_DOI_LENGTH = 255  # the column's length; no registered DOI comes near it
MAX_ARXIV_ID_LENGTH = 40

_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.|www\.)?doi\.org/|doi:\s*)", re.IGNORECASE)
_ORCID = re.compile(
    r"^(?:(?:https?://)?(?:www\.|sandbox\.)?orcid\.org/)?(\d{4}-\d{4}-\d{4}-\d{3}[\dX])/?$",
    re.IGNORECASE,
)
_ROR = re.compile(r"^(?:(?:https?://)?(?:www\.)?ror\.org/)?(0[a-z0-9]{6}\d{2})/?$", re.IGNORECASE)
# OpenAlex ids are a kind letter and digits. The letters beyond W/A/I/S/T (C concept, P
# publisher, F funder, K keyword, R ...) are read so that a record naming one is not malformed.
_OPENALEX = re.compile(
    r"^(?:https?://(?:api\.)?openalex\.org/(?:[a-z]+/)?)?([WASITCPFKR]\d+)/?$", re.IGNORECASE
)
OPENALEX_KINDS = {"A": "author", "W": "work", "I": "institution", "S": "source", "T": "topic"}
# New style "2108.04680" (since 2007) and old style "hep-th/9901001" or "math.GT/0309136",
# each with an optional version.
_ARXIV = re.compile(
    r"^(?P<id>\d{4}\.\d{4,5}|(?P<archive>[a-z][a-z\-]*)(?P<cls>\.[a-z]{2})?/\d{7})"
    r"(?:v(?P<version>\d+))?$",
    re.IGNORECASE,
)
_ARXIV_PREFIX = re.compile(
    r"^(?:arxiv:\s*|https?://(?:www\.|export\.)?arxiv\.org/(?:abs|pdf)/)", re.IGNORECASE
)
_ARXIV_DOI = re.compile(r"^10\.48550/arxiv\.(.+)$", re.IGNORECASE)


# DOI -------------------------------------------------------------------------------------------


def normalise_doi(value) -> str | None:
    """'https://doi.org/10.1145/2795233' or 'doi:10.1145/2795233' -> '10.1145/2795233' (bare,
    lower case: DOIs are case-insensitive); None if absent or not a DOI."""
    if not isinstance(value, str):
        return None
    doi = _DOI_PREFIX.sub("", value.strip()).strip().lower()
    if not doi.startswith("10.") or "/" not in doi or len(doi) > MAX_DOI_LENGTH:
        return None
    if any(c.isspace() for c in doi):
        return None
    return doi


def doi_url(doi: str) -> str:
    return f"{DOI_RESOLVER}{doi}"


# ORCID iD --------------------------------------------------------------------------------------


def orcid_check_digit(base_digits: str) -> str:
    """The ISO 7064 MOD 11-2 check character of the first 15 digits of an ORCID iD."""
    total = 0
    for digit in base_digits:
        total = (total + int(digit)) * 2
    result = (12 - total % 11) % 11
    return "X" if result == 10 else str(result)


def parse_orcid(value) -> str:
    """'https://orcid.org/0000-0002-1694-233x' -> '0000-0002-1694-233X'. ValueError, saying
    why, when the value is not shaped like an ORCID iD or its check digit is wrong (a mistyped
    digit would otherwise name someone else, or no one)."""
    match = _ORCID.match(value.strip()) if isinstance(value, str) else None
    if match is None:
        raise ValueError(f"{str(value)[:60]!r} is not an ORCID iD (0000-0000-0000-0000).")
    orcid = match.group(1).upper()
    expected = orcid_check_digit(orcid[:-1].replace("-", ""))
    if orcid[-1] != expected:
        raise ValueError(
            f"{orcid} is not a valid ORCID iD: its last character should be {expected} "
            "(the ISO 7064 check digit). Is a digit mistyped?"
        )
    return orcid


def normalise_orcid(value) -> str | None:
    """The canonical ORCID iD, or None when the value is not a valid one (checksum included)."""
    try:
        return parse_orcid(value)
    except ValueError:
        return None


def looks_like_orcid(value) -> bool:
    """Shaped like an ORCID iD (bare or URL), whether or not its check digit is right."""
    return isinstance(value, str) and _ORCID.match(value.strip()) is not None


def orcid_url(orcid: str) -> str:
    return f"{ORCID_RESOLVER}{orcid}"


# ROR -------------------------------------------------------------------------------------------


def normalise_ror(value) -> str | None:
    """'https://ror.org/006jb1a24' -> '006jb1a24' (bare, lower case); None if not a ROR id."""
    match = _ROR.match(value.strip()) if isinstance(value, str) else None
    return match.group(1).lower() if match else None


def ror_url(ror: str) -> str:
    return f"{ROR_RESOLVER}{ror}"


# OpenAlex --------------------------------------------------------------------------------------


def normalise_openalex_id(value, kind: str | None = None) -> str:
    """'https://openalex.org/A5017898742', 'https://api.openalex.org/works/w1' or 'a5017898742'
    -> 'A5017898742'. ValueError if it is not an OpenAlex id (of the kind letter, if given)."""
    oid = _cached_openalex_id(value) if isinstance(value, str) else None
    if oid is None:
        raise ValueError(f"not an OpenAlex id: {str(value)[:60]!r}")
    if kind and oid[0] != kind:
        raise ValueError(f"{oid} is not an OpenAlex {OPENALEX_KINDS.get(kind, kind)} id")
    return oid


def openalex_id_or_none(value, kind: str | None = None) -> str | None:
    try:
        return normalise_openalex_id(value, kind)
    except ValueError:
        return None


@lru_cache(maxsize=65536)  # authors, institutions and sources recur across a batch
def _cached_openalex_id(value: str) -> str | None:
    match = _OPENALEX.match(value.strip())
    return match.group(1).upper() if match else None


def openalex_kind(openalex_id: str) -> str:
    """The kind of entity a bare OpenAlex id names ('W1' -> 'work'; 'other' beyond the five)."""
    return OPENALEX_KINDS.get(openalex_id[:1].upper(), "other")


def openalex_url(openalex_id: str) -> str:
    return f"{OPENALEX_RESOLVER}{openalex_id}"


TOPIC_LEVELS = ("domain", "field", "subfield", "topic")
# The levels above a topic have no kind letter: OpenAlex names them "fields/17" and so on.
_UPPER_LEVEL_ID = {
    level: re.compile(rf"^(?:https?://openalex\.org/)?({level}s/\d+)/?$", re.IGNORECASE)
    for level in ("domain", "field", "subfield")
}


def topic_level_id(value, level: str) -> str | None:
    """The stored id of a node of OpenAlex's topic hierarchy, bare or as a URL: 'T10888' for a
    topic, 'subfields/1707', 'fields/17', 'domains/3' above it; None when it is not one of
    ``level``."""
    if level == "topic":
        return openalex_id_or_none(value, "T")
    return _cached_upper_level_id(value, level) if isinstance(value, str) else None


def topic_id_any_level(value) -> str | None:
    """The stored id of a topic or of any level above it, whichever ``value`` names."""
    for level in TOPIC_LEVELS:
        if tid := topic_level_id(value, level):
            return tid
    return None


@lru_cache(maxsize=4096)  # a batch names the same few hundred fields again and again
def _cached_upper_level_id(value: str, level: str) -> str | None:
    match = _UPPER_LEVEL_ID[level].match(value.strip())
    return match.group(1).lower() if match else None


# arXiv -----------------------------------------------------------------------------------------


def split_arxiv_id(value) -> tuple[str, int | None] | None:
    """'arXiv:2108.04680v2', 'https://arxiv.org/pdf/hep-th/9901001v1.pdf' -> ('2108.04680', 2),
    ('hep-th/9901001', 1); None if not an arXiv id. The archive of an old-style id is lower
    case and its subject class upper case ('math.GT/0309136'), as arXiv writes them."""
    if not isinstance(value, str):
        return None
    text = _ARXIV_PREFIX.sub("", value.strip())
    text = text.removesuffix("/").removesuffix(".pdf")
    match = _ARXIV.match(text)
    if match is None or len(match.group("id")) > MAX_ARXIV_ID_LENGTH:
        return None
    if match.group("archive"):
        number = match.group("id").rsplit("/", 1)[1]
        subject = (match.group("cls") or "").upper()
        arxiv_id = f"{match.group('archive').lower()}{subject}/{number}"
    else:
        arxiv_id = match.group("id")
    version = match.group("version")
    return arxiv_id, int(version) if version else None


def normalise_arxiv_id(value) -> str | None:
    """The arXiv id without its version ('arXiv:2108.04680v2' -> '2108.04680'); None if not one."""
    parts = split_arxiv_id(value)
    return parts[0] if parts else None


def arxiv_id_from_doi(doi) -> str | None:
    """'10.48550/arxiv.2108.04680' (the DOI arXiv registers for each paper) -> '2108.04680'."""
    match = _ARXIV_DOI.match(doi.strip()) if isinstance(doi, str) else None
    return normalise_arxiv_id(match.group(1)) if match else None


def arxiv_id_from_url(url) -> str | None:
    """'https://arxiv.org/abs/2108.04680v2' -> '2108.04680'; None for any other URL."""
    if not isinstance(url, str) or not _ARXIV_PREFIX.match(url.strip()):
        return None
    if url.strip().lower().startswith("arxiv:"):
        return None
    return normalise_arxiv_id(url)


def arxiv_doi(arxiv_id: str) -> str:
    """The DOI arXiv registers for a paper, in the lower case every stored DOI has."""
    return f"10.48550/arxiv.{arxiv_id}".lower()


def arxiv_abs_url(arxiv_id: str) -> str:
    return f"{ARXIV_ABS}{arxiv_id}"


def arxiv_pdf_url(arxiv_id: str) -> str:
    return f"{ARXIV_PDF}{arxiv_id}"
