"""Management commands print what they mean to, and nothing a library says on import."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_a_management_command_prints_no_library_chatter() -> None:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "amparo.settings", "PYTHONPATH": str(ROOT)}
    env.pop("AMPARO_LOG_LEVEL", None)
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "pikepdf" not in result.stdout + result.stderr
    assert result.stderr == ""
