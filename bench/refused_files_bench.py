"""What a refused report costs now: issue 15's attack against gunicorn on PostgreSQL.

The attack: a valid report form with four 7999 x 8000 PNGs (64 megapixels each, a few
kilobytes) and one .exe. Before the fix each such request decoded the four pictures
(about 4.6 s of CPU and 347 MB per request) and four in flight slowed a genuine report
from 0.4 s to 2.3 s. Measured here, with the same server set-up as intake_bench.py
(two gthread workers of four threads, production key-derivation cost) and the default
submission limits, each client with its own address as a reverse proxy would pass it:

- intake_refused_attack_p50: the attack's POST, one at a time (p50, ms);
- intake_report_p50_quiet / intake_report_p50_under_attack: a genuine report with a
  small photo, alone and while four attackers send the attack as fast as they can
  (each attacker's refusals count toward its limit: after 20 it gets a cheap 429);
- intake_refused_attack_worker_peak: the workers' peak resident memory (VmHWM) after
  the attacks (MiB);
- intake_sandbox_overhead_per_file: the cost of scrubbing a 640 x 480 photo in the
  bounded child process rather than in the worker (p50 difference, ms, in-process).

Run: .venv/bin/python bench/refused_files_bench.py (AMPARO_BENCH_DATABASE and
AMPARO_BENCH_PORT choose the scratch database, dropped at the end, and the port).
"""

from __future__ import annotations

import functools
import io
import itertools
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time

import intake_bench
from intake_bench import (
    CSRF_FIELD,
    ENROL,
    FORM_TOKEN,
    PHOTO,
    ROOT,
    Reporter,
    app_environment,
    database,
    multipart,
    peak_memory_mib,
    worker_pids,
)
from PIL import Image
from support import free_port, gunicorn_process, note, percentile, report

ATTACKERS = 4
ATTACKS = 8
REPORTS = 8


@functools.cache
def huge_png() -> bytes:
    out = io.BytesIO()
    Image.new("1", (7999, 8000)).save(out, "PNG")
    return out.getvalue()


EXE = b"MZ\x90\x00" + bytes(4096)


class Client(Reporter):
    """A reporter or an attacker with an address of its own (X-Real-IP, as a reverse
    proxy would pass it with AMPARO_CLIENT_ADDRESS_HEADER), so that the per-client
    limits tell them apart."""

    addresses = itertools.count(1)

    def __init__(self, port: int) -> None:
        super().__init__(port)
        number = next(self.addresses)
        self.address = f"10.0.{number // 250}.{number % 250 + 1}"

    def extra_headers(self) -> dict[str, str]:
        return {"X-Real-IP": self.address}


def attack(reporter: Reporter) -> tuple[int, float]:
    """Load the form, send the attack; (status, seconds of the POST)."""
    status, page = reporter.request("GET", "/en/report/")
    if status != 200:
        return status, 0.0
    text = page.decode()
    csrf, token = CSRF_FIELD.search(text), FORM_TOKEN.search(text)
    assert csrf and token
    fields = [
        ("csrfmiddlewaretoken", csrf.group(1)),
        ("form_token", token.group(1)),
        ("consent_store", "on"),
        ("reporting_for", "self"),
        ("what_happened", "A report that only carries bad files."),
        ("when_year", "2025"),
        ("country", "UG"),
        ("place", "Gulu"),
        ("targeted", "Myself"),
        ("responsible", "Unknown"),
        ("engagement", "witness"),
        ("website", ""),
    ]
    files = [("files", f"photo{i}.png", huge_png()) for i in range(4)] + [
        ("files", "setup.exe", EXE)
    ]
    body, content_type = multipart(fields, files)
    started = time.perf_counter()
    status, _answer = reporter.request("POST", "/en/report/", body, content_type)
    return status, time.perf_counter() - started


def reports(port: int, count: int, first: int) -> list[float]:
    return [Client(port).submit(number) for number in range(first, first + count)]


def sandbox_overhead_ms() -> float:
    """Measured in a child interpreter whose __main__ is no script: each sandboxed
    child runs the parent's __main__ again, which for this script (and its PNG) would
    be measured instead of the sandbox."""
    code = (
        "import sys; sys.path.insert(0, 'bench'); import refused_files_bench as b; "
        "print(b.measure_sandbox_overhead_ms())"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return float(done.stdout.strip().splitlines()[-1])


def measure_sandbox_overhead_ms() -> float:
    from amparo.intake.sandbox import scrub_in_sandbox
    from amparo.intake.scrub import scrub_upload

    max_bytes, max_pixels = 20 << 20, 40_000_000
    limits = {"max_bytes": max_bytes, "max_pixels": max_pixels}
    memory, seconds = 768 << 20, 15
    scrub_in_sandbox(  # starts the fork server
        PHOTO, max_bytes=max_bytes, max_pixels=max_pixels, memory_bytes=memory, seconds=seconds
    )
    inside, outside = [], []
    for _ in range(15):
        started = time.perf_counter()
        scrub_upload(io.BytesIO(PHOTO), **limits)
        inside.append(time.perf_counter() - started)
        started = time.perf_counter()
        scrub_in_sandbox(
            PHOTO, max_bytes=max_bytes, max_pixels=max_pixels, memory_bytes=memory, seconds=seconds
        )
        outside.append(time.perf_counter() - started)
    return (statistics.median(outside) - statistics.median(inside)) * 1000


def main() -> None:
    intake_bench.DATABASE = os.environ.get("AMPARO_BENCH_DATABASE", "amparo_refused_files_bench")
    report("intake_sandbox_overhead_per_file", sandbox_overhead_ms(), "ms")
    with database() as url, tempfile.TemporaryDirectory(prefix="amparo-refusal-bench-") as data:
        env = app_environment(url, data)
        # The default limits, per client as a reverse proxy names clients: the point is
        # that refusals now count, so an attacker is stopped after a few.
        env.update(
            {
                "AMPARO_CLIENT_ADDRESS_HEADER": "X-Real-IP",
                "AMPARO_SUBMISSIONS_PER_CLIENT_PER_HOUR": "20",
                "AMPARO_SUBMISSIONS_PER_HOUR": "600",
            }
        )
        note("migrating")
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
        subprocess.run([sys.executable, "-c", ENROL], cwd=ROOT, env=env, check=True)
        port = int(os.environ.get("AMPARO_BENCH_PORT", "0")) or free_port()
        with gunicorn_process(env, port, production=True) as server:
            note(f"load average before the run: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
            reports(port, 4, first=10_000)  # warm-up: imports, connections, fork servers
            attack(Client(port))
            quiet = reports(port, REPORTS, first=0)
            report("intake_report_p50_quiet", percentile(quiet, 0.5) * 1000, "ms")

            timings = []
            for _ in range(ATTACKS):
                status, seconds = attack(Client(port))
                if status != 400:
                    raise SystemExit(f"the attack was answered {status}, not 400")
                timings.append(seconds)
            report("intake_refused_attack_p50", percentile(timings, 0.5) * 1000, "ms")
            note(f"attack alone: mean {statistics.mean(timings) * 1000:.0f} ms")

            stop = threading.Event()
            sent: list[int] = []

            def attacker() -> None:
                reporter = Client(port)
                while not stop.is_set():
                    sent.append(attack(reporter)[0])

            threads = [threading.Thread(target=attacker) for _ in range(ATTACKERS)]
            for thread in threads:
                thread.start()
            try:
                time.sleep(1)
                under = reports(port, REPORTS, first=1000)
            finally:
                stop.set()
                for thread in threads:
                    thread.join()
            report("intake_report_p50_under_attack", percentile(under, 0.5) * 1000, "ms")
            note(
                f"{len(sent)} attacks sent during the genuine reports: {sent.count(400)} "
                f"refused after the file checks, {sent.count(429)} held by the limits"
            )
            peak = max(peak_memory_mib(pid) for pid in worker_pids(server.pid))
            report("intake_refused_attack_worker_peak", peak, "MiB")


if __name__ == "__main__":
    main()
