"""Server time of the researcher profile page, next to a trivial view returning the same bytes.

    .venv/bin/python bench/profile_page.py [--works 1000] [--coauthors 2000] [--repeat 50]

Builds a researcher with 1,000 works and 2,000 co-authors (each work has the researcher and
eight co-authors, topics, a venue and a realistic abstract), then times the profile page
through Django's full request stack (middleware, view, queries, template) with the test
Client, after a warm-up, twice: rendered on every request, and as served to a signed-out visitor
(from the page cache, bzpeer/page_cache.py). The baseline is a view that returns the very same
bytes through the same stack, so the ratio is what the page's own work costs. Medians, not means.

By default everything happens in a throwaway SQLite file in a temporary directory. With
DATABASE_URL set (e.g. the Postgres of `docker compose`), that database is migrated and used;
the rows the bench creates are deleted again at the end.
"""

import argparse
import os
import secrets
import statistics
import sys
import tempfile
import time
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def configure(tmpdir: str) -> None:
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{tmpdir}/bench.sqlite3")
    # Production-like: no debug cursor or template debug info; the test settings for plain
    # static storage (no collectstatic needed) and, without REDIS_URL, an in-process cache.
    os.environ["DJANGO_SETTINGS_MODULE"] = "bzpeer.settings_test"
    os.environ["DJANGO_DEBUG"] = "false"
    os.environ.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(64))
    os.environ["ALLOWED_HOSTS"] = "localhost"
    os.environ.pop("REDIS_URL", None)

    import django

    django.setup()


def build(n_works: int, n_coauthors: int):
    from works.models import Authorship, Institution, Researcher, Source, Topic, Work, WorkTopic

    tag = secrets.token_hex(4)
    institution = Institution.objects.create(display_name=f"Bench University {tag}")
    researcher = Researcher.objects.create(
        display_name=f"Bench Researcher {tag}",
        last_known_institution=institution,
        trust_score=42,
        verification_level=1,
    )
    coauthors = Researcher.objects.bulk_create(
        Researcher(display_name=f"Co-author {i} {tag}") for i in range(n_coauthors)
    )
    sources = Source.objects.bulk_create(
        Source(display_name=f"Journal of Benchmarks {i} {tag}") for i in range(20)
    )
    topics = Topic.objects.bulk_create(
        Topic(openalex_id=f"TB{tag}{i}", display_name=f"Topic {i}", level=Topic.Level.TOPIC)
        for i in range(30)
    )
    abstract = (
        "We measure how a page that lists a thousand works behaves when every work names "
        "several co-authors, carries topics and a venue, and has an abstract of ordinary "
        "length, so that the numbers reflect the shape of real scholarly records. "
    ) * 4
    works = Work.objects.bulk_create(
        Work(
            title=f"Benchmark study {i} {tag}",
            abstract=abstract if i % 3 else "A short abstract.",
            publication_year=1990 + i % 36,
            type="article" if i % 4 else "preprint",
            source=sources[i % len(sources)],
            doi=f"10.9999/bench.{tag}.{i}",
        )
        for i in range(n_works)
    )
    authorships = []
    per_work = 8
    for i, work in enumerate(works):
        authorships.append(Authorship(work=work, researcher=researcher, order=0))
        for k in range(1, per_work + 1):
            co = coauthors[(i * per_work + k) % n_coauthors]
            authorships.append(
                Authorship(work=work, researcher=co, order=k, raw_author_name=co.display_name)
            )
    Authorship.objects.bulk_create(authorships, batch_size=2000)
    WorkTopic.objects.bulk_create(
        (
            WorkTopic(work=w, topic=topics[(i + j) % len(topics)])
            for i, w in enumerate(works)
            for j in range(3)
        ),
        batch_size=2000,
    )
    return researcher, [institution], [researcher, *coauthors], sources, topics, works


def cleanup(institutions, researchers, sources, topics, works) -> None:
    from works.models import Institution, Researcher, Source, Topic, Work

    Work.objects.filter(pk__in=[w.pk for w in works]).delete()
    Researcher.objects.filter(pk__in=[r.pk for r in researchers]).delete()
    Source.objects.filter(pk__in=[s.pk for s in sources]).delete()
    Topic.objects.filter(pk__in=[t.pk for t in topics]).delete()
    Institution.objects.filter(pk__in=[i.pk for i in institutions]).delete()


def median_ms(client, url: str, repeat: int, warmup: int) -> float:
    for _ in range(warmup):
        assert client.get(url, secure=True).status_code == 200
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(url, secure=True)
        samples.append(time.perf_counter() - start)
        assert response.status_code == 200
    return statistics.median(samples) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--works", type=int, default=1000)
    parser.add_argument("--coauthors", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=5)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bzpeer-bench-") as tmpdir:
        configure(tmpdir)

        from django.conf import settings
        from django.core.management import call_command
        from django.db import connection
        from django.http import HttpResponse
        from django.test import Client
        from django.test.utils import CaptureQueriesContext
        from django.urls import clear_url_caches, path

        call_command("migrate", verbosity=0, interactive=False)
        print(f"database: {connection.vendor} ({settings.DATABASES['default']['NAME']})")
        started = time.perf_counter()
        researcher, institutions, researchers, sources, topics, works = build(
            args.works, args.coauthors
        )
        if connection.vendor == "postgresql":
            # Fresh bulk inserts have no planner statistics yet; production tables do.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        print(
            f"built {args.works} works, {args.coauthors} co-authors "
            f"in {time.perf_counter() - started:.1f} s"
        )
        try:
            client = Client(HTTP_HOST="localhost")
            url = researcher.get_absolute_url()
            with CaptureQueriesContext(connection) as queries:
                page = client.get(url, secure=True)
            assert page.status_code == 200, page.status_code
            # Read now: later requests reset the connection's query log.
            n_queries = len(queries.captured_queries)
            body = page.content
            content_type = page["Content-Type"]

            def same_bytes(request):
                return HttpResponse(body, content_type=content_type)

            # The baseline view goes through the same URL resolver and middleware.
            urls = types.ModuleType("bench_profile_urls")
            urls.urlpatterns = [path("__bench__/same-bytes/", same_bytes)]
            urls.urlpatterns += __import__(settings.ROOT_URLCONF, fromlist=["x"]).urlpatterns
            sys.modules[urls.__name__] = urls
            settings.ROOT_URLCONF = urls.__name__
            clear_url_caches()

            trivial = median_ms(client, "/__bench__/same-bytes/", args.repeat, args.warmup)
            # Rendered on every request (the page cache off), then as served: a signed-out
            # visitor's page from the page cache (bzpeer/page_cache.py), which any write to the
            # data makes stale at once. The baseline is timed between, and once more after.
            rendered = median_ms(client, url, args.repeat, args.warmup)
            settings.BZPEER_PAGE_CACHE = True
            profile = median_ms(client, url, args.repeat, args.warmup)
            trivial = min(
                trivial, median_ms(client, "/__bench__/same-bytes/", args.repeat, args.warmup)
            )
        finally:
            cleanup(institutions, researchers, sources, topics, works)

    report(len(body), n_queries, rendered, profile, trivial, args.repeat)
    return 0


def report(size: int, n_queries: int, rendered: float, served: float, trivial: float, n: int):
    print(f"page: {size:,} bytes, {n_queries} SQL queries")
    print(f"profile page median, rendered: {rendered:8.2f} ms  (n={n})")
    print(f"profile page median, as served: {served:8.2f} ms  (n={n}, page cache)")
    print(f"same-bytes view median: {trivial:8.2f} ms  (n={n})")
    print(f"ratio rendered: {rendered / trivial:.1f}x")
    print(f"ratio: {served / trivial:.1f}x")


if __name__ == "__main__":
    sys.exit(main())
