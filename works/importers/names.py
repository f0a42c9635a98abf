"""Are two spellings of an author name the same person's name, as far as the string goes?

arXiv has no author ids: an ``au:`` query returns homonyms, so entries are kept only when an
author's name is compatible with one of the researcher's names: same surname (accent- and
case-insensitive, multi-word surnames allowed) and given names that agree where both are given,
an initial matching any name that starts with it ("J. W. Mearman" ~ "Joseph Mearman").
"""

import re

from bzpeer.fold import fold

_SPLIT = re.compile(r"[\s\-\u2010.]+")


def name_tokens(name: str) -> list[str]:
    """``"Del Maestro, Adrian G."`` -> ``["adrian", "g", "del", "maestro"]``."""
    name = name.strip()
    if "," in name:
        surname, _, given = name.partition(",")
        name = f"{given} {surname}"
    tokens: list[str] = []
    for raw in _SPLIT.split(name):
        raw = re.sub(r"[^\w']", "", raw)
        if not raw:
            continue
        # "JW" in "JW Mearman" is two initials.
        if 2 <= len(raw) <= 3 and raw.isupper() and len(tokens) < 3:
            tokens.extend(c.casefold() for c in raw)
            continue
        tokens.append(fold(raw).replace("'", ""))
    return tokens


def _given_compatible(a: list[str], b: list[str]) -> bool:
    if not a or not b:
        return False
    for x, y in zip(a, b, strict=False):
        if x == y:
            continue
        if (len(x) == 1 and y.startswith(x)) or (len(y) == 1 and x.startswith(y)):
            continue
        return False
    return True


def names_compatible(a: str, b: str) -> bool:
    ta, tb = name_tokens(a), name_tokens(b)
    if not ta or not tb or ta[-1] != tb[-1]:
        return False
    # Try every shared surname length (1 word, "del maestro", ...), shortest first.
    shared = 0
    while shared < min(len(ta), len(tb)) and ta[-1 - shared] == tb[-1 - shared]:
        shared += 1
    for surname_len in range(1, shared + 1):
        if len(ta[-surname_len]) == 1:  # a surname never starts with a lone initial
            continue
        if _given_compatible(ta[:-surname_len], tb[:-surname_len]):
            return True
    return False


def researcher_names(researcher) -> list[str]:
    names = [researcher.display_name, *(researcher.display_name_alternatives or [])]
    return [n for n in dict.fromkeys(names) if n and n.strip()]


def matching_author_index(researcher_name_list: list[str], author_names: list[str]) -> int | None:
    """Position of the first author whose name is compatible with one of the researcher's."""
    for index, author in enumerate(author_names):
        if any(names_compatible(author, mine) for mine in researcher_name_list):
            return index
    return None
