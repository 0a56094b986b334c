"""The needs-attention page with 10,000 cases on PostgreSQL (goal: p95 <= 150 ms).

Needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust authentication).
Creates the database amparo_protect_bench, migrates it and runs
``seed_demo --cases 200`` (real cases through the real actions, with
assessments, measures, messages and urgent reports). To reach 10,000 cases
within the bench's time budget, it then copies those rows at the SQL level
49 more times (new ids, public ids and references; the coordinator's sealed
keys, assessments, measures, messages and urgent-case clocks come along). The
page reads only the clear columns (stage, urgency, days, levels, due dates),
so copied ciphertexts serve as well as fresh ones; seeding 10,000 through the
actions would take about five minutes here (see docs/notifications.md).

It serves the database with gunicorn on 127.0.0.1:8130-8139 (two workers),
signs in as the demo coordinator (who sees the whole desk) through the real
login form, and times whole HTTP requests to /en/staff/protection/attention/
after a warm-up. Stops gunicorn and drops the database at the end.

Run: .venv/bin/python bench/protection_bench.py
"""

from __future__ import annotations

import contextlib
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg
from desk_bench import SERVER, Browser, admin, manage, sign_in
from support import gunicorn, note, percentile, report

DATABASE = "amparo_protect_bench"
SEED_CASES = 200
COPIES = 49  # 200 x 50 = 10,000
PORTS = range(8130, 8140)
REQUESTS = 60


def port_in_range() -> int:
    for port in PORTS:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 8130-8139")


def columns(conn: psycopg.Connection, table: str, leave_out: set[str]) -> list[str]:
    rows = conn.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
        "ORDER BY ordinal_position",
        [table],
    ).fetchall()
    return [name for (name,) in rows if name not in leave_out]


def one(conn: psycopg.Connection, sql: str) -> int:
    row = conn.execute(sql).fetchone()
    if row is None:
        raise RuntimeError("no row")
    value: int = row[0]
    return value


def copy_cases(copies: int) -> int:
    """Copy every seeded case ``copies`` times, with what the page reads; returns the total."""
    with psycopg.connect(f"{SERVER}/{DATABASE}", autocommit=False) as conn:
        case_cols = columns(conn, "cases_case", {"id", "public_id", "reference", "reporter_lookup"})
        originals = one(conn, "SELECT max(id) FROM cases_case")
        children = {
            "cases_casekey": ("case_id", {"id"}),
            "cases_message": ("case_id", {"id", "public_id"}),
            "protection_assessment": ("case_id", {"id", "public_id"}),
            "protection_measure": ("case_id", {"id", "public_id"}),
            "protection_urgentwatch": ("case_id", {"id"}),
        }
        for copy in range(1, copies + 1):
            listed = ", ".join(case_cols)
            # The reference carries the original's id, to copy its rows below.
            conn.execute(
                f"INSERT INTO cases_case ({listed}, public_id, reference) "  # noqa: S608
                f"SELECT {listed}, md5(random()::text || id), 'B{copy}-' || id "
                f"FROM cases_case WHERE id <= %s",
                [originals],
            )
            for table, (key, leave_out) in children.items():
                cols = [c for c in columns(conn, table, leave_out) if c != key]
                listed_child = ", ".join(f"t.{c}" for c in cols)
                extra_cols = ", public_id" if "public_id" in leave_out else ""
                extra_vals = ", md5(random()::text || t.id)" if extra_cols else ""
                conn.execute(
                    f"INSERT INTO {table} ({key}, {', '.join(cols)}{extra_cols}) "  # noqa: S608
                    f"SELECT c.id, {listed_child}{extra_vals} FROM cases_case c "
                    f"JOIN {table} t ON t.{key} = split_part(c.reference, '-', 2)::int "
                    f"WHERE c.reference LIKE 'B{copy}-%%'"
                )
        conn.commit()
        conn.execute("ANALYZE")
        total: int = one(conn, "SELECT count(*) FROM cases_case")
    return total


def main() -> None:
    data_dir = tempfile.mkdtemp(prefix="amparo-protection-bench-")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "amparo.settings",
        "AMPARO_ENV": "development",
        "AMPARO_DEBUG": "0",
        "AMPARO_DATA_DIR": data_dir,
        "AMPARO_DATABASE_URL": f"{SERVER}/{DATABASE}",
        "AMPARO_LOG_LEVEL": "WARNING",
        "AMPARO_ACCESS_LOG": "",
    }
    os.environ.update(env)
    import django

    django.setup()
    from django.urls import reverse

    try:
        admin(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
    except psycopg.OperationalError as error:
        reason = " ".join(str(error).split())
        print(f"bench: needs_attention unavailable (no PostgreSQL at {SERVER}: {reason})")
        return
    admin(f"CREATE DATABASE {DATABASE}")
    try:
        manage(env, "migrate", "--no-input", "-v", "0")
        seconds = manage(env, "seed_demo", "--cases", str(SEED_CASES), "--receipts", "0")
        note(f"seeded {SEED_CASES} cases in {seconds:.0f} s")
        started = time.monotonic()
        total = copy_cases(COPIES)
        note(f"copied to {total} cases in {time.monotonic() - started:.0f} s")
        with gunicorn(env, port_in_range()) as base:
            browser = Browser(base)
            sign_in(browser)
            path = reverse("protection:attention")
            status, page = browser.get(path)
            if status != 200:
                print(f"bench: needs_attention unavailable (HTTP {status})")
                return
            # A page of real lists, not an empty one.
            note(f"the page links {page.count('/staff/cases/')} cases")
            for _ in range(6):
                browser.timed(path)
            timings = [browser.timed(path) for _ in range(REQUESTS)]
            # The plain inbox under the same load, to read the figure against
            # (docs/notifications.md has its figure on a quieter machine).
            inbox = reverse("cases:inbox")
            browser.timed(inbox)
            inbox_timings = [browser.timed(inbox) for _ in range(REQUESTS // 3)]
        note(f"{REQUESTS} requests, median {statistics.median(timings):.0f} ms")
        note(
            f"the inbox in the same run: median {statistics.median(inbox_timings):.0f} ms; "
            f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
        )
        report("needs_attention_p50_10k", statistics.median(timings), "ms")
        report("needs_attention_p95_10k", percentile(timings, 0.95), "ms")
    finally:
        with contextlib.suppress(Exception):
            from django.db import connections

            connections.close_all()
        if not os.environ.get("AMPARO_BENCH_KEEP"):
            admin(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        subprocess.run(["rm", "-rf", data_dir], check=False)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    main()
