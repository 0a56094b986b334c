"""What every benchmark script shares: the output format and small helpers."""

from __future__ import annotations

import socket
import sys


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
