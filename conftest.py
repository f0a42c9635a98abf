"""Shared test set-up: the network is blocked (pytest-socket, see pyproject addopts) except
loopback, where CI runs PostgreSQL and Redis."""
