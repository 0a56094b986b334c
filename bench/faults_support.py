"""What bench/faults.py's scenarios share: the installation (gunicorn on PostgreSQL),
a reporter driving the public form, and the checks run straight on the database."""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from intake_bench import PHOTO, Reporter, multipart

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
