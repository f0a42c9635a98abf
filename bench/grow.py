"""Make the "big" database of the size benchmarks: the demo plus 100,000 works, 50,000 researchers.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bzpeer .venv/bin/python bench/grow.py
    .venv/bin/python bench/grow.py --source URL --target URL [--works N] [--researchers N]

The source database is migrated and loaded with the demo (``manage.py load_demo``, a no-op the
second time), then copied (``CREATE DATABASE <target> TEMPLATE <source>``, ``<source>_big`` by
default) and the copy grows by synthetic rows shaped like the demo's: researchers with
ordinary names and institutions, in teams of 25 that publish together (80% of a work's authors
from its team), 1 to 12 authors a work (about 4.5 on average), titles and abstracts made of the
demo's own words (so search matches the new works too), the demo's venues and topics (three a
work), years 1990-2025, a long tail of citations, 2% preprints. Researchers and works are
written with ``bulk_create`` (the database computes the search column and indexes), authorships
and topics with ``COPY``; then ANALYZE and the full graph recompute, as after an import, so
the counters the pages read are filled. None of the new rows touches the demo's researchers,
so the reference researcher's page shows the same works on both databases.

A target that already holds the grown rows is kept (``--rebuild`` drops and grows it again).
"""

import argparse
import os
import random
import re
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.report import figure, skipped  # noqa: E402

TEAM_SIZE = 25
# Synthetic ids: far from the OpenAlex ranges the demo uses, so nothing collides.
WORK_ID = "W9{:09d}"
RESEARCHER_ID = "A9{:09d}"
FIRST_NAMES = (  # noqa: SIM905 (a list of words reads better as words)
    "Ana Wei Li Jun Maria Sofia Lukas Emma Noah Olivia Hiroshi Yuki Priya Arjun Fatima "
    "Omar Chen Ming Xin Yan Elena Ivan Olga Pierre Claire Jonas Sara Ahmed Leila Mateo "
    "Lucia Diego Hannah David Rachel Kofi Amara Ngozi Tariq Ines Paulo Beatriz Min-jun "
    "Seo-yeon Anh Linh"
).split()
LAST_NAMES = (  # noqa: SIM905 (a list of words reads better as words)
    "Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Sun Ma Zhu Hu Lin Garcia Martinez "
    "Lopez Silva Santos Müller Schmidt Schneider Fischer Weber Rossi Russo Ferrari Dubois "
    "Martin Bernard Petrov Ivanova Kowalski Nowak Kim Lee Park Choi Tanaka Suzuki Sato "
    "Nguyen Tran Patel Sharma Singh Gupta Khan Ali Hassan Okafor Mensah Johansson Andersen "
    "Smith Brown"
).split()


def with_database_name(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def server(url: str) -> psycopg.Connection:
    """An autocommit connection to the server's maintenance database."""
    return psycopg.connect(with_database_name(url, "postgres"), autocommit=True)


def exists(url: str) -> bool:
    with server(url) as conn:
        row = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [database_name(url)]
        ).fetchone()
    return row is not None


def grown_works(url: str) -> int:
    with psycopg.connect(url) as conn:
        return conn.execute(
            "SELECT count(*) FROM works_work "
            "WHERE openalex_id LIKE 'W9%' AND length(openalex_id) = 11"
        ).fetchone()[0]


def copy_database(source: str, target: str) -> None:
    with server(source) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{database_name(target)}"')
        # A template must have no other session; ours (migrate, load_demo) have ended.
        conn.execute(
            f'CREATE DATABASE "{database_name(target)}" TEMPLATE "{database_name(source)}"'
        )


def load_demo(source: str) -> None:
    env = {**os.environ, "DATABASE_URL": source}
    for command in (["migrate", "--noinput", "-v", "0"], ["load_demo", "-v", "0"]):
        subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True)


def vocabulary(Work) -> tuple[list[str], list[str]]:
    """The demo's title words and abstract words (lower-cased, 3 letters or more)."""
    titles, abstracts = [], []
    for title, abstract in Work.objects.values_list("title", "abstract"):
        titles += re.findall(r"[A-Za-z][A-Za-z\-]{2,}", title)
        abstracts += re.findall(r"[A-Za-z][A-Za-z\-]{2,}", abstract)
    return titles, abstracts or titles


def phrase(rng: random.Random, words: list[str], low: int, high: int) -> str:
    text = " ".join(rng.choice(words) for _ in range(rng.randint(low, high)))
    return text[:1].upper() + text[1:]


def grow(n_works: int, n_researchers: int, seed: int) -> tuple[int, int]:
    """Add the rows; returns (works, authorships) added."""
    import django

    django.setup()
    from django.db import connection

    try:
        from works.models import Institution, Researcher
    except ImportError:  # before Researcher and Institution moved into works
        from profiles.models import Institution, Researcher
    from graph.actions import recompute_all
    from works.models import Source, Topic, Work

    rng = random.Random(seed)
    title_words, abstract_words = vocabulary(Work)
    topic_ids = list(Topic.objects.filter(level=Topic.Level.TOPIC).values_list("pk", flat=True))
    topic_ids = topic_ids or list(Topic.objects.values_list("pk", flat=True))
    source_ids = list(Source.objects.values_list("pk", flat=True))
    institutions = Institution.objects.bulk_create(
        Institution(display_name=f"{rng.choice(LAST_NAMES)} Institute of Science {i}")
        for i in range(300)
    )
    researchers = Researcher.objects.bulk_create(
        (
            Researcher(
                display_name=f"{rng.choice(FIRST_NAMES)} {chr(65 + rng.randrange(26))}. "
                f"{rng.choice(LAST_NAMES)}",
                openalex_id=RESEARCHER_ID.format(i),
                last_known_institution=institutions[(i // TEAM_SIZE) % len(institutions)],
                source_works_count=rng.randint(1, 200),
                h_index=rng.randint(0, 40),
            )
            for i in range(n_researchers)
        ),
        batch_size=5000,
    )
    researcher_ids = [r.pk for r in researchers]
    names = {r.pk: r.display_name for r in researchers}
    teams = max(1, n_researchers // TEAM_SIZE)
    works = Work.objects.bulk_create(
        (
            Work(
                title=phrase(rng, title_words, 5, 14),
                abstract=phrase(rng, abstract_words, 60, 180) if rng.random() < 0.8 else "",
                publication_year=rng.randint(1990, 2025),
                type=rng.choice(["article"] * 6 + ["proceedings-article"] * 2 + ["preprint"]),
                source_id=rng.choice(source_ids) if source_ids and rng.random() < 0.9 else None,
                doi=f"10.99998/grow.{i}",
                openalex_id=WORK_ID.format(i),
                cited_by_count=int(rng.paretovariate(1.3)) - 1,
                language="en",
            )
            for i in range(n_works)
        ),
        batch_size=5000,
    )
    authorship_rows, topic_rows = [], []
    for work in works:
        team = rng.randrange(teams)
        members = researcher_ids[team * TEAM_SIZE : (team + 1) * TEAM_SIZE]
        authors = min(int(rng.triangular(1, 12, 3)), len(researcher_ids))
        chosen: list[int] = []
        while len(chosen) < authors:
            pool = members if rng.random() < 0.8 else researcher_ids
            candidate = rng.choice(pool)
            if candidate not in chosen:
                chosen.append(candidate)
        for order, researcher_id in enumerate(chosen):
            last = authors - 1
            position = "first" if order == 0 else ("last" if order == last else "middle")
            authorship_rows.append(
                (work.pk, researcher_id, order, position, names[researcher_id], False)
            )
        base = (team * 7) % max(1, len(topic_ids) - 10)
        for topic_id in rng.sample(topic_ids[base : base + 10], min(3, len(topic_ids))):
            topic_rows.append((work.pk, topic_id, round(rng.random(), 4)))
    with connection.cursor() as cursor:
        # Every NOT NULL column without a database default is named: COPY skips Django's.
        columns = (
            '"work_id", "researcher_id", "order", "position", "raw_author_name", "added_by_owner"'
        )
        with cursor.copy(f"COPY works_authorship ({columns}) FROM STDIN") as copy:
            for row in authorship_rows:
                copy.write_row(row)
        with cursor.copy(
            'COPY works_worktopic ("work_id", "topic_id", "score") FROM STDIN'
        ) as copy:
            for row in topic_rows:
                copy.write_row(row)
        # 2% preprints of another work of the same size class, as imports pair them.
        pairs = [
            (works[i + 1].pk, works[i].pk)
            for i in range(0, len(works) - 1, 2)
            if rng.random() < 0.04
        ]
        cursor.executemany("UPDATE works_work SET version_of_id = %s WHERE id = %s", pairs)
        cursor.execute("ANALYZE")
    started = time.perf_counter()
    recompute_all()
    print(f"graph recompute: {time.perf_counter() - started:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return len(works), len(authorship_rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--target", help="default: the source's name + _big")
    parser.add_argument("--works", type=int, default=100_000)
    parser.add_argument("--researchers", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    if not args.source.startswith(("postgres://", "postgresql://")):
        return skipped("needs PostgreSQL (COPY, CREATE DATABASE ... TEMPLATE): set DATABASE_URL")
    target = args.target or with_database_name(args.source, database_name(args.source) + "_big")

    if exists(target) and not args.rebuild and grown_works(target) >= args.works:
        print(f"{database_name(target)}: already grown ({grown_works(target):,} synthetic works)")
        return 0
    started = time.perf_counter()
    load_demo(args.source)
    copy_database(args.source, target)
    os.environ["DATABASE_URL"] = target
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bzpeer.settings")
    works, authorships = grow(args.works, args.researchers, args.seed)
    seconds = time.perf_counter() - started
    print(
        f"{database_name(target)}: the demo + {works:,} works, {args.researchers:,} researchers, "
        f"{authorships:,} authorships in {seconds:.0f} s"
    )
    figure("grow big database", round(seconds), "s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
