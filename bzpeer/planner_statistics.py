"""Fresh planner statistics after a bulk load (PostgreSQL).

PostgreSQL plans a query from statistics that autovacuum refreshes only some time after a table
has changed, and never inside the transaction that changed it. Right after a load of thousands of
rows they still describe the tables as they were (often nearly empty), and a join planned on them
can be nested loops over sequential scans: minutes instead of milliseconds. Whoever writes in
bulk (the snapshot import, ``recompute_graph``, the bench builders) calls ``refresh()`` once done.
"""

from django.db import connection


def refresh() -> bool:
    """``ANALYZE`` the database (samples each table, seconds even when large). Returns whether
    anything was done: nothing on SQLite, whose planner keeps no such statistics by default."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return True
