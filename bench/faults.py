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
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any

import psycopg
from intake_bench import PHOTO, Reporter, multipart, worker_pids
from support import note

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SERVER = "postgresql://postgres@127.0.0.1:5432"
DATABASE = "amparo_ops"
PASSWORD = "faults " + "x" * 20
PORTS = {"kill": 8170, "files": 8171, "concurrent": 8172, "restart": 8173}
KILLS = int(os.environ.get("FAULTS_KILLS", "50"))
CONCURRENT_REPORTERS = 64
CONCURRENT_SECONDS = 60
OUTAGE_SECONDS = 3
RECOVERY_LIMIT_SECONDS = 5
CLUSTER = ("15", "main")

CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
FORM_TOKEN = re.compile(r'name="form_token" value="([^"]+)"')
RECEIPT = re.compile(r'id="receipt">([0-9 ]+)<')

ENROL = f"""
import django
django.setup()
from amparo.accounts import totp
from amparo.accounts.actions import do_enrol, do_invite
from amparo.accounts.models import Role
from amparo.crypto import generate_recovery_key
invitation, _token = do_invite(None, "coordinator", [Role.COORDINATOR, Role.HANDLER],
                              confirmed_by_operator=True)
do_enrol(invitation, password={PASSWORD!r}, recovery_key=generate_recovery_key(),
         totp_secret=totp.generate_secret())
"""


def fault(name: str, ok: bool, **figures: object) -> None:
    """One scenario's line: `fault: <name> key=value ... result=ok|FAILED`."""
    parts = " ".join(f"{key}={value}" for key, value in figures.items())
    print(f"fault: {name} {parts} result={'ok' if ok else 'FAILED'}", flush=True)


# --- The installation ------------------------------------------------------------------


def app_environment(url: str, data_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "PYTHONPATH": str(ROOT),
            "DJANGO_SETTINGS_MODULE": "amparo.settings_test",
            "AMPARO_ENV": "development",
            "AMPARO_DEBUG": "0",
            "AMPARO_DATABASE_URL": url,
            "AMPARO_DATA_DIR": str(data_dir),
            "AMPARO_SUBMISSIONS_PER_CLIENT_PER_HOUR": "0",
            "AMPARO_SUBMISSIONS_PER_HOUR": "0",
            "AMPARO_RECEIPT_ATTEMPTS_PER_CLIENT": "0",
            "AMPARO_RECEIPT_ATTEMPTS_PER_MINUTE": "0",
            "AMPARO_LOG_LEVEL": "CRITICAL",
            # gunicorn.conf.py (read from the working directory) logs every request to
            # standard output, where only the fault lines belong.
            "AMPARO_ACCESS_LOG": "",
        }
    )
    return env


def reset_database() -> str:
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{DATABASE}"')
    return f"{SERVER}/{DATABASE}"


def wait_until_up(port: int, limit: float = 60) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):
            if Reporter(port).request("GET", "/healthz")[0] == 200:
                return
        time.sleep(0.05)
    raise RuntimeError(f"nothing answers on port {port}")


@contextlib.contextmanager
def gunicorn(
    env: dict[str, str], port: int, *, workers: int, threads: int
) -> Iterator[subprocess.Popen[bytes]]:
    command = [
        str(BIN / "gunicorn"),
        "faults_wsgi:application",
        "--pythonpath",
        f"{ROOT},{ROOT / 'bench'}",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--worker-class",
        "gthread" if threads > 1 else "sync",
        "--timeout",
        "120",
        "--preload",  # a killed worker is replaced by a fork, not a fresh import
        "--log-level",
        "critical",
    ]
    process = subprocess.Popen(command, cwd=ROOT, env=env)
    try:
        wait_until_up(port)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# --- A reporter ------------------------------------------------------------------------


@dataclass
class Attempt:
    status: int = 0
    receipt: str | None = None
    body: str = ""
    error: str = ""


def load_form(reporter: Reporter, language: str = "en") -> list[tuple[str, str]]:
    status, page = reporter.request("GET", f"/{language}/report/")
    if status != 200:
        raise RuntimeError(f"form page answered {status}")
    text = page.decode()
    csrf, token = CSRF_FIELD.search(text), FORM_TOKEN.search(text)
    if not (csrf and token):
        raise RuntimeError("no form token on the form page")
    return [
        ("csrfmiddlewaretoken", csrf.group(1)),
        ("form_token", token.group(1)),
        ("consent_store", "on"),
        ("consent_contact", "on"),
        ("reporting_for", "self"),
        ("what_happened", "Fault run: followed and threatened after the session. " * 5),
        ("when_month", "5"),
        ("when_year", "2025"),
        ("country", "UG"),
        ("place", "Gulu"),
        ("targeted", "Myself"),
        ("responsible", "Unknown men"),
        ("engagement", "witness"),
        ("website", ""),
    ]


def post_report(reporter: Reporter, fields: list[tuple[str, str]], language: str = "en") -> Attempt:
    body, content_type = multipart(fields, [("files", "photo.jpg", PHOTO)])
    attempt = Attempt()
    try:
        attempt.status, answer = reporter.request(
            "POST", f"/{language}/report/", body, content_type
        )
    except Exception as error:  # the worker died under us: no answer at all
        attempt.error = type(error).__name__
        return attempt
    attempt.body = answer.decode(errors="replace")
    found = RECEIPT.search(attempt.body)
    if attempt.status == 200 and found:
        attempt.receipt = found.group(1)
    return attempt


def submit(port: int, language: str = "en") -> Attempt:
    reporter = Reporter(port)
    try:
        fields = load_form(reporter, language)
    except Exception as error:
        return Attempt(error=type(error).__name__)
    return post_report(reporter, fields, language)


# --- Checks, in this process, straight on the database ---------------------------------


@dataclass
class Check:
    reports: int = 0
    whole: int = 0
    broken: list[str] = field(default_factory=list)
    gapless: bool = True
    receipts_open: int = 0
    receipts_lost: int = 0
    receipts_duplicated: int = 0


def use_data_dir(data_dir: Path) -> None:
    from django.conf import settings

    settings.DATA_DIR = data_dir
    settings.MEDIA_ROOT = data_dir / "files"


def check_reports(first_id: int, receipts: list[str]) -> Check:
    """Every case with id >= first_id whole, references gapless, every receipt opens."""
    from django.db import connections

    from amparo.accounts.models import User
    from amparo.cases.files import iter_plaintext
    from amparo.cases.models import Attachment, Case
    from amparo.cases.vault import NoAccess, lookup_for_receipt, open_for_reporter, open_for_staff
    from amparo.crypto import DecryptionError, unwrap_with_password

    connections.close_all()
    coordinator = User.objects.get(username="coordinator")
    wrapped = coordinator.private_key_by_password
    if wrapped is None:
        raise RuntimeError("the coordinator has no key pair")
    key = unwrap_with_password(bytes(wrapped), PASSWORD)
    result = Check()
    cases = list(Case.objects.filter(id__gte=first_id).order_by("id"))
    result.reports = len(cases)
    for case in cases:
        try:
            opened = open_for_staff(case, coordinator, key)
            answers = opened.answers()
            files = list(Attachment.objects.filter(case=case))
            if not answers.get("what_happened") or len(files) != 1:
                raise DecryptionError
            if not b"".join(iter_plaintext(opened, files[0])).startswith(b"\xff\xd8"):
                raise DecryptionError
            result.whole += 1
        except (NoAccess, DecryptionError, OSError, KeyError):
            result.broken.append(case.reference)
    numbers = sorted(int(c.reference.rsplit("-", 1)[1]) for c in Case.objects.all())
    result.gapless = numbers == list(range(1, len(numbers) + 1))
    seen: set[int] = set()
    for receipt in receipts:
        try:
            access = open_for_reporter(*lookup_for_receipt(receipt))
            access.opened.answers()
        except (NoAccess, DecryptionError):
            result.receipts_lost += 1
            continue
        if access.opened.case.pk in seen:
            result.receipts_duplicated += 1
        seen.add(access.opened.case.pk)
        result.receipts_open += 1
    return result


def last_case_id() -> int:
    from django.db import connections

    from amparo.cases.models import Case

    connections.close_all()
    last = Case.objects.order_by("-id").values_list("id", flat=True).first()
    return int(last or 0)


# --- 1. kill -9 of a worker mid-report --------------------------------------------------


def _post_into(box: dict[str, Attempt], reporter: Reporter, fields: list[tuple[str, str]]) -> None:
    box["a"] = post_report(reporter, fields)


def scenario_worker_kill(url: str, base: Path) -> bool:
    from amparo.intake.uploads import STALE_AFTER_SECONDS, purge_stale_uploads, upload_dir
    from amparo.operations.orphans import GRACE_SECONDS, orphan_files, purge_orphan_files

    data_dir = base / "kill"
    env = app_environment(url, data_dir)
    port = PORTS["kill"]
    first = last_case_id() + 1
    receipts: list[str] = []
    outcomes = {"receipt": 0, "no_answer": 0, "other": 0}
    with gunicorn(env, port, workers=1, threads=1) as master:
        warm = []
        for _ in range(5):
            started = time.perf_counter()
            attempt = submit(port)
            warm.append(time.perf_counter() - started)
            if attempt.receipt:
                receipts.append(attempt.receipt)
        # Up to twice a report's time: kills land before, during and after the commit.
        window = statistics.median(warm) * 2
        note(f"worker_kill: a report takes {window / 2:.2f} s; killing within {window:.2f} s")
        for number in range(KILLS):
            reporter = Reporter(port)
            fields = load_form(reporter)
            box: dict[str, Attempt] = {}
            thread = threading.Thread(target=_post_into, args=(box, reporter, fields))
            thread.start()
            time.sleep(random.uniform(0, window))
            for pid in worker_pids(master.pid):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            t0 = time.monotonic()
            thread.join(60)
            t1 = time.monotonic()
            attempt = box.get("a", Attempt(error="timeout"))
            if attempt.receipt:
                receipts.append(attempt.receipt)
                outcomes["receipt"] += 1
            elif attempt.error:
                outcomes["no_answer"] += 1
            else:
                outcomes["other"] += 1
            wait_until_up(port)
            if os.environ.get("FAULTS_DEBUG"):
                up = time.monotonic() - t1
                note(f"join {t1 - t0:.2f}s up {up:.2f}s {attempt.status} {attempt.error}")
            if number % 10 == 9:
                note(f"worker_kill: {number + 1} kills")
    use_data_dir(data_dir)
    checked = check_reports(first, receipts)
    orphans_before = len(orphan_files(older_than=0))
    temps_before = sum(1 for _ in upload_dir().glob("*.upload")) if upload_dir().exists() else 0
    # What the next purge does, one purge interval from now.
    later = time.time() + max(GRACE_SECONDS, STALE_AFTER_SECONDS) + 1
    purge_orphan_files(now=later)
    purge_stale_uploads(now=later)
    orphans_after = len(orphan_files(older_than=0))
    temps_after = sum(1 for _ in upload_dir().glob("*.upload")) if upload_dir().exists() else 0
    ok = (
        not checked.broken
        and checked.gapless
        and checked.receipts_lost == 0
        and orphans_after == 0
        and temps_after == 0
    )
    fault(
        "worker_kill",
        ok,
        kills=KILLS,
        receipts_shown=len(receipts),
        receipts_open=checked.receipts_open,
        killed_before_answer=outcomes["no_answer"],
        reports=checked.reports,
        whole=checked.whole,
        broken=len(checked.broken),
        stored_without_receipt_shown=checked.reports - checked.receipts_open,
        references_gapless="yes" if checked.gapless else "no",
        orphan_files_before_purge=orphans_before + temps_before,
        orphan_files_after_purge=orphans_after + temps_after,
    )
    return ok


# --- 2. the files folder full, then read-only ------------------------------------------


def _mount(*args: str) -> None:
    subprocess.run(["mount", *args], check=True, capture_output=True)


def _nothing() -> None:
    return None


def _read_only(files: Path, filler: Path) -> None:
    filler.unlink()
    _mount("-o", "remount,ro", str(files))


def scenario_files(url: str, base: Path) -> bool:
    from django.conf import settings
    from django.utils import translation
    from django.utils.translation import gettext

    from amparo.cases.models import Case, ReferenceCounter

    data_dir = base / "files"
    files = data_dir / "files"
    files.mkdir(parents=True)
    try:
        _mount("-t", "tmpfs", "-o", "size=1m,mode=0700", "tmpfs", str(files))
    except (subprocess.CalledProcessError, FileNotFoundError) as error:
        reason = getattr(error, "stderr", b"") or b"mount unavailable"
        note(
            f"files: cannot mount a tmpfs ({reason!r}); see amparo/operations/tests/test_faults.py"
        )
        fault("files_full", False, skipped="no_tmpfs_mount_needs_root")
        return False
    env = app_environment(url, data_dir)
    port = PORTS["files"]
    with translation.override("fr"):
        message = gettext(
            "Your report could not be saved because of a problem on our side. Nothing was "
            "stored. What you wrote is kept below: please try again in a few minutes."
        )
    results: dict[str, bool] = {}
    figures: dict[str, object] = {}
    try:
        (files / "attachments").mkdir(mode=0o700)
        filler = files / "filler"
        with filler.open("wb", buffering=0) as out, contextlib.suppress(OSError):
            while True:
                out.write(b"\0" * 4096)
        with gunicorn(env, port, workers=2, threads=2):
            for name, prepare in (
                ("files_full", _nothing),
                ("files_read_only", lambda: _read_only(files, filler)),
            ):
                prepare()
                before_cases = Case.objects.count()
                before_counter = list(ReferenceCounter.objects.values_list("year", "last"))
                attempts = [submit(port, "fr") for _ in range(3)]
                translated = all(a.status == 503 and escape(message) in a.body for a in attempts)
                stored = sorted(p.name for p in (files / "attachments").iterdir())
                unchanged = (
                    Case.objects.count() == before_cases
                    and list(ReferenceCounter.objects.values_list("year", "last")) == before_counter
                )
                results[name] = translated and not stored and unchanged
                figures[name] = (
                    f"refused={sum(a.status == 503 for a in attempts)}/3 "
                    f"translated={'yes' if translated else 'no'} files_left={len(stored)} "
                    f"cases_added={Case.objects.count() - before_cases}"
                )
            _mount("-o", "remount,rw", str(files))
            after = submit(port, "fr")
            recovered = after.receipt is not None
    finally:
        subprocess.run(["umount", "-l", str(files)], check=False, capture_output=True)
    settings.MEDIA_ROOT = files
    for name in ("files_full", "files_read_only"):
        ok = results.get(name, False) and recovered
        print(
            f"fault: {name} {figures.get(name, '')} stored_once_writable="
            f"{'yes' if recovered else 'no'} result={'ok' if ok else 'FAILED'}",
            flush=True,
        )
    return all(results.values()) and recovered


# --- 3. 64 concurrent reporters for 60 s ------------------------------------------------


def run_reporters(
    port: int, count: int, until: Callable[[], bool]
) -> tuple[list[str], dict[str, int]]:
    receipts: list[str] = []
    outcomes: dict[str, int] = {}
    lock = threading.Lock()

    def reporter() -> None:
        while not until():
            attempt = submit(port)
            with lock:
                if attempt.receipt:
                    receipts.append(attempt.receipt)
                key = "ok" if attempt.receipt else (attempt.error or f"http_{attempt.status}")
                outcomes[key] = outcomes.get(key, 0) + 1

    threads = [threading.Thread(target=reporter) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return receipts, outcomes


def scenario_concurrent(url: str, base: Path) -> bool:
    data_dir = base / "concurrent"
    env = app_environment(url, data_dir)
    port = PORTS["concurrent"]
    first = last_case_id() + 1
    with gunicorn(env, port, workers=2, threads=4):
        deadline = time.monotonic() + CONCURRENT_SECONDS
        started = time.monotonic()
        receipts, outcomes = run_reporters(
            port, CONCURRENT_REPORTERS, lambda: time.monotonic() >= deadline
        )
        elapsed = time.monotonic() - started
    use_data_dir(data_dir)
    checked = check_reports(first, receipts)
    duplicated = checked.receipts_duplicated + max(0, checked.reports - len(receipts))
    ok = (
        checked.receipts_lost == 0
        and duplicated == 0
        and not checked.broken
        and checked.gapless
        and len(set(receipts)) == len(receipts)
    )
    fault(
        "concurrent_reporters",
        ok,
        reporters=CONCURRENT_REPORTERS,
        seconds=round(elapsed),
        receipts_shown=len(receipts),
        reports=checked.reports,
        lost=checked.receipts_lost,
        duplicated=duplicated,
        references_distinct="yes" if checked.gapless else "no",
        refused=sum(v for k, v in outcomes.items() if k != "ok"),
        per_second=f"{len(receipts) / elapsed:.1f}",
    )
    return ok


# --- 4. PostgreSQL restarted while reporters submit (LAST) ------------------------------


def pg_ctl(action: str) -> None:
    subprocess.run(
        ["pg_ctlcluster", *CLUSTER, action, *(["-m", "fast"] if action == "stop" else [])],
        check=True,
        capture_output=True,
    )


def database_answers() -> bool:
    try:
        with psycopg.connect(f"{SERVER}/postgres", connect_timeout=1) as probe:
            probe.execute("SELECT 1")
        return True
    except psycopg.Error:
        return False


def scenario_postgres_restart(url: str, base: Path) -> bool:
    from django.utils import translation
    from django.utils.translation import gettext

    if not url.startswith("postgresql://postgres@127.0.0.1:"):
        raise RuntimeError("the restart scenario runs only against 127.0.0.1")
    with translation.override("fr"):
        unavailable = gettext("Service temporarily unavailable")
    data_dir = base / "restart"
    env = app_environment(url, data_dir)
    port = PORTS["restart"]
    first = last_case_id() + 1
    probes: list[tuple[float, int, bool]] = []
    stop = threading.Event()
    times: dict[str, float] = {}

    def prober() -> None:
        while not stop.is_set():
            moment = time.monotonic()
            try:
                status, body = Reporter(port).request("GET", "/fr/report/")
                probes.append((moment, status, escape(unavailable) in body.decode()))
            except Exception:  # a refused connection is a probe result too
                probes.append((moment, 0, False))
            time.sleep(0.1)

    stopped = False
    with gunicorn(env, port, workers=2, threads=4):
        box: dict[str, Any] = {}
        reporters = threading.Thread(
            target=lambda: box.setdefault("r", run_reporters(port, 4, stop.is_set))
        )
        probe_thread = threading.Thread(target=prober)
        reporters.start()
        probe_thread.start()
        try:
            time.sleep(3)
            times["stop"] = time.monotonic()
            pg_ctl("stop")
            stopped = True
            times["stopped"] = time.monotonic()
            time.sleep(OUTAGE_SECONDS)
            times["start"] = time.monotonic()
            pg_ctl("start")
            while not database_answers():
                time.sleep(0.05)
            stopped = False
            times["back"] = time.monotonic()
            time.sleep(8)
        finally:
            if stopped:
                with contextlib.suppress(subprocess.CalledProcessError):
                    pg_ctl("start")
            stop.set()
            reporters.join()
            probe_thread.join()
    receipts, outcomes = box.get("r", ([], {}))
    use_data_dir(data_dir)
    during = [p for p in probes if times["stopped"] <= p[0] < times["start"]]
    translated = sum(1 for _m, status, french in during if status == 503 and french)
    served_again = [m for m, status, _f in probes if m >= times["back"] and status == 200]
    recovery = (served_again[0] - times["back"]) if served_again else float("inf")
    checked = check_reports(first, receipts)
    ok = (
        bool(during)
        and translated == len(during)
        and recovery <= RECOVERY_LIMIT_SECONDS
        and checked.receipts_lost == 0
        and not checked.broken
        and checked.gapless
    )
    fault(
        "postgres_restart",
        ok,
        outage_s=f"{times['back'] - times['stopped']:.1f}",
        probes_during_outage=len(during),
        translated_503=translated,
        serves_again_after_s=f"{recovery:.2f}",
        gunicorn_restarted="no",
        receipts_shown=len(receipts),
        receipts_open=checked.receipts_open,
        lost=checked.receipts_lost,
        reports=checked.reports,
        broken=len(checked.broken),
        references_gapless="yes" if checked.gapless else "no",
        refused_during_outage=sum(v for k, v in outcomes.items() if k != "ok"),
    )
    return ok


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
        scenarios = {
            "worker_kill": scenario_worker_kill,
            "files": scenario_files,
            "concurrent": scenario_concurrent,
            "postgres_restart": scenario_postgres_restart,  # last: others use this server
        }
        wanted = sys.argv[1:] or list(scenarios)
        results = [run(url, base) for name, run in scenarios.items() if name in wanted]
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
