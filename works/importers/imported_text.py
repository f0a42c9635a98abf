"""What free text from a source may be once imported: bounded in length, and without the
directional controls that let a title spoof the text around it.

Every text an importer stores goes through :func:`bounded`. The limits are far above any real
record (the recorded fixtures peak at a 132-character title and a 5,014-character abstract) and
exist so that one hostile record cannot make a multi-megabyte title that every search, page and
feed then has to carry. A text longer than its limit is cut and the cut is noted, naming the
record and the field, for the import to report (:func:`noting_cuts`).
"""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

# Characters, per kind of imported text. Names, venues and institutions match their columns.
LIMITS = {
    "title": 2_000,
    "abstract": 20_000,
    "name": 500,  # author display names, alternative names, names as printed on a work
    "venue": 500,  # journal / repository names, their publisher, arXiv journal references
    "institution": 500,  # institution names and arXiv affiliations
    "topic": 300,  # topic, subfield, field and domain names
    "type": 50,  # work, source and institution types ("article", "repository", "funder")
    "language": 12,
    "issn": 9,
    "date": 40,  # upstream's updated_date, kept as text
}

# Embeddings and overrides (LRE, RLE, PDF, LRO, RLO) and isolates (LRI, RLI, FSI, PDI).
_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
_ISOLATE_OPEN = frozenset("\u2066\u2067\u2068")
_ISOLATE_CLOSE = "\u2069"


def bidi_safe(text: str) -> str:
    """``text`` without directional controls that could reorder what surrounds it.

    Embeddings and overrides (U+202A-U+202E) are always dropped: an override reverses the order
    in which characters are shown even when it is closed (a balanced RLO ... PDF still spoofs),
    Unicode deprecates embeddings in favour of isolates, and the bidi algorithm lays out mixed
    Latin and Arabic or Hebrew titles correctly without them. Isolates (U+2066-U+2069) that are
    paired are kept: they cannot affect anything outside their span and are how a source marks a
    run of the other direction. An isolate without its partner is dropped.
    """
    if not _CONTROLS.search(text):
        return text
    kept: list[str] = []
    open_at: list[int] = []  # positions in ``kept`` of isolates not closed yet
    for char in text:
        if char in _ISOLATE_OPEN:
            open_at.append(len(kept))
            kept.append(char)
        elif char == _ISOLATE_CLOSE:
            if open_at:
                open_at.pop()
                kept.append(char)
        elif not _CONTROLS.match(char):
            kept.append(char)
    for position in reversed(open_at):
        del kept[position]
    return "".join(kept)


@dataclass(frozen=True)
class Cut:
    record: str  # "W2741809807", "item 3", "arXiv 2108.04680"
    field: str
    length: int
    limit: int

    def __str__(self) -> str:
        return f"{self.record} {self.field}: {self.length:,} characters cut to {self.limit:,}"


_cuts: ContextVar[list[Cut] | None] = ContextVar("imported_text_cuts", default=None)
_record: ContextVar[str] = ContextVar("imported_text_record", default="a record")


@contextmanager
def noting_cuts() -> Iterator[list[Cut]]:
    """Collect the cuts made inside the block (in the list it yields)."""
    cuts: list[Cut] = []
    token = _cuts.set(cuts)
    try:
        yield cuts
    finally:
        _cuts.reset(token)


@contextmanager
def reading(record: str) -> Iterator[None]:
    """Name the record the texts bounded inside the block belong to."""
    token = _record.set(record)
    try:
        yield
    finally:
        _record.reset(token)


def bounded(text: str, kind: str, field: str | None = None) -> str:
    """``text`` made safe (:func:`bidi_safe`) and cut to the limit for its ``kind``; a cut is
    noted as made to ``field`` (default: the kind) of the record being read."""
    limit = LIMITS[kind]
    length = len(text)
    # No need to scan megabytes for controls to keep a few thousand characters.
    text = bidi_safe(text[: 2 * limit] if length > 2 * limit else text)
    if len(text) > limit or length > 2 * limit:
        cuts = _cuts.get()
        if cuts is not None:
            cuts.append(Cut(_record.get(), field or kind, length, limit))
        # Cutting may leave an isolate without its partner.
        text = bidi_safe(text[:limit]).rstrip()
    return text


def describe_cuts(cuts: list[Cut], most: int = 20) -> list[str]:
    """One line per cut, at most ``most`` of them and a count of the rest."""
    lines = [f"cut: {cut}" for cut in cuts[:most]]
    if len(cuts) > most:
        lines.append(f"cut: and {len(cuts) - most:,} more texts over their limit")
    return lines
