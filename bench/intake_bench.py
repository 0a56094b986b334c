"""Report submissions through the real public form, against gunicorn on PostgreSQL.

Needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust authentication).
Creates the database amparo_intake_bench, migrates it and enrols one
coordinator (so every report is sealed to someone, as in production). Serves
the app with gunicorn as the README's production command does (gunicorn.conf.py,
two gthread workers of four threads) in production mode (AMPARO_ENV=production,
collected static files, plain HTTP as on an onion service: AMPARO_HTTPS=0), so
the loopback address counts as an unknown client, as Tor traffic does, and every
receipt is stretched with the production parameters. Then each simulated
reporter loads the form (GET, for the CSRF cookie and the one-time form token)
and sends a multipart report with a small photo (POST, timed), on one connection
kept alive between the two, as a browser does.

- submissions per second and p50/p95 of the POST at concurrency 1, 4 and 16
  (throughput counts the whole GET + POST cycle);
- follow-up sign-ins per second at concurrency 4 (real receipts), and how many
  the stretching cap refused;
- the same submissions at concurrency 4 while 8 clients flood the follow-up page
  with wrong codes: the per-client limit does not apply (unknown client) and the
  desk-wide attempt limit is off for the run, so the stretching cap is what holds;
- the growth of the gunicorn workers' peak resident memory (VmHWM) over their
  resident size once the app is imported and has served a page, and the absolute peak;
- the first form page on the wire (gzip): the compressed HTML plus the stylesheets,
  scripts and icon it loads, as WhiteNoise serves them (precompressed).

The submission limits and the desk-wide follow-up limit are switched off for the
run (every request comes from 127.0.0.1); nothing else is changed.

Run: .venv/bin/python bench/intake_bench.py
Prints `bench: <name> <value> <unit>` lines on stdout; progress on stderr.
Stops gunicorn and drops the database at the end, whatever happens.
"""

from __future__ import annotations

import contextlib
import gzip
import http.client
import io
import os
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
from PIL import Image
from support import (
    PRODUCTION_THREADS,
    PRODUCTION_WORKERS,
    free_port,
    gunicorn_process,
    note,
    percentile,
    report,
)

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

# Both overridable, so that a shared machine's engineer can keep to their own database
# and port range; the database is created and dropped by the run.
DATABASE = os.environ.get("AMPARO_BENCH_DATABASE", "amparo_intake_bench")
SERVER = "postgresql://postgres@127.0.0.1:5432"
LEVELS = {1: 16, 4: 32, 16: 64}  # concurrency: number of submissions
FLOOD_CLIENTS = 8
SIGN_INS = 24

ENROL = """
import django
django.setup()
from amparo.accounts import totp
from amparo.accounts.actions import do_enrol, do_invite
from amparo.accounts.models import Role
from amparo.crypto import generate_recovery_key
invitation, _token = do_invite(
    None, "coordinator", [Role.COORDINATOR, Role.HANDLER], confirmed_by_operator=True
)
do_enrol(
    invitation,
    password="bench " + "x" * 20,
    recovery_key=generate_recovery_key(),
    totp_secret=totp.generate_secret(),
)
"""

CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
FORM_TOKEN = re.compile(r'name="form_token" value="([^"]+)"')
RECEIPT = re.compile(r'id="receipt">([0-9 ]+)<')
STYLESHEET = re.compile(r'<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"')
SCRIPT = re.compile(r'<script[^>]+src="([^"]+)"')
ICON = re.compile(r'<link[^>]+rel="icon"[^>]+href="([^"]+)"')


# --- The database and the server -----------------------------------------------------


@contextlib.contextmanager
def database() -> Iterator[str]:
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{DATABASE}"')
    try:
        yield f"{SERVER}/{DATABASE}"
    finally:
        with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        note(f"dropped database {DATABASE}")


def app_environment(url: str, data_dir: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "amparo.settings",
            "AMPARO_ENV": "development",
            "AMPARO_DEBUG": "0",
            "AMPARO_DATABASE_URL": url,
            "AMPARO_DATA_DIR": data_dir,
            "AMPARO_SUBMISSIONS_PER_CLIENT_PER_HOUR": "0",
            "AMPARO_SUBMISSIONS_PER_HOUR": "0",
            "AMPARO_RECEIPT_ATTEMPTS_PER_MINUTE": "0",
            "AMPARO_LOG_LEVEL": "ERROR",
            # gunicorn.conf.py (read from the working directory) would log every request
            # to standard output, where only the figures belong.
            "AMPARO_ACCESS_LOG": "",
        }
    )
    return env


def worker_pids(master: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            stat = (entry / "stat").read_text()
            # The fields after the command name, which is in parentheses.
            if int(stat.rsplit(")", 1)[1].split()[1]) == master:
                pids.append(int(entry.name))
    return pids


def production_environment(url: str, data_dir: str) -> dict[str, str]:
    """app_environment in production mode, served over plain HTTP as an onion service is:
    the loopback address is then an unknown client, as Tor traffic is. Needs
    collectstatic (the manifest storage)."""
    env = app_environment(url, data_dir)
    env.update(
        {
            "AMPARO_ENV": "production",
            "AMPARO_HTTPS": "0",
            "AMPARO_SECRET_KEY": secrets.token_urlsafe(50),
            "AMPARO_ALLOWED_HOSTS": "127.0.0.1",
        }
    )
    return env


def peak_memory_mib(pid: int) -> float:
    return memory_mib(pid)


def memory_mib(pid: int, field: str = "VmHWM") -> float:
    """A /proc/PID/status memory field (VmHWM: peak resident; VmRSS: resident now)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return 0.0


# --- The simulated reporters -------------------------------------------------------


def photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (120, 90, 60)).save(out, format="JPEG", quality=85)
    return out.getvalue()


PHOTO = photo()


def multipart(
    fields: list[tuple[str, str]], files: list[tuple[str, str, bytes]]
) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    body = io.BytesIO()
    for name, value in fields:
        body.write(f"--{boundary}\r\n".encode())
        body.write(f'Content-Disposition: form-data; name="{name}"\r\n\r\n'.encode())
        body.write(value.encode() + b"\r\n")
    for name, filename, data in files:
        body.write(f"--{boundary}\r\n".encode())
        body.write(
            f'Content-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            "Content-Type: image/jpeg\r\n\r\n".encode()
        )
        body.write(data + b"\r\n")
    body.write(f"--{boundary}--\r\n".encode())
    return body.getvalue(), f"multipart/form-data; boundary={boundary}"


class Reporter:
    """One browser: its own connection and cookies.

    ``keep_alive``: one connection for all its requests, as a browser keeps it between
    loading the form and sending it; otherwise a new connection per request (the fault
    scenarios, which kill workers under it, want no retry on a reused one).
    """

    def __init__(self, port: int, *, keep_alive: bool = False) -> None:
        self.port = port
        self.keep_alive = keep_alive
        self.origin = f"http://127.0.0.1:{port}"
        self.cookies: dict[str, str] = {}
        self.receipt = ""
        self.connection: http.client.HTTPConnection | None = None

    def extra_headers(self) -> dict[str, str]:
        """Headers sent with every request besides the host, cookies and form ones."""
        return {}

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        content_type: str = "",
    ) -> tuple[int, bytes]:
        headers = {"Host": f"127.0.0.1:{self.port}", **self.extra_headers()}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if method == "POST":
            headers["Origin"] = self.origin
            headers["Content-Type"] = content_type
        reused = self.connection is not None
        if self.connection is None:
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=180)
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            data = response.read()
        except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
            self.close()
            if not reused:
                raise
            # The server closed the idle connection (its keep-alive ran out) before it
            # read this request: send it again on a new one, as a browser does.
            return self.request(method, path, body, content_type)
        except BaseException:
            self.close()
            raise
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        if response.will_close or not self.keep_alive:
            self.close()
        return response.status, data

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def submit(self, number: int) -> float:
        """Load the form, send a report; returns the POST's seconds."""
        status, page = self.request("GET", "/en/report/")
        assert status == 200, status
        text = page.decode()
        csrf = CSRF_FIELD.search(text)
        token = FORM_TOKEN.search(text)
        assert csrf and token
        fields = [
            ("csrfmiddlewaretoken", csrf.group(1)),
            ("form_token", token.group(1)),
            ("consent_store", "on"),
            ("consent_contact", "on"),
            ("reporting_for", "self"),
            ("what_happened", f"Benchmark report {number}: " + "followed and threatened. " * 40),
            ("when_month", "5"),
            ("when_year", "2025"),
            ("country", "UG"),
            ("place", "Gulu"),
            ("targeted", "Myself and my colleagues"),
            ("responsible", "Unknown men"),
            ("engagement", "witness"),
            ("website", ""),
        ]
        body, content_type = multipart(fields, [("files", f"photo-{number}.jpg", PHOTO)])
        started = time.perf_counter()
        status, answer = self.request("POST", "/en/report/", body, content_type)
        elapsed = time.perf_counter() - started
        found = RECEIPT.search(answer.decode()) if status == 200 else None
        if found is None:
            raise RuntimeError(f"submission {number} failed with HTTP {status}")
        self.receipt = found.group(1)
        return elapsed

    def sign_in(self, receipt: str) -> int:
        """Open a report with its receipt, as a returning reporter; returns the status."""
        status, page = self.request("GET", "/en/follow-up/")
        csrf = CSRF_FIELD.search(page.decode())
        assert csrf, status
        body = f"csrfmiddlewaretoken={csrf.group(1)}&receipt={receipt.replace(' ', '+')}"
        status, _ = self.request(
            "POST", "/en/follow-up/", body.encode(), "application/x-www-form-urlencoded"
        )
        return status

    def get_gzipped(self, path: str) -> tuple[int, bytes]:
        """GET as a browser that accepts gzip: the body as it crossed the wire."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=180)
        try:
            connection.request(
                "GET", path, headers={"Host": f"127.0.0.1:{self.port}", "Accept-Encoding": "gzip"}
            )
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    def wrong_code(self) -> int:
        status, page = self.request("GET", "/en/follow-up/")
        csrf = CSRF_FIELD.search(page.decode())
        assert csrf
        code = " ".join(f"{secrets.randbelow(10**4):04d}" for _ in range(7))
        body = f"csrfmiddlewaretoken={csrf.group(1)}&receipt={code.replace(' ', '+')}".encode()
        status, _ = self.request(
            "POST", "/en/follow-up/", body, "application/x-www-form-urlencoded"
        )
        return status


RECEIPTS: list[str] = []


def submit_one(port: int, number: int) -> float:
    reporter = Reporter(port, keep_alive=True)
    try:
        elapsed = reporter.submit(number)
    finally:
        reporter.close()
    RECEIPTS.append(reporter.receipt)
    return elapsed


def run_level(port: int, concurrency: int, count: int, first: int) -> tuple[float, list[float]]:
    """(submissions per second, POST latencies) for ``count`` reports at ``concurrency``."""
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        latencies = list(pool.map(lambda n: submit_one(port, n), range(first, first + count)))
    return count / (time.perf_counter() - started), latencies


def _sign_in_once(port: int, receipt: str) -> int:
    reporter = Reporter(port, keep_alive=True)
    try:
        return reporter.sign_in(receipt)
    finally:
        reporter.close()


def run_sign_ins(port: int, concurrency: int, receipts: list[str]) -> tuple[float, list[int]]:
    """(successful sign-ins per second, statuses) for one sign-in per receipt."""
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        statuses = list(pool.map(lambda r: _sign_in_once(port, r), receipts))
    ok = statuses.count(302)
    return ok / (time.perf_counter() - started), statuses


def first_page_wire_bytes(port: int) -> int:
    """The first form page as a browser that accepts gzip receives it."""
    reporter = Reporter(port)
    status, page = reporter.get_gzipped("/en/report/")
    assert status == 200
    total = len(page)
    text = gzip.decompress(page).decode()
    for asset in STYLESHEET.findall(text) + SCRIPT.findall(text) + ICON.findall(text):
        status, data = reporter.get_gzipped(asset)
        assert status == 200, asset
        total += len(data)
    return total


TRACED_SUBMISSION = """
import re, sys, tracemalloc
import django
django.setup()
from django.test import Client
from amparo.urls import urlpatterns  # noqa: F401  imports every view: part of the baseline
sys.path.insert(0, "bench")
from intake_bench import PHOTO
client = Client(HTTP_HOST="127.0.0.1")
page = client.get("/en/report/").content.decode()
token = re.search(r'name="form_token" value="([^"]+)"', page).group(1)
fields = {
    "form_token": token, "consent_store": "on", "consent_contact": "on",
    "reporting_for": "self", "what_happened": "Traced report: " + "followed. " * 80,
    "when_month": "5", "when_year": "2025", "country": "UG", "place": "Gulu",
    "targeted": "Myself", "responsible": "Unknown men", "engagement": "witness",
    "website": "",
}
from django.core.files.uploadedfile import SimpleUploadedFile
fields["files"] = SimpleUploadedFile("photo.jpg", PHOTO, content_type="image/jpeg")
tracemalloc.start()
response = client.post("/en/report/", fields)
peak = tracemalloc.get_traced_memory()[1]
assert response.status_code == 200 and b'id="receipt"' in response.content, response.status_code
print(peak)
"""


def traced_submission_peak(env: dict[str, str]) -> float:
    """tracemalloc's peak (MiB) over one submission, in a process that has imported the
    app and served the form first: Python's own allocations (Argon2's memory is C's)."""
    done = subprocess.run(
        [sys.executable, "-c", TRACED_SUBMISSION],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return int(done.stdout.strip().splitlines()[-1]) / (1024 * 1024)


def main() -> None:
    with database() as url, tempfile.TemporaryDirectory(prefix="amparo-intake-bench-") as data:
        env = production_environment(url, data)
        note("migrating, collecting static files")
        for command in (["migrate", "--no-input"], ["collectstatic", "--no-input"]):
            subprocess.run(
                [sys.executable, "manage.py", *command, "-v", "0"], cwd=ROOT, env=env, check=True
            )
        subprocess.run([sys.executable, "-c", ENROL], cwd=ROOT, env=env, check=True)
        port = int(os.environ.get("AMPARO_BENCH_PORT", "0")) or free_port()
        with gunicorn_process(env, port, production=True) as server:
            note(
                f"gunicorn on 127.0.0.1:{port}: "
                f"{PRODUCTION_WORKERS} workers x {PRODUCTION_THREADS} threads"
            )
            # Other work on the machine shows directly in these figures.
            note(f"load average before the run: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
            # Every worker imports the app and serves pages: the baseline for memory growth.
            with ThreadPoolExecutor(max_workers=8) as pool:
                list(pool.map(lambda _: Reporter(port).request("GET", "/en/report/"), range(16)))
            workers = worker_pids(server.pid)
            baseline = {pid: memory_mib(pid, "VmRSS") for pid in workers}
            report("intake_first_page_wire_bytes", first_page_wire_bytes(port), "bytes")
            run_level(port, 4, 8, first=10_000)  # warm-up: connections, first stretches
            number = 0
            sent = 8
            for concurrency, count in LEVELS.items():
                rate, latencies = run_level(port, concurrency, count, first=number)
                number += count
                sent += count
                report(f"intake_submissions_c{concurrency}", rate, "req/s")
                report(f"intake_p50_c{concurrency}", percentile(latencies, 0.5) * 1000, "ms")
                report(f"intake_p95_c{concurrency}", percentile(latencies, 0.95) * 1000, "ms")
                note(f"c{concurrency}: {count} reports, mean {statistics.mean(latencies):.3f} s")

            rate, statuses = run_sign_ins(port, 4, RECEIPTS[:SIGN_INS])
            report("followup_signins_c4", rate, "req/s")
            report("followup_signins_c4_refused", statuses.count(429), "count")
            note(f"sign-ins: {len(statuses)} with real receipts, statuses {sorted(set(statuses))}")
            if any(status not in (302, 429) for status in statuses):
                raise SystemExit(f"a follow-up sign-in failed: {statuses}")

            stop = threading.Event()
            flood_statuses: list[int] = []

            def flood() -> None:
                attacker = Reporter(port)
                while not stop.is_set():
                    flood_statuses.append(attacker.wrong_code())

            flooders = [threading.Thread(target=flood) for _ in range(FLOOD_CLIENTS)]
            for thread in flooders:
                thread.start()
            try:
                time.sleep(1)
                rate, latencies = run_level(port, 4, LEVELS[4], first=number)
            finally:
                stop.set()
                for thread in flooders:
                    thread.join()
            sent += LEVELS[4]
            report("intake_submissions_c4_followup_flood", rate, "req/s")
            report("intake_p50_c4_followup_flood", percentile(latencies, 0.5) * 1000, "ms")
            report("intake_p95_c4_followup_flood", percentile(latencies, 0.95) * 1000, "ms")
            note(
                f"flood: {len(flood_statuses)} follow-up attempts, "
                f"{flood_statuses.count(429)} turned away by the stretching cap, "
                f"{flood_statuses.count(400)} refused after stretching"
            )
            growth = max(memory_mib(pid) - baseline.get(pid, 0.0) for pid in workers)
            report("intake_peak_worker_memory", growth, "MiB")
            report("intake_peak_worker_rss", max(memory_mib(pid) for pid in workers), "MiB")
            note("intake_peak_worker_memory: VmHWM growth over VmRSS after imports and a page")

        report("intake_submission_tracemalloc_peak", traced_submission_peak(env), "MiB")
        sent += 1
        with psycopg.connect(url) as check:
            row = check.execute(
                "SELECT count(*), count(DISTINCT reference) FROM cases_case"
            ).fetchone()
        assert row is not None
        cases, references = row
        note(f"{cases} reports stored for {sent} sent, {references} distinct references")
        if cases != sent or references != sent:
            raise SystemExit("reports were lost or merged")


if __name__ == "__main__":
    main()
