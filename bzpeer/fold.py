"""One folded form of names and titles, for every comparison: search, author-name matching and
the dedupe of titles.

``fold("Søren  KIERKEGAARD")`` is ``"soren kierkegaard"``: lower case, accents removed, Latin
letters that Unicode does not decompose (ø, ł, đ, ð, dotless i, ß, þ, æ, œ, ...) spelled in ASCII by
anyascii, whitespace collapsed to single spaces.

Only Latin letters are transliterated. Search on PostgreSQL folds the stored text in SQL
(``lower(unaccent(...))``, the indexed ``bzpeer_fold`` of ``profiles/migrations/0002_search``),
and unaccent keeps Greek, Cyrillic and CJK text in its own script; a Python fold that turned
"Чайковский" into "chaikovskii" would find nothing there. Marks are still removed from every
script (Greek tonos, Cyrillic io -> ie), as unaccent does. The few Latin letters where anyascii
and unaccent's rules spell differently are mapped here as unaccent maps them, so one query
term means the same on SQLite and PostgreSQL (tests/bzpeer/test_fold.py checks the whole
table against the real function on PostgreSQL).
"""

import re
import unicodedata
from functools import lru_cache

from anyascii import anyascii

# Where anyascii and PostgreSQL's unaccent.rules disagree on a Latin letter, follow unaccent:
# search compares Python-folded query terms with SQL-folded text.
_AS_UNACCENT = {
    "ŋ": "n",
    "Ŋ": "n",
    "ƕ": "hv",
    "Ƣ": "oi",
    "ƣ": "oi",
    # These decompose to a letter and a mark-like non-letter (a middle dot, a modifier
    # apostrophe, a half ring); unaccent keeps the letter.
    "Ŀ": "l",
    "ŀ": "l",
    "ŉ": "'n",
    "ẚ": "a",
}
_NON_WORD = re.compile(r"[\W_]+")


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    if char in _AS_UNACCENT:
        return _AS_UNACCENT[char]
    decomposed = "".join(
        c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)
    )
    out = []
    for c in decomposed:
        if c.isascii() or not c.isalpha() or not unicodedata.name(c, "").startswith("LATIN"):
            out.append(c)
        else:
            # anyascii marks some stroked letters with a dot ("ꝁ" -> "k."); the letter is what
            # a comparison wants.
            out.append(anyascii(c).replace(".", "") or c)
    return "".join(out)


def fold(text: str) -> str:
    """Lower case, no accents, Latin letters in ASCII, whitespace collapsed."""
    if text.isascii():
        return " ".join(text.lower().split())
    return " ".join("".join(_fold_char(c) for c in text).lower().split())


def title_key(title: str | None) -> str:
    """A title as compared for sameness: folded, punctuation dropped ("Élan: a Study!" ==
    "elan  A study")."""
    return " ".join(_NON_WORD.sub(" ", fold(title or "")).split())
