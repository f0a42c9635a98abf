"""Shared test set-up: the network is blocked (pytest-socket, see pyproject addopts) except
loopback, where CI runs PostgreSQL and Redis.

Every test also starts with an empty cache, and finds mail queued for the Celery worker sent at
once in its own process (see bzpeer/settings_test.py for when each path is taken)."""

import pytest


def empty_cache() -> None:
    """Empty the default cache. On Redis, only this run's keys (its ``KEY_PREFIX``): Django's
    ``clear()`` there is FLUSHDB, which would also empty another suite sharing the database."""
    from django.core.cache import caches
    from django.core.cache.backends.redis import RedisCache

    cache = caches["default"]
    if not isinstance(cache, RedisCache) or not cache.key_prefix:
        cache.clear()
        return
    client = cache._cache.get_client(None, write=True)
    keys = list(client.scan_iter(match=f"{cache.key_prefix}:*", count=1000))
    if keys:
        client.delete(*keys)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Throttle and sign-in counters left by one test must not count against the next."""
    empty_cache()


@pytest.fixture(autouse=True)
def _mail_worker(monkeypatch):
    """Plays the Celery worker for mail: ``send_email.delay()`` (the worker path, taken with a
    broker) runs the task at once in this process, so ``mail.outbox`` sees the message. Its
    arguments go through the broker's JSON first, so a message a worker could not receive
    fails here too. A failure reaches the caller as on the in-process path; a real worker
    would retry it instead."""
    from kombu.serialization import dumps, loads

    from bzpeer.tasks import send_email

    def run_as_the_worker(*args, **kwargs):
        content_type, encoding, message = dumps([args, kwargs], serializer="json")
        args, kwargs = loads(message, content_type, encoding)
        return send_email.apply(args=args, kwargs=kwargs, throw=True)

    monkeypatch.setattr(send_email, "delay", run_as_the_worker)
