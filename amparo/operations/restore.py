"""Restoring a backup onto a fresh installation with the same database engine.

Two passes over the file. The first decrypts and hashes everything and checks
the manifest (its HMAC, this installation's id, the engine, every member's
size and SHA-256, nothing missing, nothing extra) and writes nothing at all.
Only then does the second pass extract into a private staging folder,
checking every hash again (the file could have changed in between), and
install the database and the files.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import connection, connections

from amparo.operations import backup as backup_module
from amparo.operations.archive import (
    FILES_DIR,
    MANIFEST_NAME,
    BackupRefused,
    DecryptingReader,
    Header,
    MemberDigest,
    canonical,
    iter_members,
    open_file_key,
    read_header,
)
from amparo.operations.backupkeys import is_this_installation, manifest_mac_ok


@dataclass
class Manifest:
    installation: str
    engine: str
    created: str
    cases: int
    members: list[dict[str, Any]]

    def database_member(self) -> str:
        return next(m["name"] for m in self.members if m["name"].startswith("database/"))

    def file_members(self) -> list[str]:
        return [m["name"] for m in self.members if m["name"].startswith(f"{FILES_DIR}/")]


def _open(path: Path, public: bytes, private: bytes) -> tuple[IO[bytes], Header, bytes]:
    src = path.open("rb")
    try:
        header = read_header(src)
        if not is_this_installation(header.installation):
            raise BackupRefused(
                "this backup belongs to another installation (or this installation's "
                "AMPARO_SECRET_KEY is not the one the backup was made with)"
            )
        if header.engine != backup_module.engine():
            raise BackupRefused(
                f"this backup holds a {header.engine} database; restore it on an "
                f"installation that uses {header.engine}, not {backup_module.engine()}"
            )
        return src, header, open_file_key(header, public, private)
    except BaseException:
        src.close()
        raise


def _walk(
    path: Path, public: bytes, private: bytes, sink: Callable[[str], IO[bytes]] | None = None
) -> Manifest:
    src, header, file_key = _open(path, public, private)
    with src:
        seen: list[MemberDigest] = []
        manifest_bytes: bytes | None = None
        reader = DecryptingReader(src, file_key, header)
        try:
            for digest, content in iter_members(reader, sink):
                if manifest_bytes is not None:
                    raise BackupRefused("the backup holds files after its manifest")
                if digest.name == MANIFEST_NAME:
                    manifest_bytes = content
                else:
                    seen.append(digest)
        except (OSError, EOFError, ValueError) as error:
            if isinstance(error, BackupRefused):
                raise
            raise BackupRefused(f"the backup is damaged ({type(error).__name__})") from None
    if manifest_bytes is None:
        raise BackupRefused("the backup has no manifest: it is truncated")
    return _check_manifest(manifest_bytes, header, seen)


def _check_manifest(raw: bytes, header: Header, seen: list[MemberDigest]) -> Manifest:
    try:
        manifest = json.loads(raw)
        mac = manifest.pop("mac")
    except (ValueError, KeyError, AttributeError):
        raise BackupRefused("the backup's manifest is damaged") from None
    if not manifest_mac_ok(canonical(manifest), str(mac)):
        raise BackupRefused("the backup's manifest was not written by this installation")
    if manifest.get("installation") != header.installation:
        raise BackupRefused("the manifest and the header name different installations")
    if manifest.get("engine") != header.engine:
        raise BackupRefused("the manifest and the header name different databases")
    listed = [(m["name"], m["size"], m["sha256"]) for m in manifest.get("members", [])]
    found = [(d.name, d.size, d.sha256) for d in seen]
    if listed != found:
        missing = {n for n, _s, _h in listed} - {n for n, _s, _h in found}
        if missing:
            raise BackupRefused(f"{len(missing)} file(s) listed in the manifest are missing")
        raise BackupRefused("a file in the backup does not match its SHA-256 in the manifest")
    if sum(1 for n, _s, _h in listed if n.startswith("database/")) != 1:
        raise BackupRefused("the backup does not hold exactly one database copy")
    return Manifest(
        installation=manifest["installation"],
        engine=manifest["engine"],
        created=manifest["created"],
        cases=int(manifest.get("cases", 0)),
        members=manifest["members"],
    )


def verify_backup(path: Path, public: bytes, private: bytes) -> Manifest:
    """Decrypt and check the whole file without writing anything; BackupRefused if bad."""
    return _walk(path, public, private)


def _table_names() -> set[str]:
    return set(connection.introspection.table_names())


def check_fresh() -> None:
    """Refuse to restore over an installation that already holds people or cases."""
    attachments = backup_module.media_root()
    if attachments.exists() and any(p.is_file() for p in attachments.rglob("*")):
        raise BackupRefused(
            f"the files folder {attachments} is not empty: restore into an empty data folder"
        )
    if connection.vendor == "sqlite" and not _sqlite_file_exists():
        return  # not even created yet: fresh, and connecting would create it
    tables = _table_names()
    with connection.cursor() as cursor:
        for table in ("cases_case", "accounts_user"):
            if table in tables:
                cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
                (count,) = cursor.fetchone()
                if count:
                    raise BackupRefused(
                        f"this installation is not fresh ({table} holds {count} rows): restore "
                        "onto a new, empty database and an empty data folder"
                    )


def _sqlite_file_exists() -> bool:
    name = str(settings.DATABASES["default"]["NAME"])
    return name != ":memory:" and not name.startswith("file:") and os.path.exists(name)


@dataclass
class RestoreResult:
    manifest: Manifest
    files: int


def restore_backup(path: Path, public: bytes, private: bytes) -> RestoreResult:
    """Verify, then restore ``path`` into this (fresh) installation."""
    verify_backup(path, public, private)
    check_fresh()
    staging = Path(settings.DATA_DIR) / f"restore-{secrets.token_hex(8)}"
    staging.mkdir(mode=0o700, parents=True)
    try:

        def sink(name: str) -> IO[bytes]:
            target = staging / name
            target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            return os.fdopen(fd, "wb")

        # The second pass re-checks every hash as it extracts.
        manifest = _walk(path, public, private, sink)
        database = staging / manifest.database_member()
        if manifest.engine == "sqlite":
            _install_sqlite(database)
        else:
            _install_postgres(database)
        files = _install_files(staging, manifest)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return RestoreResult(manifest=manifest, files=files)


def _install_sqlite(staged: Path) -> None:
    target = str(settings.DATABASES["default"]["NAME"])
    connections.close_all()
    source = sqlite3.connect(staged)
    destination = sqlite3.connect(target)
    try:
        source.backup(destination)
    finally:
        destination.close()
        source.close()


def _install_postgres(staged: Path) -> None:
    tool = backup_module.check_pg_tool("pg_restore")
    connections.close_all()
    result = subprocess.run(  # noqa: S603
        [
            tool,
            "--no-owner",
            "--no-privileges",
            "--clean",
            "--if-exists",
            "--single-transaction",
            "--exit-on-error",
            "--dbname",
            str(settings.DATABASES["default"]["NAME"]),
            str(staged),
        ],
        env=backup_module.libpq_environment(),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BackupRefused(f"pg_restore failed: {result.stderr.strip()[-500:]}")


def _install_files(staging: Path, manifest: Manifest) -> int:
    root = backup_module.media_root()
    count = 0
    for name in manifest.file_members():
        relative = Path(name).relative_to(FILES_DIR)
        target = root / relative
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        shutil.move(staging / name, target)
        count += 1
    return count
