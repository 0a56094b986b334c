"""Backups that restore: round trip on a fresh installation, and every refusal."""

from __future__ import annotations

import errno
import os
import shutil
from collections import namedtuple
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings

from amparo.cases.models import Case
from amparo.operations import archive, backup
from amparo.operations.archive import BackupRefused
from amparo.operations.backup import BackupError, write_backup
from amparo.operations.backupkeys import (
    BadBackupKey,
    new_backup_keypair,
    parse_private_key,
    parse_public_key,
)
from amparo.operations.restore import restore_backup, verify_backup
from amparo.operations.tests.support import check_cases, fresh_env, manage, seed_desk

pytestmark = pytest.mark.django_db(transaction=True)

POSTGRES = os.environ.get("AMPARO_DATABASE_URL", "").startswith("postgres")
Keys = namedtuple("Keys", "text public private")


@pytest.fixture
def keys() -> Keys:
    pair = new_backup_keypair()
    public, private = parse_private_key(pair.private)
    assert public == parse_public_key(pair.public)
    return Keys(pair.private, public, private)


@pytest.fixture
def media(tmp_path: Path):
    root = tmp_path / "live-files"
    with override_settings(MEDIA_ROOT=root):
        yield root


def _flip(path: Path, offset: int) -> None:
    with path.open("r+b") as handle:
        handle.seek(offset)
        byte = handle.read(1)
        handle.seek(offset)
        handle.write(bytes([byte[0] ^ 0x01]))


def _empty(path: Path) -> bool:
    return not path.exists() or not any(p.is_file() for p in path.rglob("*"))


@pytest.mark.skipif(POSTGRES, reason="the SQLite round trip; PostgreSQL has its own test")
def test_it_restores_a_sqlite_backup_on_a_fresh_data_folder(tmp_path, keys, media) -> None:
    seeded = seed_desk(3)
    result = write_backup(tmp_path, [keys.public])
    assert result.cases == 3 and result.files == 3
    raw = result.path.read_bytes()
    # The server wrote it but cannot read it: no database page, no narrative in clear.
    assert b"SQLite format 3" not in raw and b"narrative number" not in raw

    key_file = tmp_path / "backup.key"
    key_file.write_text(keys.text)
    env = fresh_env(tmp_path / "fresh")
    restored = manage(env, "restore", str(result.path), "--key-file", str(key_file))
    assert restored.returncode == 0, restored.stderr
    assert "restored: 3 cases, 3 files" in restored.stdout

    audit = manage(env, "verify_audit")
    assert audit.returncode == 0 and "audit chain OK" in audit.stdout
    opened = check_cases(env)
    assert opened.returncode == 0, opened.stderr
    assert "cases 3 opened 3" in opened.stdout
    for case in seeded:
        assert f"opened {case.reference}" in opened.stdout

    # A second restore onto the now populated installation is refused.
    again = manage(env, "restore", str(result.path), "--key-file", str(key_file))
    assert again.returncode != 0 and "not empty" in again.stderr


@pytest.mark.skipif(not POSTGRES, reason="needs AMPARO_DATABASE_URL=postgres://...")
def test_it_restores_a_postgresql_backup_into_a_scratch_database(tmp_path, keys, media) -> None:
    import psycopg
    from psycopg import sql

    seed_desk(2)
    result = write_backup(tmp_path, [keys.public])
    key_file = tmp_path / "backup.key"
    key_file.write_text(keys.text)
    db: dict[str, Any] = dict(settings.DATABASES["default"])
    scratch = f"{db['NAME']}_restore"
    conninfo = {k.lower(): db[k] for k in ("HOST", "PORT", "USER", "PASSWORD") if db.get(k)}
    with psycopg.connect(dbname="postgres", autocommit=True, **conninfo) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(scratch)))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(scratch)))
    try:
        url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{scratch}"
        env = fresh_env(tmp_path / "fresh", url)
        if db.get("PASSWORD"):
            env["PGPASSWORD"] = db["PASSWORD"]
        restored = manage(env, "restore", str(result.path), "--key-file", str(key_file))
        assert restored.returncode == 0, restored.stderr
        assert manage(env, "verify_audit").returncode == 0
        opened = check_cases(env)
        assert "cases 2 opened 2" in opened.stdout, opened.stderr
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **conninfo) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(scratch)))


def _refused_without_writing(path: Path, keys: Keys, tmp_path: Path, needle: str | None) -> None:
    """restore refuses ``path`` and leaves the installation exactly as it was."""
    data = tmp_path / "target"
    data.mkdir(parents=True)
    before = Case.objects.count()
    with (
        override_settings(DATA_DIR=data, MEDIA_ROOT=data / "files"),
        pytest.raises(BackupRefused, match=needle),
    ):
        restore_backup(path, keys.public, keys.private)
    assert list(data.iterdir()) == []  # no staging folder, no files, no database
    assert Case.objects.count() == before


def test_one_flipped_byte_anywhere_is_refused_before_anything_is_written(
    tmp_path, keys, media
) -> None:
    seed_desk(2)
    good = write_backup(tmp_path, [keys.public]).path
    size = good.stat().st_size
    for offset in (20, 200, size // 3, size // 2, size - 10):
        bad = tmp_path / f"flipped-{offset}.bin"
        shutil.copy(good, bad)
        _flip(bad, offset)
        _refused_without_writing(bad, keys, tmp_path / f"t{offset}", None)
    assert verify_backup(good, keys.public, keys.private).cases == 2


def test_truncated_and_extended_backups_are_refused(tmp_path, keys, media) -> None:
    seed_desk(1)
    good = write_backup(tmp_path, [keys.public]).path
    data = good.read_bytes()
    cut = tmp_path / "cut.bin"
    cut.write_bytes(data[: len(data) - 100])
    _refused_without_writing(cut, keys, tmp_path / "a", "damaged, truncated or altered")
    longer = tmp_path / "longer.bin"
    longer.write_bytes(data + b"\0" * 100)
    _refused_without_writing(longer, keys, tmp_path / "b", "damaged, truncated or altered")
    short = tmp_path / "short.bin"
    short.write_bytes(data[:10])
    _refused_without_writing(short, keys, tmp_path / "c", "not an Amparo backup")


def test_a_backup_of_another_installation_is_refused(tmp_path, keys, media) -> None:
    seed_desk(1)
    with override_settings(SECRET_KEY="another-installation-" + "y" * 40):
        foreign = write_backup(tmp_path, [keys.public]).path
    _refused_without_writing(foreign, keys, tmp_path / "t", "another installation")


def test_a_forged_manifest_is_refused_even_with_the_right_installation_id(
    tmp_path, keys, media, monkeypatch
) -> None:
    """Whoever holds a backup public key can encrypt a file: only the manifest's HMAC,
    under this installation's secret, makes it one we restore."""
    seed_desk(1)
    monkeypatch.setattr(
        backup, "manifest_mac", lambda canonical, secret=None: "0" * 64, raising=True
    )
    forged = write_backup(tmp_path, [keys.public]).path
    _refused_without_writing(forged, keys, tmp_path / "t", "not written by this installation")


def test_the_wrong_private_key_is_refused(tmp_path, keys, media) -> None:
    seed_desk(1)
    path = write_backup(tmp_path, [keys.public]).path
    other = parse_private_key(new_backup_keypair().private)
    with pytest.raises(BackupRefused, match="not encrypted to the key"):
        verify_backup(path, *other)


def test_any_of_several_recipients_can_restore(tmp_path, keys, media) -> None:
    seed_desk(1)
    second = parse_private_key(new_backup_keypair().private)
    path = write_backup(tmp_path, [keys.public, second[0]]).path
    assert verify_backup(path, keys.public, keys.private).cases == 1
    assert verify_backup(path, *second).cases == 1


def test_it_refuses_a_missing_or_full_target_with_a_clear_message(
    tmp_path, keys, media, monkeypatch
) -> None:
    with pytest.raises(BackupError, match="does not exist"):
        write_backup(tmp_path / "nowhere", [keys.public])
    with pytest.raises(BackupError, match="no backup public key"):
        write_backup(tmp_path, [])
    Usage = namedtuple("Usage", "total used free")
    monkeypatch.setattr(shutil, "disk_usage", lambda path: Usage(10, 10, 1024))
    with pytest.raises(BackupError, match="too full"):
        write_backup(tmp_path, [keys.public])
    assert list(tmp_path.glob("*.bin")) == []


def test_a_disk_that_fills_while_writing_leaves_no_partial_file(
    tmp_path, keys, media, monkeypatch
) -> None:
    seed_desk(2)
    real_write = archive.EncryptingSink.write
    written = {"bytes": 0}

    def filling(self, data):
        written["bytes"] += len(data)
        if written["bytes"] > 40_000:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(self, data)

    monkeypatch.setattr(archive.EncryptingSink, "write", filling)
    with pytest.raises(BackupError, match="filled up while writing"):
        write_backup(tmp_path, [keys.public])
    assert [p.name for p in tmp_path.iterdir() if p.is_file()] == []


def test_the_command_line(tmp_path, keys, media) -> None:
    seed_desk(1)
    env = fresh_env(tmp_path / "elsewhere")
    generated = manage(env, "backup_keygen")
    assert "private key: amparo-backup-private-v1:" in generated.stdout
    parse_private_key(generated.stdout)
    with pytest.raises(BadBackupKey):
        parse_public_key("amparo-backup-public-v1:short")
    bad = manage(env, "backup", "--to", str(tmp_path), "--recipient", "nonsense")
    assert bad.returncode != 0 and "bad backup public key" in bad.stderr


def test_backup_command_writes_an_audit_event(tmp_path, keys, media) -> None:
    from django.core.management import call_command

    from amparo.audit.models import AuditEvent

    seed_desk(1)
    pair = new_backup_keypair()
    with override_settings(AMPARO_BACKUP_PUBLIC_KEYS=[pair.public]):
        call_command("backup", "--to", str(tmp_path), stdout=open(os.devnull, "w"))  # noqa: SIM115
    event = AuditEvent.objects.filter(action="backup_made").get()
    assert event.details["cases"] == 1
    assert connection.vendor in {"sqlite", "postgresql"}
    path = next(tmp_path.glob("amparo-backup-*.bin"))
    assert verify_backup(path, *parse_private_key(pair.private)).cases == 1
