"""Search support on PostgreSQL: pg_trgm and unaccent, the bzpeer_fold() function and the
indexes over the exact expressions profiles/search.py queries. Nothing to do on SQLite, where
profiles/search.py registers bzpeer_fold() in Python on the connection."""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    # unaccent() is only STABLE (its dictionary could change); an index needs an IMMUTABLE
    # function, hence this wrapper with the dictionary named explicitly.
    """
    CREATE OR REPLACE FUNCTION bzpeer_fold(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, $1)) $$
    """,
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

BACKWARD = [
    "DROP INDEX IF EXISTS works_work_fulltext",
    "DROP INDEX IF EXISTS works_work_title_trgm",
    "DROP INDEX IF EXISTS profiles_researcher_name_trgm",
    "DROP FUNCTION IF EXISTS bzpeer_fold(text)",
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
        ("profiles", "0001_initial"),
        ("works", "0001_initial"),
    ]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
