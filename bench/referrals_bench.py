"""Referral packages: build time against secretstream, and peak memory growth.

Run: .venv/bin/python bench/referrals_bench.py
Prints `bench: referral_package_ratio <x> x` (the time to build a package
holding 5 MB of files, divided by the time libsodium's secretstream takes to
encrypt the same bytes; goal <= 2) and `bench: referral_package_peak_memory
<MiB> MiB` (how much the process's peak resident memory grows while one
package is built; goal <= 32). A temporary SQLite database and files folder
are made and removed.
"""

from __future__ import annotations

import io
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from support import note, report

FILES = 5
FILE_BYTES = 1_000_000  # 5 files of 1 MB: 5 MB in the package
ROUNDS = 5


class Sink(io.RawIOBase):
    def writable(self) -> bool:
        return True

    def write(self, data: object) -> int:
        return len(data)  # type: ignore[arg-type]


def setup_django(data_dir: Path) -> None:
    os.environ["AMPARO_DATA_DIR"] = str(data_dir)
    os.environ.pop("AMPARO_DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "amparo.settings_test"
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", "--no-input", "-v", "0")


def current_rss_kib() -> int:
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") // 1024


def main() -> None:
    data_dir = Path(tempfile.mkdtemp(prefix="amparo-referrals-bench-"))
    try:
        run(data_dir)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def run(data_dir: Path) -> None:
    setup_django(data_dir)
    import pysequoia
    from django.db import connections, transaction

    from amparo.accounts.models import Role
    from amparo.cases.actions.create import ConsentChoice, do_create_case
    from amparo.cases.files import store_attachment
    from amparo.cases.models import ConsentMethod
    from amparo.consent.actions import FOLLOW_UP_WORDING, do_record_consent
    from amparo.crypto import encrypt_file, file_associated_data, new_data_key
    from amparo.referrals import openpgp
    from amparo.referrals.actions.approval import do_prepare_referral
    from amparo.referrals.actions.partners import (
        PartnerValues,
        do_add_partner,
        do_confirm_partner_key,
    )
    from amparo.referrals.package import build_contents
    from amparo.referrals.signing import do_create_signing_key, unlock
    from amparo.tests.base import enrol_persona

    coordinator = enrol_persona("coordinator", [Role.COORDINATOR, Role.HANDLER])
    admin = enrol_persona("admin", [Role.ADMINISTRATOR])
    created = do_create_case(
        answers={"narrative": "benchmark"},
        language="en",
        questionnaire_version="bench",
        consents=[ConsentChoice("store", True, "b")],
    )
    contents = [os.urandom(FILE_BYTES) for _ in range(FILES)]
    codes = ["answer:narrative"]
    for index, content in enumerate(contents):
        with transaction.atomic():
            attachment = store_attachment(
                created.opened,
                io.BytesIO(content),
                name=f"file-{index}.bin",
                content_type="application/octet-stream",
                scrubbed=True,
            )
            attachment.save()
        codes.append(f"file:{attachment.public_id}")
    partner_key = pysequoia.Tsk.generate("Bench <bench@example.org>")
    partner = do_add_partner(
        admin.user,
        PartnerValues("Bench", "emergency_fund", "bench@example.org", ["en"], [], [], []),
        str(pysequoia.Cert.from_bytes(bytes(partner_key))),
    )
    partner = do_confirm_partner_key(admin.user, partner, typed=partner.fingerprint)
    grant = do_record_consent(
        created.case,
        scope="share",
        granted=True,
        method=ConsentMethod.FOLLOW_UP,
        wording_version=FOLLOW_UP_WORDING,
        partner=partner,
        fields=codes,
    )
    referral = do_prepare_referral(
        created.opened, coordinator.user, partner=partner, fields=codes, cover_note="bench"
    )
    do_create_signing_key(coordinator.user)
    _key, signer = unlock(coordinator.user, coordinator.private_key())
    recipient = openpgp.load_certificate(partner.certificate)

    def build() -> bytes:
        built = build_contents(
            created.opened,
            referral_id=referral.public_id,
            partner=partner,
            fields=codes,
            cover_note="bench",
            consent=grant,
        )
        return openpgp.encrypt_and_sign(built.plaintext, recipient, signer)

    payload = b"".join(contents)

    def secretstream() -> None:
        encrypt_file(
            new_data_key(),
            io.BytesIO(payload),
            Sink(),
            associated=file_associated_data("bench", "bench"),
        )

    build()  # warm up: imports, first template and catalog loads
    secretstream()
    build_times, stream_times = [], []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        package = build()
        build_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        secretstream()
        stream_times.append(time.perf_counter() - started)
    build_s, stream_s = statistics.median(build_times), statistics.median(stream_times)
    note(
        f"package of {len(payload) / 1e6:.0f} MB of files: built in {build_s * 1000:.0f} ms "
        f"(median of {ROUNDS}), {len(package) / 1e6:.2f} MB; secretstream on the same bytes "
        f"{stream_s * 1000:.0f} ms"
    )
    report("referral_package_ratio", build_s / stream_s, "x")

    # Peak memory: in a forked child, whose high-water mark starts at its
    # current size, so the growth is the build's alone (Rust allocations included).
    connections.close_all()
    read_end, write_end = os.pipe()
    child = os.fork()
    if child == 0:
        os.close(read_end)
        before = current_rss_kib()
        build()
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        os.write(write_end, f"{peak - before}".encode())
        os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end) as pipe:
        growth_kib = int(pipe.read() or "0")
    os.waitpid(child, 0)
    note(f"peak resident memory grew by {growth_kib / 1024:.1f} MiB while one package was built")
    report("referral_package_peak_memory", growth_kib / 1024, "MiB")


if __name__ == "__main__":
    main()
