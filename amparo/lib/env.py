"""Typed readers for AMPARO_* environment variables.

Secrets may also be given as ``NAME_FILE`` pointing at a file (Docker/systemd
credentials), so they need not appear in the process environment.
"""

from __future__ import annotations

import os
from pathlib import Path

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class MissingSetting(RuntimeError):
    """A variable that production requires is not set."""


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def envbool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(f"{name} must be one of 1/0, true/false, yes/no, on/off; got {raw!r}")


def envint(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"{name} must be a whole number; got {raw!r}") from None


def envlist(name: str, default: list[str] | None = None) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


def envsecret(name: str, default: str = "") -> str:
    """Return ``NAME`` or the contents of the file named by ``NAME_FILE``."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        try:
            return Path(path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            # The message names the variable, never the secret.
            raise MissingSetting(f"{name}_FILE points at a file that cannot be read") from exc
    return os.environ.get(name, default)


def require(name: str, value: str) -> str:
    if not value:
        raise MissingSetting(
            f"{name} must be set when AMPARO_ENV=production (or {name}_FILE for secrets)"
        )
    return value
