"""Production mode refuses to start half-configured, and passes Django's
deployment checklist once configured."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def run_manage(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("AMPARO_") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    clean.update(DJANGO_SETTINGS_MODULE="amparo.settings", AMPARO_DATA_DIR=str(tmp_path), **env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


PRODUCTION = {
    "AMPARO_ENV": "production",
    "AMPARO_SECRET_KEY": "k" * 20 + "Z9-q#x!Lm2@Pw7$Rt5^Yv8&Bn3*Hc6(Jd4)Fg1",
    "AMPARO_ALLOWED_HOSTS": "amparo.example.org",
    "AMPARO_DATABASE_URL": "postgres://amparo@db.invalid/amparo",
    # A complete production configuration also says where staff e-mails link to
    # and whom they come from (the notify app checks both).
    "AMPARO_BASE_URL": "https://amparo.example.org",
    "AMPARO_EMAIL_FROM": "desk@amparo.example.org",
}


REQUIRED = ["AMPARO_SECRET_KEY", "AMPARO_ALLOWED_HOSTS", "AMPARO_DATABASE_URL"]


@pytest.mark.parametrize("missing", REQUIRED)
def test_it_refuses_to_start_in_production_without(missing: str, tmp_path: Path) -> None:
    env = {k: v for k, v in PRODUCTION.items() if k != missing}
    result = run_manage(tmp_path, "check", **env)
    assert result.returncode != 0
    assert missing in result.stderr
    # The refusal names the variable, never a value of another one.
    assert PRODUCTION["AMPARO_SECRET_KEY"] not in result.stderr


def test_it_reads_secrets_from_files(tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text(PRODUCTION["AMPARO_SECRET_KEY"] + "\n")
    env = {k: v for k, v in PRODUCTION.items() if k != "AMPARO_SECRET_KEY"}
    result = run_manage(tmp_path, "check", AMPARO_SECRET_KEY_FILE=str(secret), **env)
    assert result.returncode == 0, result.stderr


def test_it_passes_the_deployment_checklist_in_production(tmp_path: Path) -> None:
    result = run_manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_it_refuses_an_unknown_environment_name(tmp_path: Path) -> None:
    result = run_manage(tmp_path, "check", AMPARO_ENV="prod")
    assert result.returncode != 0
    assert "AMPARO_ENV" in result.stderr
