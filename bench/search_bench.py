"""Coordinator search through the encrypted search index, at 10,000 and 100,000 cases.

Needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust authentication).
Creates the database amparo_search_bench, migrates it, and writes the cases in
bulk through the ORM with real encryption (a data key per case, answers and two
messages of about 1.5 KB in four languages encrypted under it, the key sealed to
one coordinator), much faster than seed_demo's full code paths. Then it times
``amparo.cases.search_index.search``, the function the search view calls for a
coordinator (no HTTP: bench/desk_bench.py times the whole request at 10,000):

- ``desk_search_index_build_<n>``: the first search, which decrypts every case
  once and writes the encrypted snapshot;
- ``desk_search_index_open_<n>``: the first search in a fresh process (snapshot
  decrypted and loaded, then searched);
- ``desk_search_index_p50_<n>``, ``desk_search_index_p95_<n>``: searches with the
  index open (a rare name, common words, Arabic, two-word queries), each
  decrypting the (at most 100) cases it shows;
- ``desk_search_index_memory_<n>``: the words the open index holds;
- ``desk_search_index_open_retained_memory_<n>``: what the open index keeps
  allocated in this process (words, inverted index, vocabulary), measured with
  tracemalloc, and ``desk_search_index_open_peak_memory_<n>`` the peak while opening.

100,000 runs when the estimate from 10,000 fits in three minutes, or with
AMPARO_BENCH_SEARCH_100K=1; the load average is printed with each figure.
AMPARO_BENCH_SEARCH_DATABASE and AMPARO_BENCH_POSTGRES override the database name
and the server URL.

Run: .venv/bin/python bench/search_bench.py
"""

from __future__ import annotations

import datetime
import itertools
import os
import random
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any, NoReturn

import psycopg
from support import note, percentile, report

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent
DATABASE = os.environ.get("AMPARO_BENCH_SEARCH_DATABASE", "amparo_search_bench")
SERVER = os.environ.get("AMPARO_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432")
BATCH = 2_000


def split(sentence: str) -> list[str]:
    return sentence.split()


WORDS = split(
    "amenaza detenido policía fiscalía represalias testigo tribunal audiencia familia casa "
    "menace détention arrestation témoin police procureur bureau intimidation voisin village "
    "threat arrested passport office laptop followed court witness hearing phone message "
    "تهديد اعتقال الشرطة شاهد المحكمة جواز السفر العائلة المنزل الهاتف رسالة "
    "Caracas Bunia Kinshasa Bogotá Kampala Gulu Bangui Khartoum Kabul Tbilisi"
)
SYLLABLES = split("ka lo mi ne su ta ri bo de fa gu hi jo ku le ma no pe qui ro sa te vi wa ya zo")
QUERIES = ["amenaza", "menace de mort", "passport", "تهديد", "Okello", "Caracas detenido", "kalomi"]


def fail(message: str) -> NoReturn:
    print(f"search_bench: {message}", file=sys.stderr, flush=True)
    raise SystemExit(1)


def admin(sql: str) -> None:
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True, connect_timeout=5) as conn:
        conn.execute(sql)


def settle() -> None:
    """VACUUM ANALYZE the new rows, as autovacuum would soon after a bulk load.

    Without statistics PostgreSQL plans the visible-cases query for a few hundred
    rows (a nested loop: 0.5 s at 100,000); the server here runs without autovacuum.
    """
    with psycopg.connect(f"{SERVER}/{DATABASE}", autocommit=True, connect_timeout=5) as conn:
        conn.execute("VACUUM ANALYZE")


def load() -> str:
    return "load average " + " ".join(f"{value:.2f}" for value in os.getloadavg())


def name(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))).capitalize()


class Writer:
    """Texts of common words and, one word in six, one of 20,000 invented names."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        names = [name(rng) for _ in range(20_000)]
        self.population = WORDS + names
        share = 5 / 6 / len(WORDS)
        weights = [share] * len(WORDS) + [1 / 6 / len(names)] * len(names)
        self.cumulative = list(itertools.accumulate(weights))

    def text(self, words: int) -> str:
        return " ".join(self.rng.choices(self.population, cum_weights=self.cumulative, k=words))


def create_cases(count: int, start: int, coordinator: Any, rng: random.Random) -> float:
    """``count`` cases with encrypted answers and messages, sealed to ``coordinator``."""
    from amparo.cases.models import Case, CaseKey, Message, Sender
    from amparo.cases.vault import OpenCase
    from amparo.crypto import new_data_key, seal_data_key

    public_key = bytes(coordinator.public_key)
    today = datetime.date(2026, 11, 30)
    writer = Writer(rng)
    started = time.monotonic()
    for first in range(start, start + count, BATCH):
        cases, keys, messages = [], [], []
        for number in range(first, min(first + BATCH, start + count)):
            day = today - datetime.timedelta(days=rng.randint(0, 900))
            case = Case(
                reference=f"AMP-B-{number:06d}",
                received_on=day,
                last_activity_on=day,
                language=rng.choice(["en", "fr", "es", "ar"]),
                questionnaire_version="bench",
            )
            opened = OpenCase(case=case, data_key=new_data_key())
            story = writer.text(120)
            if number % 100 == 0:
                story += " Okello menace de mort"
            case.answers = opened.encrypt_json(
                {"what_happened": story, "where": writer.text(8), "who": name(rng)}, "answers"
            )
            cases.append(case)
            keys.append((case, seal_data_key(opened.data_key, public_key)))
            for _ in range(2):
                message = Message(case=case, sender=Sender.REPORTER, sent_on=day)
                message.body = opened.encrypt_text(writer.text(30), message.aad_field())
                messages.append(message)
        Case.objects.bulk_create(cases)
        CaseKey.objects.bulk_create(
            CaseKey(case=case, user=coordinator, sealed_key=sealed) for case, sealed in keys
        )
        for message in messages:
            message.case_id = message.case.pk
        Message.objects.bulk_create(messages)
    return time.monotonic() - started


def search(user: Any, private_key: bytes, query: str) -> Any:
    """One search as the view makes it (vocabularies read once per request)."""
    from amparo.cases import search_index
    from amparo.reference import api as reference

    with reference.request_cache():
        return search_index.search(user, private_key, query)


def measure(suffix: str, user: Any, private_key: bytes, repeat: int) -> float:
    """Measure one size; returns the seconds the build and the opening took."""
    from django.conf import settings

    from amparo.cases import search_index

    search_index.close()
    # The whole build in one search (the view spreads it over searches of 20 s each).
    settings.SEARCH_INDEX_BUILD_SECONDS = 3600
    started = time.perf_counter()
    outcome = search(user, private_key, "amenaza")
    build = time.perf_counter() - started
    note(f"{suffix}: first search built the index in {build:.1f} s ({load()})")
    report(f"desk_search_index_build_{suffix}", build, "s")
    if outcome.searched == 0:
        fail("the coordinator sees no case")

    if outcome.unindexed:
        fail(f"{outcome.unindexed} cases left out of the index")

    search_index.close()
    started = time.perf_counter()
    search(user, private_key, "passport")
    opening = time.perf_counter() - started
    note(f"{suffix}: reopened from the snapshot in {opening:.2f} s ({load()})")
    report(f"desk_search_index_open_{suffix}", opening, "s")
    search_index.close()
    tracemalloc.start()  # slows Python down: a separate opening, for its peak only
    search(user, private_key, "passport")
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    report(f"desk_search_index_open_peak_memory_{suffix}", peak / 2**20, "MiB")
    # What the open index keeps (words, postings, vocabulary), allocated while traced.
    report(f"desk_search_index_open_retained_memory_{suffix}", current / 2**20, "MiB")
    index = search_index._open
    if index is None:
        fail("the index did not stay open")
    report(f"desk_search_index_memory_{suffix}", index.chars / 2**20, "MiB")

    timings = []
    found = []
    for _ in range(repeat):
        for query in QUERIES:
            started = time.perf_counter()
            outcome = search(user, private_key, query)
            timings.append((time.perf_counter() - started) * 1000)
            found.append(outcome.found)
    note(f"{suffix}: {len(timings)} searches, found {min(found)}-{max(found)} ({load()})")
    report(f"desk_search_index_p50_{suffix}", percentile(timings, 0.5), "ms")
    report(f"desk_search_index_p95_{suffix}", percentile(timings, 0.95), "ms")
    return build + opening


def main() -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "amparo.settings",
        "AMPARO_ENV": "development",
        "AMPARO_DEBUG": "0",
        "AMPARO_DATABASE_URL": f"{SERVER}/{DATABASE}",
        "AMPARO_LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)
    try:
        admin(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
    except psycopg.OperationalError as error:
        fail(f"no PostgreSQL at {SERVER}: {' '.join(str(error).split())}")
    admin(f"CREATE DATABASE {DATABASE}")
    import django
    from django.db import connections

    try:
        subprocess.run(
            [str(BIN / "python"), "manage.py", "migrate", "--no-input", "-v", "0"],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=sys.stderr,
        )
        django.setup()
        from amparo.accounts.models import User
        from amparo.crypto import generate_keypair

        pair = generate_keypair()
        user = User.objects.create(
            username="coordinator", is_coordinator=True, public_key=pair.public
        )
        rng = random.Random(2026)
        seconds = create_cases(10_000, 0, user, rng)
        settle()
        note(f"created 10,000 cases in {seconds:.0f} s ({load()})")
        spent = measure("10k", user, pair.private, repeat=4)
        # 100,000 costs about ten times as much; it runs when that fits in three
        # minutes, or when AMPARO_BENCH_SEARCH_100K=1 asks for it anyway.
        estimate = 9 * seconds + 10 * spent
        if estimate > 180 and os.environ.get("AMPARO_BENCH_SEARCH_100K") != "1":
            print(f"bench: desk_search_index_100k skipped (estimated {estimate / 60:.0f} min)")
            return
        seconds = create_cases(90_000, 10_000, user, rng)
        settle()
        note(f"created 90,000 more in {seconds:.0f} s ({load()})")
        measure("100k", user, pair.private, repeat=2)
    finally:
        from amparo.cases import search_index

        search_index.close()
        connections.close_all()
        admin(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")


if __name__ == "__main__":
    main()
