"""Faults, proven against the real thing: gunicorn on PostgreSQL, real reports
through the public form (GET for the CSRF cookie and form token, multipart POST
with a photo), real kills, a real full or read-only filesystem, a real database
restart.

Scenarios, one `fault: <name> key=value ... result=ok|FAILED` line each on stdout:

1. worker_kill: `kill -9` of the (single, sync) gunicorn worker at a random
   moment while it handles a report, 50 times (before, during and after the
   transaction). Afterwards every report exists whole (answers decrypt with
   the coordinator's key, its file decrypts, references allocated once: no
   gap, no repeat) or not at all; every receipt that was shown opens; the
   encrypted files left by killed requests are gone after one purge interval.
2. files_full / files_read_only: the files folder is a 1 MiB tmpfs, filled up,
   then remounted read-only. Reports are refused with the translated (French)
   message and nothing half-written stays (no case, no file, no reference);
   once there is room again reports are stored.
3. concurrent_reporters: 64 reporters submit for 60 s. 0 lost (every shown
   receipt opens), 0 duplicated (one case per receipt, none without),
   references distinct and gapless.
4. postgres_restart (LAST): reporters submit while PostgreSQL is stopped for
   3 s with `pg_ctlcluster` and started again. During the outage the site
   answers with its translated "try again" page; it serves again within 5 s
   of the database being back, without a gunicorn restart; no report whose
   receipt was shown is lost. PostgreSQL is started again whatever happens.

Runs as root on the machine that hosts PostgreSQL (127.0.0.1 only, ports
8170-8173, its own database amparo_ops, dropped and recreated). It uses the
test settings (amparo.settings_test: INSECURE fast key derivation) so that
many reports fit in a few minutes: receipts stretch in milliseconds instead of
a second, which changes how many reports are sent, not what a fault does to
them. Run: `make faults` (about 5 minutes), or `bench/faults.py worker_kill files ...` for
some of them. Progress goes to stderr.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg
from faults_scenarios import SCENARIOS
from faults_support import DATABASE, ENROL, ROOT, SERVER, app_environment, reset_database
from support import note


def main() -> int:
    started = time.monotonic()
    url = reset_database()
    sys.path.insert(0, str(ROOT))
    with tempfile.TemporaryDirectory(prefix="amparo-faults-") as scratch:
        base = Path(scratch)
        env = app_environment(url, base / "setup")
        os.environ.update(env)
        note("migrating and enrolling a coordinator")
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
        subprocess.run([sys.executable, "-c", ENROL], cwd=ROOT, env=env, check=True)
        import django

        django.setup()
        wanted = sys.argv[1:] or list(SCENARIOS)
        results = [run(url, base) for name, run in SCENARIOS.items() if name in wanted]
    with contextlib.suppress(psycopg.Error):
        from django.db import connections

        connections.close_all()
        with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{DATABASE}"')
    note(f"faults: {time.monotonic() - started:.0f} s in all")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
