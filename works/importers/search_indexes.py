"""Set the search indexes aside during a bulk load (PostgreSQL) and build them again after.

The trigram and full-text GIN indexes that the search migrations create
(``profiles/migrations/0002_search.py``, replaced by the bounded ones of ``0003_bounded_search``)
cost about a third of an import's time when they are kept up to date row by row (``bench/
import_snapshot.py``), and more the larger the tables; building them once after the load is
cheaper. ``STATEMENTS`` below names them and says how to recreate one that is missing, as the
migrations do (a test holds the two together). Just before dropping, the live definitions are read
from ``pg_indexes`` so that the rebuild restores exactly what was there. (The stored full-text
column ``works_work.search_document`` is computed as rows are written whatever this does.)

Nothing can leave the indexes missing for good: the rebuild runs in a ``finally``; if the process
dies anyway (killed, power cut), ``restore_missing()`` (``manage.py import_openalex_snapshot
--rebuild-search-indexes``) recreates whichever are missing, as
does the rebuild of the next deferred import; a plain import warns about missing ones.

On SQLite there are no such indexes, and inside a transaction they cannot be set aside: there
``deferred()`` changes nothing.
"""

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.db import connection

# The search indexes the migrations leave (profiles/migrations/0002_search.py, replaced by the
# bounded ones of 0003_bounded_search), as those migrations create them. A test reads the
# migrations and checks that this list still says the same (tests/works/test_snapshot_indexes.py).
STATEMENTS = {
    "profiles_researcher_name_bounded_trgm": (
        "CREATE INDEX IF NOT EXISTS profiles_researcher_name_bounded_trgm ON profiles_researcher "
        "USING gin ( bzpeer_fold(substr(display_name || ' ' || "
        "display_name_alternatives::text, 1, 1000)) gin_trgm_ops )"
    ),
    "works_work_search_document": (
        "CREATE INDEX IF NOT EXISTS works_work_search_document ON works_work "
        "USING gin (search_document)"
    ),
    "works_work_title_bounded_trgm": (
        "CREATE INDEX IF NOT EXISTS works_work_title_bounded_trgm ON works_work "
        "USING gin (bzpeer_fold(substr(title, 1, 1000)) gin_trgm_ops)"
    ),
}
SEARCH_INDEXES = tuple(STATEMENTS)


def supported() -> bool:
    return connection.vendor == "postgresql"


def live_definitions() -> dict[str, str]:
    """{name: indexdef} of the search indexes that exist now (PostgreSQL), from pg_indexes."""
    if not supported():
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes "
            "WHERE schemaname = current_schema() AND indexname = ANY(%s)",
            [list(SEARCH_INDEXES)],
        )
        return dict(cursor.fetchall())


def _if_not_exists(definition: str) -> str:
    """pg_indexes gives "CREATE INDEX name ON ..."; make recreating it harmless if it exists
    (another import may have rebuilt it first)."""
    return re.sub(
        r"^\s*CREATE\s+INDEX\s+(?!IF\s+NOT\s+EXISTS)",
        "CREATE INDEX IF NOT EXISTS ",
        definition,
        count=1,
        flags=re.IGNORECASE,
    )


def drop() -> dict[str, str]:
    """Drop the search indexes; returns the definitions of those that existed."""
    definitions = live_definitions()
    with connection.cursor() as cursor:
        for name in definitions:
            cursor.execute(f"DROP INDEX IF EXISTS {connection.ops.quote_name(name)}")
    return definitions


def create(definitions: dict[str, str]) -> list[str]:
    """Create each index of ``definitions`` that is missing; returns the names created."""
    if not supported() or not definitions:
        return []
    missing = [name for name in definitions if name not in live_definitions()]
    with connection.cursor() as cursor:
        # A GIN index builds much faster with more sort memory; only for this session.
        cursor.execute("SELECT set_config('maintenance_work_mem', '256MB', false)")
        try:
            for name in missing:
                cursor.execute(_if_not_exists(definitions[name]))
        finally:
            cursor.execute("RESET maintenance_work_mem")
    return missing


def restore_missing() -> list[str]:
    """Recreate, from the migration's statements, every search index that is missing (after an
    import that was killed before it could rebuild them). Returns the names created."""
    return create(STATEMENTS)


@contextmanager
def deferred(note: Callable[[str], None] | None = None) -> Iterator[dict[str, str]]:
    """Drop the search indexes for the duration of the block and rebuild them after it, also
    when it fails. Yields the definitions that were dropped (empty on SQLite)."""
    if not supported():
        if note:
            note("Search indexes: nothing to defer on this database (only PostgreSQL has them).")
        yield {}
        return
    if connection.in_atomic_block:
        # Inside a transaction the drop would hold an exclusive lock on the tables (blocking
        # every read) until the commit, and PostgreSQL refuses to build an index on a table
        # with foreign-key checks still pending: keep the indexes.
        if note:
            note("Search indexes kept: cannot defer them inside a transaction.")
        yield {}
        return
    # An index a killed earlier import left out is built at the end with the others (from the
    # migration's statement), not now only to be dropped again.
    definitions = drop()
    if note:
        note(f"Search indexes dropped for the load: {', '.join(definitions) or 'none'}.")
    try:
        yield definitions
    finally:
        created = create({**STATEMENTS, **definitions})
        if note:
            note(f"Search indexes rebuilt: {', '.join(created) or 'none'}.")
