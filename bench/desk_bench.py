"""Desk response times with 10,000 seeded cases on PostgreSQL, and with
100,000 if seeding and measuring them fits in ten minutes.

Needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust authentication).
Creates the database amparo_desk_bench, migrates it, runs
``seed_demo --cases 10000``, serves it with gunicorn (two workers,
production key-derivation cost) and signs in as the demo coordinator through
the real login form (password and TOTP code). Then it times whole HTTP
requests (server and network on this machine, body read):

- the inbox with a few filters, sorts and pages (p50, p95),
- the coordinator's search, through the encrypted search index once the first
  searches have built it (p50, p95; amparo/cases/search_index.py),
- case pages of randomly chosen cases (p95).

Exits with status 1, naming the cause on stderr, when PostgreSQL is missing or
any timed request fails: no figure is printed for what was not measured.
AMPARO_BENCH_DATABASE, AMPARO_BENCH_POSTGRES and AMPARO_BENCH_PORT override the
database name, the server URL and the port.

Run: .venv/bin/python bench/desk_bench.py
Prints `bench: <name> <value> <unit>` lines on stdout; progress on stderr.
Stops gunicorn and drops the database at the end, whatever happens.
"""

from __future__ import annotations

import http.cookiejar
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

import psycopg
from support import free_port, gunicorn, note, percentile, report

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent
BENCH_PORT = int(os.environ.get("AMPARO_BENCH_PORT", "0"))

# Overridable, so that a shared machine's engineer keeps to their own database and ports.
DATABASE = os.environ.get("AMPARO_BENCH_DATABASE", "amparo_desk_bench")
SERVER = os.environ.get("AMPARO_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432")
FIRST_CASES = 10_000
SECOND_CASES = 100_000
BUDGET_SECONDS = 10 * 60

INBOX_QUERIES = [
    {},
    {"page": "2"},
    {"page": "20"},
    {"stage": "all"},
    {"stage": "all", "sort": "received"},
    {"urgency": "urgent"},
    {"assignee": "none"},
    {"situation": "darfur"},
    {"country": "VE"},
    {"reprisal_type": "threats.death_threat", "stage": "all"},
]
# Words from the demo narratives in the four languages, a name and a place.
SEARCH_QUERIES = ["amenaza", "menace de mort", "passport", "تهديد", "Okello", "Caracas", "detenido"]


def admin(sql: str) -> None:
    """Run one statement on the server's maintenance database."""
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True, connect_timeout=5) as conn:
        conn.execute(sql)


def settle() -> None:
    """VACUUM ANALYZE the seeded rows, as autovacuum would soon after seeding.

    Without statistics PostgreSQL plans the desk's queries for a few hundred rows;
    a server may run without autovacuum (this machine's does), and production's
    would have run it long before anyone searched 10,000 cases.
    """
    with psycopg.connect(f"{SERVER}/{DATABASE}", autocommit=True, connect_timeout=5) as conn:
        conn.execute("VACUUM ANALYZE")


def manage(env: dict[str, str], *args: str) -> float:
    """Run a management command, its output on stderr; returns the seconds it took."""
    started = time.monotonic()
    subprocess.run(
        [str(BIN / "python"), "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=sys.stderr,
    )
    return time.monotonic() - started


class Browser:
    """Cookies, and nothing else: like a person's browser without JavaScript."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str) -> tuple[int, str]:
        try:
            with self.opener.open(self.base + path, timeout=300) as response:
                return response.status, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            return error.code, ""

    def post(self, path: str, fields: dict[str, str]) -> tuple[int, str]:
        data = urllib.parse.urlencode(fields).encode()
        try:
            with self.opener.open(self.base + path, data=data, timeout=300) as response:
                return response.status, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            return error.code, ""

    def timed(self, path: str) -> float:
        started = time.perf_counter()
        status, _body = self.get(path)
        elapsed = (time.perf_counter() - started) * 1000
        if status != 200:
            raise RuntimeError(f"HTTP {status}")
        return elapsed


def sign_in(browser: Browser) -> None:
    from django.urls import reverse

    from amparo.accounts import totp
    from amparo.accounts.management.commands.seed_demo_desk import (
        DEMO_PASSWORD,
        demo_totp_secret,
    )

    login = reverse("accounts:login")
    _status, page = browser.get(login)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if token is None:
        raise RuntimeError("no CSRF token on the sign-in page")
    fields = {
        "csrfmiddlewaretoken": token.group(1),
        "username": "coordinator",
        "password": DEMO_PASSWORD,
    }
    for _attempt in range(2):
        fields["code"] = totp.current_code(demo_totp_secret("coordinator"))
        browser.post(login, fields)
        if any(cookie.name == "amparo_key" for cookie in browser.jar):
            return
        # A code is accepted once: wait for the next one.
        time.sleep(totp.STEP_SECONDS - time.time() % totp.STEP_SECONDS + 1)
    raise RuntimeError("the demo coordinator could not sign in")


def url(name: str, **kwargs: str) -> str | None:
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return None


def measure(
    browser: Browser, label: str, names: list[str], paths: list[str], repeat: int
) -> list[float] | None:
    """Time each path ``repeat`` times after a warm-up; a failed request ends the run
    with a non-zero exit (a figure over failing requests would lie)."""
    try:
        for path in paths[:4]:  # each gunicorn worker loads its templates and caches
            browser.timed(path)
        timings = [browser.timed(path) for _ in range(repeat) for path in paths]
    except RuntimeError as error:
        fail(f"{label}: {error} ({', '.join(names)})")
    note(f"{label}: {len(timings)} requests, mean {statistics.fmean(timings):.0f} ms")
    return timings


def measure_search(
    browser: Browser, search: str, names: list[str], repeat: int
) -> list[float] | None:
    """Time searches as the page sends them: a POST with the form's CSRF token (the words
    never go in a URL)."""
    _status, page = browser.get(search)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if token is None:
        fail(f"no CSRF token on the search page ({', '.join(names)})")

    building: list[bool] = []

    def timed(q: str) -> float:
        started = time.perf_counter()
        status, body = browser.post(search, {"csrfmiddlewaretoken": token.group(1), "q": q})
        if status != 200:
            raise RuntimeError(f"HTTP {status}")
        building.append("still being added to the search index" in body)
        return (time.perf_counter() - started) * 1000

    try:
        # The coordinator's first searches build the encrypted search index (each
        # gunicorn worker then opens it): warm up until a search no longer says so.
        warm = [timed(q) for q in SEARCH_QUERIES[:4]]
        while building[-1] and len(warm) < 40:
            warm.append(timed(SEARCH_QUERIES[0]))
        note(f"search: {len(warm)} warm-up requests, the first {warm[0] / 1000:.1f} s")
        timings = [timed(q) for _ in range(repeat) for q in SEARCH_QUERIES]
    except RuntimeError as error:
        fail(f"search: {error} ({', '.join(names)})")
    note(f"search: {len(timings)} requests, mean {statistics.fmean(timings):.0f} ms")
    return timings


def measure_desk(browser: Browser, suffix: str, search_repeat: int) -> None:
    from amparo.cases.models import Case

    inbox = url("cases:inbox")
    if inbox is None:
        fail("no cases:inbox view")
    else:
        paths = [f"{inbox}?{urllib.parse.urlencode(q)}" if q else inbox for q in INBOX_QUERIES]
        names = [f"desk_inbox_p50_{suffix}", f"desk_inbox_p95_{suffix}"]
        if timings := measure(browser, "inbox", names, paths, repeat=6):
            report(names[0], statistics.median(timings), "ms")
            report(names[1], percentile(timings, 0.95), "ms")

    search = url("cases:search")
    if search is None:
        fail("no cases:search view")
    else:
        names = [f"desk_search_p50_{suffix}", f"desk_search_p95_{suffix}"]
        if timings := measure_search(browser, search, names, repeat=search_repeat):
            report(names[0], statistics.median(timings), "ms")
            report(names[1], percentile(timings, 0.95), "ms")

    ids = list(Case.objects.values_list("public_id", flat=True))
    sample = random.Random(2026).sample(ids, k=min(60, len(ids)))
    paths = [p for public_id in sample if (p := url("cases:detail", public_id=public_id))]
    name = f"desk_case_page_p95_{suffix}"
    if not paths:
        fail(f"no cases:detail view ({name})")
    elif timings := measure(browser, "case page", [name], paths, repeat=1):
        report(name, percentile(timings, 0.95), "ms")


def fail(message: str) -> NoReturn:
    """End the run with exit status 1: `make bench` must not print a figure it did not
    measure, nor pass over a request that failed."""
    print(f"desk_bench: {message}", file=sys.stderr, flush=True)
    raise SystemExit(1)


def timed(action: Callable[[], None]) -> float:
    started = time.monotonic()
    action()
    return time.monotonic() - started


def main() -> None:
    data_dir = tempfile.mkdtemp(prefix="amparo-desk-bench-")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "amparo.settings",
        "AMPARO_ENV": "development",
        "AMPARO_DEBUG": "0",
        "AMPARO_DATA_DIR": data_dir,
        "AMPARO_DATABASE_URL": f"{SERVER}/{DATABASE}",
        "AMPARO_LOG_LEVEL": "WARNING",
        "AMPARO_ACCESS_LOG": "",  # gunicorn.conf.py's access log would go to stdout
    }
    os.environ.update(env)
    import django
    from django.db import connections

    django.setup()

    try:
        admin(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
    except psycopg.OperationalError as error:
        reason = " ".join(str(error).split())
        fail(f"no PostgreSQL at {SERVER}: {reason}")
    admin(f"CREATE DATABASE {DATABASE}")
    try:
        manage(env, "migrate", "--no-input", "-v", "0")
        seconds = manage(env, "seed_demo", "--cases", str(FIRST_CASES), "--receipts", "0")
        rate = FIRST_CASES / seconds
        note(f"seeded {FIRST_CASES} cases in {seconds:.0f} s ({rate:.1f} cases/s)")
        report("desk_seed_rate", rate, "cases/s")
        settle()

        with gunicorn(env, BENCH_PORT or free_port()) as base:
            browser = Browser(base)
            sign_in(browser)
            measuring = timed(lambda: measure_desk(browser, "10k", search_repeat=3))
        connections.close_all()

        # Seeding the other 90,000 at the pace just seen, then measuring with
        # search costing ten times as much (it decrypts every case).
        estimate = (SECOND_CASES - FIRST_CASES) / rate + 10 * measuring
        if estimate > BUDGET_SECONDS:
            print(f"bench: desk_100k skipped (estimated {estimate / 60:.0f} min)", flush=True)
            return
        manage(
            env,
            "seed_demo",
            "--cases",
            str(SECOND_CASES - FIRST_CASES),
            "--seed",
            "2027",
            "--receipts",
            "0",
        )
        settle()
        with gunicorn(env, BENCH_PORT or free_port()) as base:
            browser = Browser(base)
            sign_in(browser)
            measure_desk(browser, "100k", search_repeat=1)
    finally:
        connections.close_all()
        admin(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
