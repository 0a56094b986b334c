"""Helpers for the operations tests: a seeded desk, subprocesses on a fresh data folder."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

from amparo.accounts.models import Role
from amparo.cases.actions.create import ConsentChoice, do_create_case
from amparo.cases.actions.desk import do_add_message
from amparo.cases.files import store_attachment
from amparo.cases.models import Case, Sender
from amparo.tests.base import PASSWORD, enrol_persona

ROOT = Path(__file__).resolve().parents[3]

# Run inside a fresh installation: open every case with the coordinator's key,
# decrypt its answers, messages and files; print one line per case.
CHECK_SCRIPT = """
import django, sys
django.setup()
from amparo.accounts.models import User
from amparo.cases.files import iter_plaintext
from amparo.cases.models import Attachment, Case, Message
from amparo.cases.vault import open_for_staff
from amparo.crypto import unwrap_with_password
coordinator = User.objects.get(username="coordinator")
key = unwrap_with_password(bytes(coordinator.private_key_by_password), sys.argv[1])
opened_count = 0
for case in Case.objects.order_by("id"):
    opened = open_for_staff(case, coordinator, key)
    answers = opened.answers()
    for message in Message.objects.filter(case=case):
        opened.decrypt_text(message.body, message.aad_field())
    for attachment in Attachment.objects.filter(case=case):
        b"".join(iter_plaintext(opened, attachment))
    opened_count += 1
    print("opened", case.reference, answers["narrative"])
print("cases", Case.objects.count(), "opened", opened_count)
"""


def seed_desk(cases: int = 3) -> list[Case]:
    """A coordinator and ``cases`` reports, each with a message and a file."""
    enrol_persona("coordinator", [Role.COORDINATOR, Role.HANDLER])
    made = []
    for number in range(cases):
        new = do_create_case(
            answers={"narrative": f"narrative number {number}"},
            language="en",
            questionnaire_version="test",
            consents=[ConsentChoice("store", True, "test")],
        )
        do_add_message(new.opened, sender=Sender.REPORTER, text=f"message {number}")
        attachment = store_attachment(
            new.opened,
            io.BytesIO(b"file content %d " % number * 100),
            name=f"file{number}.txt",
            content_type="text/plain",
            scrubbed=False,
        )
        attachment.save()
        made.append(new.case)
    return made


def fresh_env(data_dir: Path, database_url: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "AMPARO_DATABASE_URL"}
    env.update(
        {
            "AMPARO_DATA_DIR": str(data_dir),
            "DJANGO_SETTINGS_MODULE": "amparo.settings_test",
            "PYTHONPATH": str(ROOT),
            "AMPARO_SECRET_KEY": settings.SECRET_KEY,
        }
    )
    if database_url:
        env["AMPARO_DATABASE_URL"] = database_url
    return env


def manage(
    env: dict[str, str], *args: str, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=env,
        capture_output=True,
        text=True,
        input=stdin,
        timeout=300,
        check=False,
    )


def check_cases(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", CHECK_SCRIPT, PASSWORD],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
