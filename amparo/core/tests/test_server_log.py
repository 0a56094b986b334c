"""A real gunicorn run with gunicorn.conf.py: its logs keep no secret and no client.

Starts gunicorn on 127.0.0.1 with a fresh SQLite database, sends a staff search, an
enrolment visit with a real invitation token, a request with a bad Host header and a
malformed request line, each carrying recognisable secrets, then reads both logs.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
PORTS = range(8120, 8130)
SEARCH_WORDS = "Kampala-witness-Nakato"
USER_AGENT = "SecretAgentBrowser/9.9"
REFERER = "https://referrer.example/private-page"
MALFORMED = "MALFORMED-Request-Secret"
BAD_HOST = "attacker-chosen-host.example"


def free_port() -> int:
    for port in PORTS:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    pytest.skip("no free port in 8120-8129")


def run(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return done.stdout


def request(
    port: int, method: str, path: str, body: str = "", headers: dict[str, str] | None = None
) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    sent = {"User-Agent": USER_AGENT, "Referer": REFERER, **(headers or {})}
    if body:
        sent["Content-Type"] = "application/x-www-form-urlencoded"
    connection.request(method, path, body=body or None, headers=sent)
    status = connection.getresponse().status
    connection.close()
    return status


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, str, Path, Path]]:
    data = tmp_path_factory.mktemp("gunicorn")
    env = {
        **os.environ,
        "AMPARO_DATA_DIR": str(data),
        "AMPARO_ENV": "development",
        "DJANGO_SETTINGS_MODULE": "amparo.settings",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("AMPARO_DATABASE_URL", None)  # a private SQLite database, whatever the suite uses
    run(["migrate", "--no-input", "-v", "0"], env)
    link = run(["invite_staff", "logcheck", "--role", "handler"], env).strip().splitlines()[-1]
    token = link.rstrip("/").rsplit("/", 1)[-1]
    port = free_port()
    out, err = data / "stdout.log", data / "stderr.log"
    with out.open("wb") as stdout, err.open("wb") as stderr:
        process = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "-c",
                "gunicorn.conf.py",
                "amparo.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
            ],
            env=env,
            cwd=ROOT,
            stdout=stdout,
            stderr=stderr,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if request(port, "GET", "/healthz") == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                pytest.fail("gunicorn did not start: " + err.read_text(errors="replace"))
            time.sleep(0.3)
        yield port, token, out, err
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def logs(out: Path, err: Path) -> str:
    time.sleep(0.5)  # let the worker flush its lines
    return out.read_text(errors="replace") + err.read_text(errors="replace")


def test_the_logs_keep_no_secret_and_no_client(server: tuple[int, str, Path, Path]) -> None:
    port, token, out, err = server
    # A staff search (signed out here: the words travel all the same) by POST, and the
    # old GET form, whose query string must not be logged either.
    request(port, "POST", "/en/staff/cases/search/", body=f"q={SEARCH_WORDS}")
    request(port, "GET", f"/en/staff/cases/search/?q={SEARCH_WORDS}")
    # The enrolment link as the invitation gives it.
    assert request(port, "GET", f"/en/staff/enrol/{token}/") in (200, 302)
    # Django names the path when it refuses a form without its CSRF cookie.
    assert request(port, "POST", f"/en/staff/enrol/{token}/", body="state=x") == 403
    # A bad Host header: Django refuses it.
    assert request(port, "GET", "/en/", headers={"Host": BAD_HOST}) == 400
    # A malformed request line: gunicorn refuses it and logs the refusal.
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        raw.sendall(f"GET /en/?q={MALFORMED} HTTP/1.1 extra\r\nHost: x\r\n\r\n".encode())
        raw.recv(1024)
    text = logs(out, err)
    assert "/en/staff/enrol/[redacted]/" in text  # the access log is there, and quiet
    assert "Invalid request" in text  # so is the error log
    for secret in (token, SEARCH_WORDS, MALFORMED, BAD_HOST, USER_AGENT, "referrer.example"):
        assert secret not in text, secret
    assert "127.0.0.1" not in text  # no client address (nor the bind address, redacted too)
    assert "Traceback" not in text
