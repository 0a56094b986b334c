"""What every benchmark script shares: the output format and small helpers."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent  # the venv the bench runs in


def report(name: str, value: float, unit: str) -> None:
    """One figure, as `make bench` prints them: `bench: <name> <value> <unit>`."""
    digits = 1 if unit in {"req/s", "x"} else 0
    print(f"bench: {name} {value:.{digits}f} {unit}", flush=True)


def note(text: str) -> None:
    """Progress and details, on stderr so stdout holds only the figures."""
    print(f"  {text}", file=sys.stderr, flush=True)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


# The README's production command: gunicorn.conf.py, gthread workers.
PRODUCTION_WORKERS = 2
PRODUCTION_THREADS = 4


@contextlib.contextmanager
def gunicorn_process(
    env: dict[str, str], port: int, *, production: bool = False
) -> Iterator[subprocess.Popen[bytes]]:
    """Serve the project with gunicorn on 127.0.0.1:``port`` until the block ends.

    ``production``: as the README's production command does (gunicorn.conf.py, two
    gthread workers of four threads; its hooks too, such as starting the file sandbox
    at worker boot), logging warnings only; otherwise two plain sync workers without
    the configuration file. Yields the master process once /healthz answers; a server
    that does not come up within a minute (or dies) raises instead of hanging the bench.
    """
    base = f"http://127.0.0.1:{port}"
    command = [str(BIN / "gunicorn")]
    if production:
        command += ["-c", "gunicorn.conf.py"]
    command += ["amparo.wsgi:application", "--bind", f"127.0.0.1:{port}"]
    if production:
        command += [
            "--workers",
            str(PRODUCTION_WORKERS),
            "--threads",
            str(PRODUCTION_THREADS),
            "--worker-class",
            "gthread",
            "--timeout",
            "120",
            "--log-level",
            "warning",
        ]
    else:
        command += ["--workers", "2", "--timeout", "300"]
    process = subprocess.Popen(command, cwd=ROOT, env=env)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=5):  # noqa: S310
                    break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.5)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        note("stopped gunicorn")


@contextlib.contextmanager
def gunicorn(env: dict[str, str], port: int) -> Iterator[str]:
    """gunicorn_process() (development mode), yielding the base URL."""
    with gunicorn_process(env, port):
        yield f"http://127.0.0.1:{port}"
