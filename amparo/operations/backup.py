"""Writing a backup: a consistent copy of the database and the encrypted files
folder, with a manifest of SHA-256 sums, encrypted to the backup public keys.

Memory stays flat: the database copy is spooled to a private temporary file
(it holds exactly what the live database holds: ciphertext and coarse coding),
everything else streams through tar and the encryptor in 64 KiB pieces.
"""

from __future__ import annotations

import contextlib
import datetime
import errno
import hashlib
import os
import re
import secrets
import shutil
import sqlite3
import subprocess
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, cast

from django.conf import settings
from django.db import connection
from django.utils import timezone

from amparo.cases.models import Case
from amparo.operations.archive import (
    DATABASE_DIR,
    FILES_DIR,
    MANIFEST_NAME,
    READ_SIZE,
    EncryptingSink,
    canonical,
)
from amparo.operations.backupkeys import installation_id, manifest_mac

SQLITE_MEMBER = f"{DATABASE_DIR}/amparo.sqlite3"
POSTGRES_MEMBER = f"{DATABASE_DIR}/amparo.pgdump"
FILE_NAME = re.compile(r"^amparo-backup-(\d{8}T\d{6}Z)-[0-9a-f]{8}\.bin$")
# Room kept free beyond the estimated size, so a backup never fills the disk to the last byte.
SPARE_BYTES = 16 * 1024 * 1024


class BackupError(Exception):
    """A backup that could not be written; the message tells the operator what to do."""


def engine() -> str:
    vendor = connection.vendor
    if vendor not in {"sqlite", "postgresql"}:
        raise BackupError(f"backups support SQLite and PostgreSQL, not {vendor}")
    return vendor


def media_root() -> Path:
    return Path(settings.MEDIA_ROOT)


def work_dir() -> Path:
    """Private scratch space under the data folder (same protection as the database)."""
    path = Path(settings.DATA_DIR) / "backup-work"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def libpq_environment() -> dict[str, str]:
    """The connection for pg_dump/pg_restore, passed by environment: a password in
    the command line would be visible to every user of the machine in `ps`."""
    db: dict[str, Any] = dict(settings.DATABASES["default"])
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    for variable, key in (
        ("PGHOST", "HOST"),
        ("PGPORT", "PORT"),
        ("PGUSER", "USER"),
        ("PGPASSWORD", "PASSWORD"),
        ("PGDATABASE", "NAME"),
    ):
        if db.get(key):
            env[variable] = str(db[key])
    return env


def _major(version_text: str) -> int:
    # "pg_dump (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)" -> 15
    match = re.search(r"\)\s*(\d+)", version_text) or re.search(r"(\d+)", version_text)
    if not match:
        raise BackupError(f"cannot read a PostgreSQL version from {version_text!r}")
    return int(match[1])


def check_pg_tool(tool: str) -> str:
    """The tool's path, if its major version is the server's; BackupError otherwise."""
    path = shutil.which(tool)
    if path is None:
        raise BackupError(f"{tool} is not installed: install the PostgreSQL client tools")
    output = subprocess.run(  # noqa: S603
        [path, "--version"], capture_output=True, text=True, check=True
    ).stdout
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        (server_num,) = cursor.fetchone()
    server_major = int(server_num) // 10000
    tool_major = _major(output)
    if tool_major != server_major:
        raise BackupError(
            f"{tool} is version {tool_major} but the server runs PostgreSQL {server_major}: "
            f"install the client tools of version {server_major}"
        )
    return path


def _sqlite_snapshot(dest: Path) -> None:
    # The online backup API copies a consistent snapshot page by page while
    # the site keeps serving (WAL readers and the one writer are not blocked).
    connection.ensure_connection()
    source = connection.connection
    target = sqlite3.connect(dest)
    try:
        source.backup(target, pages=1024)
    finally:
        target.close()


def _postgres_snapshot(dest: Path) -> None:
    tool = check_pg_tool("pg_dump")
    # One transaction in a serializable snapshot: a consistent copy without stopping the site.
    result = subprocess.run(  # noqa: S603
        [tool, "--format=custom", "--no-owner", "--no-privileges", "--file", str(dest)],
        env=libpq_environment(),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BackupError(f"pg_dump failed: {result.stderr.strip()[-500:]}")


def database_size() -> int:
    if engine() == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_database_size(current_database())")
            (size,) = cursor.fetchone()
            return int(size)
    name = str(settings.DATABASES["default"]["NAME"])
    with contextlib.suppress(OSError):
        return os.path.getsize(name)
    with connection.cursor() as cursor:
        cursor.execute("SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()")
        (size,) = cursor.fetchone()
        return int(size)


def iter_files(root: Path) -> Iterator[tuple[str, Path]]:
    """(name inside the backup, path) of every regular file under the files folder."""
    if not root.is_dir():
        return
    for directory, subdirs, names in os.walk(root):
        subdirs.sort()
        for name in sorted(names):
            path = Path(directory) / name
            if path.is_symlink() or not path.is_file():
                continue
            yield f"{FILES_DIR}/{path.relative_to(root).as_posix()}", path


def files_size(root: Path) -> int:
    total = 0
    for _name, path in iter_files(root):
        with contextlib.suppress(OSError):
            total += path.stat().st_size
    return total


def check_target(target: Path, needed: int) -> None:
    if not target.exists():
        raise BackupError(f"the backup folder {target} does not exist: create it or mount it")
    if not target.is_dir():
        raise BackupError(f"{target} is not a folder")
    if not os.access(target, os.W_OK | os.X_OK):
        raise BackupError(f"the backup folder {target} is not writable by this user")
    free = shutil.disk_usage(target).free
    if free < needed + SPARE_BYTES:
        raise BackupError(
            f"the backup folder {target} is too full: about {(needed + SPARE_BYTES) >> 20} MiB "
            f"are needed and {free >> 20} MiB are free"
        )


@dataclass
class BackupResult:
    path: Path
    size: int
    cases: int
    files: int
    installation: str
    members: list[dict[str, Any]] = field(repr=False)


def _add_member(archive: tarfile.TarFile, name: str, path: Path, members: list[Any]) -> bool:
    """Stream one file into the archive, hashing it on the way; False if it vanished."""
    try:
        source = path.open("rb")
    except FileNotFoundError:
        return False  # deleted since it was listed (retention, a rolled-back upload)
    with source:
        size = os.fstat(source.fileno()).st_size
        info = tarfile.TarInfo(name)
        info.size, info.mode, info.mtime = size, 0o600, 0
        hashing = _HashingReader(source, size)
        archive.addfile(info, hashing)
        if hashing.read_bytes != size:
            raise BackupError(f"{name} changed size while being copied")
        members.append({"name": name, "size": size, "sha256": hashing.digest.hexdigest()})
    return True


class _HashingReader:
    def __init__(self, source: IO[bytes] | _BytesSource, size: int) -> None:
        self._source, self._left = source, size
        self.digest = hashlib.sha256()
        self.read_bytes = 0

    def read(self, size: int = -1) -> bytes:
        if size < 0 or size > self._left:
            size = self._left
        data = self._source.read(min(size, READ_SIZE * 16))
        self._left -= len(data)
        self.read_bytes += len(data)
        self.digest.update(data)
        return data


def write_backup(
    target: Path, recipients: list[bytes], *, now: datetime.datetime | None = None
) -> BackupResult:
    """Write one encrypted backup file into ``target``; return what it holds.

    The file appears under its final name only once complete and synced; a
    failure (full disk, dead database) leaves nothing behind.
    """
    if not recipients:
        raise BackupError(
            "no backup public key: set AMPARO_BACKUP_PUBLIC_KEYS (make one with "
            "`manage.py backup_keygen`) or pass --recipient"
        )
    target = Path(target)
    kind = engine()
    root = media_root()
    check_target(target, database_size() + files_size(root))
    now = now or timezone.now()
    stamp = now.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    final = target / f"amparo-backup-{stamp}-{secrets.token_hex(4)}.bin"
    partial = target / f".{final.name}.partial"
    scratch = work_dir() / f"db-{secrets.token_hex(8)}"
    installation = installation_id()
    members: list[dict[str, Any]] = []
    try:
        if kind == "sqlite":
            _sqlite_snapshot(scratch)
            member = SQLITE_MEMBER
        else:
            _postgres_snapshot(scratch)
            member = POSTGRES_MEMBER
        os.chmod(scratch, 0o600)
        cases = Case.objects.count()
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            sink = EncryptingSink(
                out,
                recipients,
                {"installation": installation, "engine": kind, "created": now.isoformat()},
            )
            with tarfile.open(
                fileobj=cast(Any, sink), mode="w|", format=tarfile.PAX_FORMAT
            ) as archive:
                _add_member(archive, member, scratch, members)
                scratch.unlink()
                files = 0
                for name, path in iter_files(root):
                    files += _add_member(archive, name, path, members)
                manifest: dict[str, Any] = {
                    "format": 1,
                    "installation": installation,
                    "engine": kind,
                    "created": now.isoformat(),
                    "cases": cases,
                    "members": members,
                }
                manifest["mac"] = manifest_mac(canonical(manifest))
                body = canonical(manifest)
                info = tarfile.TarInfo(MANIFEST_NAME)
                info.size, info.mode, info.mtime = len(body), 0o600, 0
                archive.addfile(info, _HashingReader(_BytesSource(body), len(body)))
            sink.finish()
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, final)
        _fsync_dir(target)
    except OSError as error:
        partial.unlink(missing_ok=True)
        if error.errno in {errno.ENOSPC, errno.EDQUOT}:
            raise BackupError(
                f"the backup folder {target} filled up while writing: nothing was kept"
            ) from None
        if error.errno in {errno.EROFS, errno.EACCES, errno.EPERM}:
            raise BackupError(f"the backup folder {target} is not writable") from None
        raise
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        scratch.unlink(missing_ok=True)
    return BackupResult(
        path=final,
        size=final.stat().st_size,
        cases=cases,
        files=files,
        installation=installation,
        members=members,
    )


class _BytesSource:
    def __init__(self, data: bytes) -> None:
        self._data = data

    def read(self, size: int = -1) -> bytes:
        if size < 0:
            size = len(self._data)
        out, self._data = self._data[:size], self._data[size:]
        return out


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
