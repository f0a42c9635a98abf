"""Search reads bounded text only (PostgreSQL): the first 1,000 characters of a title or of a
name and its variants, and 5,000 of an abstract. One hostile record (a title of megabytes) made
every search that matched it fold, re-parse and compare its whole text, in functions PostgreSQL
cannot cancel; no real record is that long.

The full-text document becomes a stored column (``works_work.search_document``, computed by
PostgreSQL when a row is written), so ranking reads it instead of re-parsing title and abstract
for every match. Nothing to do on SQLite, where profiles/search.py bounds the same expressions.
"""

from django.db import migrations

FORWARD = [
    "DROP INDEX IF EXISTS works_work_fulltext",
    "DROP INDEX IF EXISTS works_work_title_trgm",
    "DROP INDEX IF EXISTS profiles_researcher_name_trgm",
    """
    ALTER TABLE works_work ADD COLUMN IF NOT EXISTS search_document tsvector
    GENERATED ALWAYS AS (
        to_tsvector(
            'english'::regconfig,
            bzpeer_fold(substr(title, 1, 1000) || ' ' || substr(abstract, 1, 5000))
        )
    ) STORED
    """,
    """
    CREATE INDEX IF NOT EXISTS profiles_researcher_name_bounded_trgm ON profiles_researcher
    USING gin (
        bzpeer_fold(substr(display_name || ' ' || display_name_alternatives::text, 1, 1000))
        gin_trgm_ops
    )
    """,
    """
    CREATE INDEX IF NOT EXISTS works_work_title_bounded_trgm ON works_work
    USING gin (bzpeer_fold(substr(title, 1, 1000)) gin_trgm_ops)
    """,
    """
    CREATE INDEX IF NOT EXISTS works_work_search_document ON works_work
    USING gin (search_document)
    """,
]

BACKWARD = [
    "DROP INDEX IF EXISTS works_work_search_document",
    "DROP INDEX IF EXISTS works_work_title_bounded_trgm",
    "DROP INDEX IF EXISTS profiles_researcher_name_bounded_trgm",
    "ALTER TABLE works_work DROP COLUMN IF EXISTS search_document",
    """
    CREATE INDEX IF NOT EXISTS profiles_researcher_name_trgm ON profiles_researcher
    USING gin (bzpeer_fold(display_name || ' ' || display_name_alternatives::text) gin_trgm_ops)
    """,
    """
    CREATE INDEX IF NOT EXISTS works_work_title_trgm ON works_work
    USING gin (bzpeer_fold(title) gin_trgm_ops)
    """,
    """
    CREATE INDEX IF NOT EXISTS works_work_fulltext ON works_work
    USING gin (to_tsvector('english'::regconfig, bzpeer_fold(title || ' ' || abstract)))
    """,
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("profiles", "0002_search"),
    ]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
