"""Time of a whole staff sign-in (password hash check, Argon2id key unwrap,
TOTP check and replay guard) with production parameters, on a throwaway
SQLite database.

Run: .venv/bin/python bench/accounts_bench.py
Prints `bench: staff_login <ms> ms` (median of several sign-ins).
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    data_dir = tempfile.mkdtemp(prefix="amparo-bench-")
    os.environ.update(
        DJANGO_SETTINGS_MODULE="amparo.settings",
        AMPARO_DATA_DIR=data_dir,
        AMPARO_DATABASE_URL=f"sqlite:///{data_dir}/bench.sqlite3",
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from amparo.accounts import totp
    from amparo.accounts.actions import do_enrol, do_invite, verify_sign_in
    from amparo.accounts.models import Role, User
    from amparo.crypto import generate_recovery_key

    password = "a benchmark passphrase 2026"  # noqa: S105
    secret = totp.generate_secret()
    invitation, _ = do_invite(None, "bench", [Role.HANDLER], confirmed_by_operator=True)
    do_enrol(
        invitation, password=password, recovery_key=generate_recovery_key(), totp_secret=secret
    )
    timings = []
    for _ in range(7):
        # A fresh step each time: every accepted code is single-use.
        User.objects.filter(username="bench").update(totp_last_step=0)
        start = time.perf_counter()
        signed_in = verify_sign_in("bench", password, totp.current_code(secret))
        timings.append((time.perf_counter() - start) * 1000)
        assert signed_in is not None
    print(f"bench: staff_login {statistics.median(timings):.0f} ms")


if __name__ == "__main__":
    main()
