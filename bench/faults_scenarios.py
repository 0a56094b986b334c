"""bench/faults.py's four scenarios (see its docstring for what each proves), in
the order they run: postgres_restart last, since it restarts the server the
others use."""

from __future__ import annotations

import contextlib
import os
import random
import signal
import statistics
import subprocess
import threading
import time
from collections.abc import Callable
from html import escape
from pathlib import Path
from typing import Any

import psycopg
from faults_support import (
    CLUSTER,
    CONCURRENT_REPORTERS,
    CONCURRENT_SECONDS,
    KILLS,
    OUTAGE_SECONDS,
    PORTS,
    RECOVERY_LIMIT_SECONDS,
    SERVER,
    Attempt,
    app_environment,
    check_reports,
    fault,
    gunicorn,
    last_case_id,
    load_form,
    post_report,
    submit,
    use_data_dir,
    wait_until_up,
)
from intake_bench import Reporter, worker_pids
from support import note

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


SCENARIOS: dict[str, Callable[[str, Path], bool]] = {
    "worker_kill": scenario_worker_kill,
    "files": scenario_files,
    "concurrent": scenario_concurrent,
    "postgres_restart": scenario_postgres_restart,  # last: others use this server
}
