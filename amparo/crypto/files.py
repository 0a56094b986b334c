"""Streamed encryption of attachments with libsodium secretstream.

Memory stays O(chunk) in both directions. The plaintext length is padded inside the
stream, so the stored size reveals only a coarse (Padmé) bucket of the real size.

Stream layout: format byte, chunk size (u32), secretstream header (24 bytes), then
messages that all have the same size. Each message's plaintext is a u32 count of real
bytes, that many bytes of the file, then zero fill up to chunk_size. Messages after the
file's last byte carry a count of 0; the last message carries TAG_FINAL.
"""

import hashlib
import io
import queue
import struct
import threading
import weakref
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from nacl import bindings
from nacl import exceptions as nacl_exceptions
from nacl._sodium import ffi, lib

from . import _aead
from ._padding import padme
from .errors import DecryptionError

FORMAT_FILE = 0x41
DEFAULT_CHUNK_SIZE = 64 * 1024
# Small chunks are allowed for tests; the ceiling bounds what a tampered header can make
# the reader allocate before the first tag check fails.
MIN_CHUNK_SIZE = 16
MAX_CHUNK_SIZE = 8 * 1024 * 1024

_PREFIX = struct.Struct(">BI")
_COUNT = struct.Struct(">I")
_HEADER_BYTES = bindings.crypto_secretstream_xchacha20poly1305_HEADERBYTES
_ABYTES = bindings.crypto_secretstream_xchacha20poly1305_ABYTES
_TAG_MESSAGE = bindings.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE
_TAG_FINAL = bindings.crypto_secretstream_xchacha20poly1305_TAG_FINAL


class Readable(Protocol):
    """Anything with read(size) -> bytes: a file, BytesIO, an upload, a socket file."""

    def read(self, size: int = -1, /) -> bytes: ...


class Writable(Protocol):
    """Anything with write(bytes)."""

    def write(self, data: bytes, /) -> object: ...


@dataclass(frozen=True)
class EncryptedFileInfo:
    """What encrypt_file wrote: the real size and SHA-256 of the plaintext, the stored size."""

    plaintext_size: int
    sha256_hex_of_plaintext: str
    ciphertext_size: int


def file_associated_data(report_id: str, attachment_id: str) -> bytes:
    """The `associated` value that binds a stream to one attachment of one report."""
    if not report_id or not attachment_id:
        raise ValueError("report_id and attachment_id must not be empty")
    return _aead.associated_data(b"attachment", report_id, attachment_id)


def _message_count(plaintext_size: int, chunk_size: int) -> int:
    # Padmé decides the padded length; whole messages round it up further.
    padded = padme(plaintext_size)
    return max(1, -(-padded // chunk_size))


def _first_ad(prefix: bytes, associated: bytes) -> bytes:
    # Only the first message carries the associated data: secretstream chains every later
    # message to the state the (random, per-stream) header started, so binding the first
    # one binds the whole stream. The prefix is in it too, so the chunk size is authentic.
    return _aead.associated_data(b"file", prefix, _aead.as_bytes(associated))


def _read_exactly(src: Readable, size: int) -> bytes:
    """Read size bytes, fewer only at end of stream (raw streams may return short reads)."""
    first = src.read(size)
    if len(first) == size or not first:
        return first
    parts = [first]
    missing = size - len(first)
    while missing:
        more = src.read(missing)
        if not more:
            break
        parts.append(more)
        missing -= len(more)
    return b"".join(parts)


def _check_chunk_size(chunk_size: int) -> None:
    if not MIN_CHUNK_SIZE <= chunk_size <= MAX_CHUNK_SIZE:
        raise ValueError("chunk_size out of range")


# Below this many bytes the SHA-256 runs inline; above it, in a thread of its own beside
# the encryption (hashlib and libsodium both release the GIL on large buffers, so the
# two use two cores instead of one after the other).
HASH_IN_THREAD_FROM = 1024 * 1024
# Pieces go to the hashing thread in batches of about this many bytes (one wake-up of
# the thread per batch, not per chunk), and at most this many batches wait: the memory
# the thread can hold is bounded: one batch gathering, one waiting, one being hashed.
_HASH_BATCH_BYTES = 64 * 1024
_HASH_QUEUE_BATCHES = 1


def _hash_pieces(batches: "queue.Queue[list[bytes] | None]", digest: "hashlib._Hash") -> None:
    while (batch := batches.get()) is not None:
        for piece in batch:
            digest.update(piece)


class _PlaintextDigest:
    """SHA-256 of the plaintext: inline for small files, beside the encryption for large
    ones. The thread holds no reference to the encryptor; if the encryptor is dropped
    unfinished (a failed upload), the finaliser stops the thread."""

    def __init__(self) -> None:
        self._digest = hashlib.sha256()
        self._inline = 0
        self._batches: queue.Queue[list[bytes] | None] | None = None
        self._thread: threading.Thread | None = None
        self._batch: list[bytes] = []
        self._batch_bytes = 0

    def update(self, data: bytes | memoryview) -> None:
        if self._batches is None:
            if self._inline + len(data) < HASH_IN_THREAD_FROM:
                self._digest.update(data)
                self._inline += len(data)
                return
            self._batches = queue.Queue(maxsize=_HASH_QUEUE_BATCHES)
            self._thread = threading.Thread(
                target=_hash_pieces, args=(self._batches, self._digest), daemon=True
            )
            self._thread.start()
            weakref.finalize(self, self._batches.put, None)
        # bytes are immutable; anything else is copied, since the caller may reuse it.
        self._batch.append(data if isinstance(data, bytes) else bytes(data))
        self._batch_bytes += len(data)
        if self._batch_bytes >= _HASH_BATCH_BYTES:
            self._send_batch()

    def _send_batch(self) -> None:
        if self._batch and self._batches is not None:
            self._batches.put(self._batch)
            self._batch = []
            self._batch_bytes = 0

    def hexdigest(self) -> str:
        if self._batches is not None and self._thread is not None:
            self._send_batch()
            self._batches.put(None)
            self._thread.join()
            self._thread = None
        return self._digest.hexdigest()


class StreamEncryptor:
    """Encrypt a file handed over piece by piece: the same stream encrypt_file writes.

    For data that arrives in pieces of any size (an upload): call push() for each piece,
    then finish() once. The format prefix and header are written at construction.
    Memory stays O(chunk_size) whatever the piece sizes. If push() or finish() raises
    (dst failed), the stream is unusable and dst must be discarded.

    Each message is built in one reused buffer (its count, then the data: one copy of
    each byte) and sealed by libsodium into a second reused buffer, which dst.write()
    receives as a view: dst must be done with it when write() returns, as Python's io
    contract says of every writer (files, BytesIO, sockets). That is one copy fewer per
    message than PyNaCl's push(), which returns a new bytes object each time.
    """

    def __init__(
        self,
        data_key: bytes,
        dst: Writable,
        *,
        associated: bytes,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
    ) -> None:
        data_key = _aead.check_key(data_key)
        _check_chunk_size(chunk_size)
        self._dst = dst
        self._chunk_size = chunk_size
        state = bindings.crypto_secretstream_xchacha20poly1305_state()
        header = bindings.crypto_secretstream_xchacha20poly1305_init_push(state, data_key)
        self._state = state.statebuf
        prefix = _PREFIX.pack(FORMAT_FILE, chunk_size)
        dst.write(prefix + header)
        self._written = len(prefix) + len(header)
        self._first_ad: bytes | None = _first_ad(prefix, associated)
        self._digest = _PlaintextDigest()
        self._plaintext_size = 0
        self._sent = 0
        # The message being built: a u32 count, then the chunk. It is sealed only once
        # more data arrives or at finish(), because whether it is the FINAL message
        # depends on the total size.
        self._message = bytearray(_COUNT.size + chunk_size)
        self._body = memoryview(self._message)[_COUNT.size :]
        self._message_c = ffi.from_buffer(self._message)
        self._filled = 0
        self._sealed = ffi.new("unsigned char[]", len(self._message) + _ABYTES)
        self._sealed_view = ffi.buffer(self._sealed)
        self._finished = False

    def push(self, data: bytes) -> None:
        """Add the next piece of plaintext (bytes, bytearray or memoryview; may be empty)."""
        if self._finished:
            raise ValueError("push() after finish()")
        view = memoryview(data).cast("B")
        self._digest.update(data if isinstance(data, bytes) else view)
        self._plaintext_size += len(view)
        chunk = self._chunk_size
        while view:
            if self._filled == chunk:
                # More data follows, so the whole message waiting is not the last one.
                self._seal(_TAG_MESSAGE)
            take = min(chunk - self._filled, len(view))
            self._body[self._filled : self._filled + take] = view[:take]
            self._filled += take
            view = view[take:]

    def finish(self) -> EncryptedFileInfo:
        """Seal the last data and the Padmé padding messages; return what was written."""
        if self._finished:
            raise ValueError("finish() called twice")
        self._finished = True
        total = _message_count(self._plaintext_size, self._chunk_size)
        # The last data (possibly none), zero-filled: the buffer still holds older bytes.
        self._body[self._filled :] = bytes(self._chunk_size - self._filled)
        self._seal(_TAG_FINAL if self._sent + 1 == total else _TAG_MESSAGE)
        if self._sent < total:
            self._body[:] = bytes(self._chunk_size)  # padding: a count of 0, all zeros
        while self._sent < total:
            self._seal(_TAG_FINAL if self._sent + 1 == total else _TAG_MESSAGE)
        return EncryptedFileInfo(
            plaintext_size=self._plaintext_size,
            sha256_hex_of_plaintext=self._digest.hexdigest(),
            ciphertext_size=self._written,
        )

    def _seal(self, tag: int) -> None:
        """Seal the message buffer (its count: the bytes filled), write it, and start
        the next message empty (its old bytes are overwritten or zeroed by finish())."""
        _COUNT.pack_into(self._message, 0, self._filled)
        ad = self._first_ad
        status = lib.crypto_secretstream_xchacha20poly1305_push(
            self._state,
            self._sealed,
            ffi.NULL,
            self._message_c,
            len(self._message),
            ad if ad is not None else ffi.NULL,
            len(ad) if ad is not None else 0,
            tag,
        )
        if status != 0:
            raise RuntimeError("secretstream push failed")
        self._first_ad = None
        self._filled = 0
        self._dst.write(self._sealed_view)
        self._written += len(self._sealed_view)
        self._sent += 1


def encrypt_file(
    data_key: bytes,
    src: Readable,
    dst: Writable,
    *,
    associated: bytes,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> EncryptedFileInfo:
    """Encrypt src into dst under data_key, bound to associated (see file_associated_data)."""
    # One implementation of the format: encrypt_file is StreamEncryptor fed from a reader.
    encryptor = StreamEncryptor(data_key, dst, associated=associated, chunk_size=chunk_size)
    while piece := src.read(chunk_size):
        encryptor.push(piece)
    return encryptor.finish()


def iter_decrypt(data_key: bytes, src: Readable, *, associated: bytes) -> Iterator[bytes]:
    """Yield the plaintext of a stream from encrypt_file, chunk by chunk.

    Each yielded chunk is authentic, but truncation, trailing data or tampering further
    on is only detected when iteration reaches it (DecryptionError then): a consumer
    must treat what it received as void if iteration does not end normally.
    """
    data_key = _aead.as_bytes(data_key)
    if len(data_key) != _aead.KEY_BYTES:
        raise DecryptionError()
    prefix = _read_exactly(src, _PREFIX.size)
    header = _read_exactly(src, _HEADER_BYTES)
    if len(prefix) != _PREFIX.size or len(header) != _HEADER_BYTES:
        raise DecryptionError()
    file_format, chunk_size = _PREFIX.unpack(prefix)
    if file_format != FORMAT_FILE or not MIN_CHUNK_SIZE <= chunk_size <= MAX_CHUNK_SIZE:
        raise DecryptionError()
    state = bindings.crypto_secretstream_xchacha20poly1305_state()
    bindings.crypto_secretstream_xchacha20poly1305_init_pull(state, header, data_key)
    ad: bytes | None = _first_ad(prefix, associated)
    message_size = _COUNT.size + chunk_size + _ABYTES
    plaintext_size = 0
    received = 0
    data_ended = False
    while True:
        ciphertext = _read_exactly(src, message_size)
        if len(ciphertext) != message_size:
            raise DecryptionError()  # truncated: the stream ended before TAG_FINAL
        try:
            message, tag = bindings.crypto_secretstream_xchacha20poly1305_pull(
                state, ciphertext, ad
            )
        except nacl_exceptions.CryptoError:
            raise DecryptionError() from None
        ad = None
        received += 1
        (count,) = _COUNT.unpack_from(message)
        # Authentic but not what encrypt_file writes: refuse rather than interpret.
        if count > chunk_size or (data_ended and count):
            raise DecryptionError()
        data_ended = count < chunk_size
        if count:
            plaintext_size += count
            yield message[_COUNT.size : _COUNT.size + count]
        if tag == _TAG_FINAL:
            break
        if tag != _TAG_MESSAGE:
            raise DecryptionError()
    if src.read(1) or received != _message_count(plaintext_size, chunk_size):
        raise DecryptionError()  # trailing data, or padding that encrypt_file never writes


def decrypt_file(data_key: bytes, src: Readable, dst: Writable, *, associated: bytes) -> int:
    """Decrypt a stream from encrypt_file into dst; return the plaintext size.

    On DecryptionError a seekable io stream is truncated back to where it started, so no
    partial plaintext is left behind; any other dst must be discarded by the caller.
    """
    rewindable = dst if isinstance(dst, io.IOBase) and dst.seekable() else None
    start = rewindable.tell() if rewindable is not None else 0
    size = 0
    try:
        for chunk in iter_decrypt(data_key, src, associated=associated):
            dst.write(chunk)
            size += len(chunk)
    except DecryptionError:
        if rewindable is not None:
            rewindable.seek(start)
            rewindable.truncate()
        raise
    return size
