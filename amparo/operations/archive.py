"""The backup file format: a sealed header, then one encrypted tar stream.

    magic "AMPARO-BACKUP\\x00" (14 bytes), format (u16), header length (u32),
    header (JSON: installation id, engine, creation time, and for each
    recipient the key id and the file key sealed to it),
    then a libsodium secretstream (amparo.crypto's file stream) of a tar:
    database/<dump>, files/<path>..., and manifest.json last.

The file key is random per backup and exists in clear only while the backup
is written; it is kept only sealed to the backup public keys. The whole header
is the stream's associated data, so changing a recipient, the installation id
or the engine breaks the first tag. The manifest lists the size and SHA-256
of every member and carries an HMAC under this installation's secret key:
whoever holds a public key can encrypt a file, but not one we accept.
"""

from __future__ import annotations

import hashlib
import io
import json
import struct
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import IO, Any

from amparo.crypto import (
    DecryptionError,
    StreamEncryptor,
    iter_decrypt,
    new_data_key,
    open_data_key,
    seal_data_key,
)
from amparo.operations.backupkeys import key_id

MAGIC = b"AMPARO-BACKUP\x00"
FORMAT = 1
_PREFIX = struct.Struct(">14sHI")
MAX_HEADER_BYTES = 64 * 1024
MANIFEST_NAME = "manifest.json"
DATABASE_DIR = "database"
FILES_DIR = "files"
READ_SIZE = 64 * 1024


class BackupRefused(Exception):
    """A backup that must not be restored; the message says why, without secrets."""


def associated(prefix_and_header: bytes) -> bytes:
    return b"amparo-backup-v1\x00" + prefix_and_header


def canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


class EncryptingSink:
    """A write-only file object that encrypts what tarfile writes into it."""

    def __init__(self, dst: IO[bytes], recipients: list[bytes], header: dict[str, Any]) -> None:
        if not recipients:
            raise ValueError("a backup needs at least one recipient")
        file_key = new_data_key()
        header = dict(header)
        header["format"] = FORMAT
        header["recipients"] = [
            {"key_id": key_id(public), "sealed_key": seal_data_key(file_key, public).hex()}
            for public in recipients
        ]
        raw = canonical(header)
        prefix = _PREFIX.pack(MAGIC, FORMAT, len(raw)) + raw
        dst.write(prefix)
        self._encryptor = StreamEncryptor(file_key, dst, associated=associated(prefix))
        del file_key

    def write(self, data: bytes) -> int:
        self._encryptor.push(data)
        return len(data)

    def finish(self) -> None:
        self._encryptor.finish()


@dataclass(frozen=True)
class Header:
    installation: str
    engine: str
    created: str
    raw: bytes
    recipients: list[dict[str, str]]


def read_header(src: IO[bytes]) -> Header:
    prefix = src.read(_PREFIX.size)
    if len(prefix) != _PREFIX.size:
        raise BackupRefused("this file is not an Amparo backup (too short)")
    magic, version, length = _PREFIX.unpack(prefix)
    if magic != MAGIC:
        raise BackupRefused("this file is not an Amparo backup")
    if version != FORMAT:
        raise BackupRefused(f"unknown backup format {version}")
    if length > MAX_HEADER_BYTES:
        raise BackupRefused("the backup's header is damaged")
    raw = src.read(length)
    if len(raw) != length:
        raise BackupRefused("the backup is truncated")
    try:
        header = json.loads(raw)
        return Header(
            installation=str(header["installation"]),
            engine=str(header["engine"]),
            created=str(header["created"]),
            raw=prefix + raw,
            recipients=list(header["recipients"]),
        )
    except (ValueError, KeyError, TypeError):
        raise BackupRefused("the backup's header is damaged") from None


def open_file_key(header: Header, public: bytes, private: bytes) -> bytes:
    wanted = key_id(public)
    for entry in header.recipients:
        if isinstance(entry, dict) and entry.get("key_id") == wanted:
            try:
                return open_data_key(bytes.fromhex(str(entry["sealed_key"])), public, private)
            except (DecryptionError, ValueError, KeyError):
                break
    raise BackupRefused(
        f"this backup was not encrypted to the key {wanted} (it names "
        + ", ".join(str(e.get("key_id")) for e in header.recipients if isinstance(e, dict))
        + ")"
    )


class DecryptingReader(io.RawIOBase):
    """read() over the decrypted stream; DecryptionError surfaces as BackupRefused."""

    def __init__(self, src: IO[bytes], file_key: bytes, header: Header) -> None:
        self._chunks: Iterator[bytes] = iter_decrypt(
            file_key, src, associated=associated(header.raw)
        )
        self._buffer = b""
        self._eof = False

    def readable(self) -> bool:
        return True

    def readinto(self, target: Any) -> int:
        while not self._buffer and not self._eof:
            try:
                self._buffer = next(self._chunks)
            except StopIteration:
                self._eof = True
            except DecryptionError:
                raise BackupRefused(
                    "the backup is damaged, truncated or altered: its encryption does not verify"
                ) from None
        size = min(len(target), len(self._buffer))
        target[:size] = self._buffer[:size]
        self._buffer = self._buffer[size:]
        return size

    def drain(self) -> None:
        """Read to the end, so the stream's final tag and length are checked."""
        while self.read(READ_SIZE):
            pass


def safe_member_name(name: str) -> str:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise BackupRefused("the backup holds a file with an unsafe name")
    if path.parts[0] not in {DATABASE_DIR, FILES_DIR} and name != MANIFEST_NAME:
        raise BackupRefused("the backup holds an unexpected file")
    return str(path)


@dataclass
class MemberDigest:
    name: str
    size: int
    sha256: str


def iter_members(
    reader: DecryptingReader, sink: Any = None
) -> Iterator[tuple[MemberDigest, bytes | None]]:
    """Each member's digest, in order; the manifest's bytes come with it.

    ``sink(name)`` may return a writable file for a member's content (restore's
    second pass); every member is hashed whether or not it is written.
    """
    with tarfile.open(fileobj=reader, mode="r|") as archive:
        for member in archive:
            if not member.isfile():
                raise BackupRefused("the backup holds something other than files")
            name = safe_member_name(member.name)
            extracted = archive.extractfile(member)
            if extracted is None:  # isfile() was checked: cannot happen
                raise BackupRefused("the backup holds something other than files")
            digest = hashlib.sha256()
            size = 0
            keep = bytearray() if name == MANIFEST_NAME else None
            target = sink(name) if sink is not None and keep is None else None
            try:
                while piece := extracted.read(READ_SIZE):
                    digest.update(piece)
                    size += len(piece)
                    if keep is not None:
                        if len(keep) > 64 * 1024 * 1024:
                            raise BackupRefused("the backup's manifest is too large")
                        keep += piece
                    elif target is not None:
                        target.write(piece)
            finally:
                if target is not None:
                    target.close()
            yield (
                MemberDigest(name, size, digest.hexdigest()),
                (bytes(keep) if keep is not None else None),
            )
    reader.drain()
