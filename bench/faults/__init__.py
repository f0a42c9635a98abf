"""`make faults`: bzpeer's processes on a private PostgreSQL and Redis, broken on purpose."""
