"""Uploads that never reach the disk in clear.

Django's default handlers keep small uploads in memory and write larger ones to a
temporary file in clear: a server seized or imaged while a report is being sent would
give the file away. EncryptedUploadHandler encrypts each file's chunks as they arrive,
under a random key that exists only in this process's memory, into a private temporary
directory. A temporary file left behind (crash, killed worker) is ciphertext whose key is
gone; purge_stale_uploads() removes such files after an hour.

Nothing here logs or raises with a file's name, content or key.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import re
import secrets
import stat
import threading
import time
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, BinaryIO, NoReturn, cast

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopFutureHandlers
from django.http import HttpRequest

from amparo.crypto import StreamEncryptor, iter_decrypt, new_data_key

logger = logging.getLogger("amparo.intake")

DEFAULT_MAX_FILES = 5
DEFAULT_MAX_FILE_BYTES = 20 * 1024 * 1024
STALE_AFTER_SECONDS = 60 * 60
# Purging lists a directory: once every few minutes per process is plenty.
PURGE_INTERVAL_SECONDS = 5 * 60

_TEMP_SUFFIX = ".upload"
_TEMP_NAME = re.compile(r"[0-9a-f]{32}\.upload\Z")


def max_files() -> int:
    """How many files one request may store (settings.AMPARO_MAX_FILES, default 5)."""
    return int(getattr(settings, "AMPARO_MAX_FILES", DEFAULT_MAX_FILES))


def max_file_bytes() -> int:
    """The largest file stored, in bytes (settings.AMPARO_MAX_FILE_BYTES, default 20 MiB)."""
    return int(getattr(settings, "AMPARO_MAX_FILE_BYTES", DEFAULT_MAX_FILE_BYTES))


def upload_dir() -> Path:
    """The private directory for encrypted upload files: DATA_DIR/tmp-uploads, mode 0700."""
    return Path(settings.DATA_DIR) / "tmp-uploads"


def _ensure_upload_dir() -> Path:
    directory = upload_dir()
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    mode = os.stat(directory).st_mode
    if not stat.S_ISDIR(mode):
        raise NotADirectoryError("the upload directory is not a directory")
    # mkdir() leaves an existing directory as it was: tighten one created by hand.
    if stat.S_IMODE(mode) != 0o700:
        os.chmod(directory, 0o700)
    return directory


def purge_stale_uploads(
    *, older_than: float = STALE_AFTER_SECONDS, now: float | None = None
) -> int:
    """Delete upload files not written to for older_than seconds; return how many.

    Such files are ciphertext whose key died with the request that wrote it; removing
    them frees space and leaves less for anyone to count. Only names this module
    creates are touched.
    """
    directory = upload_dir()
    cutoff = (time.time() if now is None else now) - older_than
    removed = 0
    try:
        entries = list(os.scandir(directory))
    except FileNotFoundError:
        return 0
    for entry in entries:
        if not _TEMP_NAME.match(entry.name):
            continue
        try:
            info = entry.stat(follow_symlinks=False)
            if stat.S_ISREG(info.st_mode) and info.st_mtime < cutoff:
                os.unlink(entry.path)
                removed += 1
        except FileNotFoundError:
            continue  # another worker purged it first
    if removed:
        logger.info("removed %d stale upload files", removed)
    return removed


_purge_lock = threading.Lock()
_next_purge = 0.0


def _purge_now_and_then() -> None:
    global _next_purge
    # Never make an upload wait for another thread's purge.
    if not _purge_lock.acquire(blocking=False):
        return
    try:
        now = time.monotonic()
        if now < _next_purge:
            return
        _next_purge = now + PURGE_INTERVAL_SECONDS
        try:
            purge_stale_uploads()
        except OSError:
            # A failed clean-up must not lose a report; the next purge tries again.
            logger.warning("could not purge stale upload files", exc_info=False)
    finally:
        _purge_lock.release()


def _unlink_quietly(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


class _TempFile:
    """A temporary file's path, deleted once: explicitly, or when nothing refers to it."""

    def __init__(self, path: str) -> None:
        self.path = path
        # The finalizer also runs at garbage collection and interpreter exit, so a request
        # that died between the parser and the view still leaves nothing after it.
        self._finalizer = weakref.finalize(self, _unlink_quietly, path)

    def remove(self) -> None:
        self._finalizer()  # runs at most once

    @property
    def removed(self) -> bool:
        return not self._finalizer.alive


class _Sealed:
    """A finished upload file: where its ciphertext is and the key that opens it."""

    def __init__(self, temp: _TempFile, key: bytes, associated: bytes) -> None:
        self.temp = temp
        self.key = key
        self.associated = associated


def _associated(name: str) -> bytes:
    # Bind each stream to its (random) file name, so files cannot be swapped on disk.
    return b"amparo/v1 tmp-upload " + name.encode("ascii")


class _Incoming:
    """The file the parser is streaming now."""

    def __init__(self, *, too_many: bool) -> None:
        self.received = 0
        self.too_many = too_many
        self.too_large = False
        self._file: IO[bytes] | None = None
        self._temp: _TempFile | None = None
        self._key = b""
        self._encryptor: StreamEncryptor | None = None

    def write(self, chunk: bytes) -> None:
        if self._encryptor is None:
            directory = _ensure_upload_dir()
            name = secrets.token_hex(16) + _TEMP_SUFFIX
            path = os.path.join(directory, name)
            # O_EXCL|O_NOFOLLOW: never write through a planted file or symlink.
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
            fd = os.open(path, flags, 0o600)
            self._temp = _TempFile(path)
            self._file = os.fdopen(fd, "wb")
            self._key = new_data_key()
            self._encryptor = StreamEncryptor(self._key, self._file, associated=_associated(name))
        self._encryptor.push(chunk)

    def finish(self) -> _Sealed | None:
        if self._encryptor is None or self._file is None or self._temp is None:
            return None
        try:
            self._encryptor.finish()
            self._file.close()
        except BaseException:
            self.abandon()
            raise
        return _Sealed(self._temp, self._key, _associated(os.path.basename(self._temp.path)))

    def abandon(self) -> None:
        if self._file is not None:
            with contextlib.suppress(OSError):
                self._file.close()
        if self._temp is not None:
            self._temp.remove()
        self._file = self._temp = self._encryptor = None
        self._key = b""


class EncryptedUploadHandler(FileUploadHandler):
    """Encrypt every uploaded file as it streams in; return EncryptedUpload objects.

    Install it before anything reads request.POST or request.FILES. CsrfViewMiddleware
    reads request.POST, so, as Django's docs advise for changing upload handlers, exempt
    the outer view and protect an inner one::

        from django.views.decorators.csrf import csrf_exempt, csrf_protect

        @csrf_exempt
        def report(request):
            request.upload_handlers = [EncryptedUploadHandler(request)]
            return _report(request)

        @csrf_protect
        def _report(request):
            ...  # request.FILES holds EncryptedUpload objects

    Limits (read from settings when the handler is made): the first AMPARO_MAX_FILES
    files are stored; later ones come back flagged too_many, not stored. A file over
    AMPARO_MAX_FILE_BYTES stops being stored when it crosses the limit (what was stored
    is deleted at once) and comes back flagged too_large. No file is dropped silently.
    The rest of an oversize body is read and discarded: cap the request body size at the
    reverse proxy.
    """

    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.max_files = max_files()
        self.max_file_bytes = max_file_bytes()
        self._files_seen = 0
        self._incoming: _Incoming | None = None

    def new_file(
        self,
        field_name: str,
        file_name: str,
        content_type: str,
        content_length: int | None,
        charset: str | None = None,
        content_type_extra: dict[str, bytes] | None = None,
    ) -> None:
        super().new_file(
            field_name, file_name, content_type, content_length, charset, content_type_extra
        )
        if self._incoming is not None:  # a previous file never completed
            self._incoming.abandon()
        self._files_seen += 1
        _purge_now_and_then()
        self._incoming = _Incoming(too_many=self._files_seen > self.max_files)
        # Handlers after this one (say Django's TemporaryFileUploadHandler, which writes
        # in clear) must not even open a file for this upload.
        raise StopFutureHandlers()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        incoming = self._incoming
        if incoming is None:
            return None
        incoming.received += len(raw_data)
        if incoming.too_many or incoming.too_large:
            return None
        if incoming.received > self.max_file_bytes:
            incoming.too_large = True
            # A cut-off file is of no use to anyone: do not keep even its ciphertext.
            incoming.abandon()
            return None
        try:
            incoming.write(raw_data)
        except BaseException:
            incoming.abandon()
            raise
        return None  # returning the chunk would hand it to the next handler

    def file_complete(self, file_size: int) -> EncryptedUpload | None:
        incoming, self._incoming = self._incoming, None
        if incoming is None:
            return None
        sealed = None if incoming.too_large or incoming.too_many else incoming.finish()
        upload = EncryptedUpload(
            name=self.file_name or "",
            content_type=self.content_type,
            size=incoming.received,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
            sealed=sealed,
            too_large=incoming.too_large,
            too_many=incoming.too_many,
        )
        # The name now lives only in the upload object, which the request will drop.
        self.file_name = None
        return upload

    def upload_interrupted(self) -> None:
        """The body ended in the middle of a file: delete what was stored of it."""
        if self._incoming is not None:
            self._incoming.abandon()
            self._incoming = None

    def upload_complete(self) -> None:
        self.upload_interrupted()


class _NoDirectAccess:
    """Stands in for the file object: reading an EncryptedUpload directly is a mistake.

    Saving it with a Storage or reading it in a form field would either write
    ciphertext whose key is lost or invite a plaintext copy; open_plaintext() is the
    only way in.
    """

    closed = False

    def close(self) -> None:
        pass

    def __getattr__(self, name: str) -> NoReturn:
        # AttributeError, so that hasattr() probes (File.__init__ looks for "mode") work.
        raise AttributeError(f"{name}: read an EncryptedUpload through open_plaintext()")


class _DecryptingReader(io.RawIOBase):
    """A raw stream over iter_decrypt: one decrypted chunk in memory at a time."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        super().__init__()
        self._chunks = chunks
        self._current = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._current:
            try:
                self._current = memoryview(next(self._chunks))
            except StopIteration:
                return 0
        target = memoryview(buffer).cast("B")
        size = min(len(target), len(self._current))
        target[:size] = self._current[:size]
        self._current = self._current[size:]
        return size

    def close(self) -> None:
        close = getattr(self._chunks, "close", None)
        if close is not None:
            close()
        super().close()


class EncryptedUpload(UploadedFile):
    """One uploaded file, stored encrypted under a key held only by this object.

    name: the name the browser declared (sanitized by Django; never logged, never on
    disk). size: plaintext bytes received. too_large / too_many: not stored, see
    EncryptedUploadHandler. empty: zero bytes. Read the content with open_plaintext().
    The temporary file is deleted by discard(), by close() (Django closes every file in
    request.FILES when the response is closed), or at the latest when the object is
    garbage-collected.
    """

    def __init__(
        self,
        *,
        name: str,
        content_type: str | None,
        size: int,
        charset: str | None = None,
        content_type_extra: dict[str, bytes] | None = None,
        sealed: _Sealed | None = None,
        too_large: bool = False,
        too_many: bool = False,
    ) -> None:
        super().__init__(
            file=cast(IO[bytes], _NoDirectAccess()),
            name=name,
            content_type=content_type,
            size=size,
            charset=charset,
            content_type_extra=content_type_extra,
        )
        self.too_large = too_large
        self.too_many = too_many
        self.empty = size == 0
        self._sealed = sealed

    @property
    def stored(self) -> bool:
        """Whether open_plaintext() can give the content (an empty file counts)."""
        if self.too_large or self.too_many:
            return False
        return self.empty or (self._sealed is not None and not self._sealed.temp.removed)

    @contextlib.contextmanager
    def open_plaintext(self) -> Iterator[BinaryIO]:
        """Yield a readable binary stream of the content, decrypted as it is read.

        Raises ValueError for a file that was not stored or was discarded, and
        DecryptionError (while reading) if the temporary file was tampered with.
        """
        if not self.stored:
            raise ValueError("this upload was not stored or has been discarded")
        if self._sealed is None:  # empty: nothing was ever written
            yield io.BytesIO()
            return
        sealed = self._sealed
        try:
            ciphertext = open(sealed.temp.path, "rb")  # noqa: SIM115 - closed below
        except FileNotFoundError:
            # Removed from under us (purged as stale): as good as discarded.
            raise ValueError("this upload's temporary file is gone") from None
        with ciphertext:
            chunks = iter_decrypt(sealed.key, ciphertext, associated=sealed.associated)
            reader = io.BufferedReader(_DecryptingReader(chunks))
            try:
                yield reader
            finally:
                reader.close()

    def discard(self) -> None:
        """Delete the temporary file and forget the key. Safe to call more than once."""
        if self._sealed is not None:
            self._sealed.temp.remove()
            self._sealed = None

    def close(self) -> None:
        """Django calls this at the end of the request (HttpRequest.close): discard."""
        self.discard()

    def open(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise io.UnsupportedOperation("read an EncryptedUpload through open_plaintext()")

    def __repr__(self) -> str:
        # Django's UploadedFile repr shows the file name; error reports print reprs.
        flags = [flag for flag in ("too_large", "too_many", "empty") if getattr(self, flag)]
        return f"<EncryptedUpload{' ' + ' '.join(flags) if flags else ''}>"

    __str__ = __repr__

    def __copy__(self) -> EncryptedUpload:
        return self  # one temporary file, one owner

    def __deepcopy__(self, memo: dict[int, Any]) -> EncryptedUpload:
        return self

    def __reduce_ex__(self, protocol: Any) -> NoReturn:
        # Pickling would put the key next to the ciphertext: in a session, cache or queue.
        raise TypeError("an EncryptedUpload cannot be pickled: its key stays in memory")


# --- File parts the parser drops ---------------------------------------------------------

_MAX_PART_HEADERS = 16 * 1024
_FILENAME_PARAMETER = re.compile(rb"filename\*?\s*=", re.IGNORECASE)


class FilePartCounter:
    """A pass-through reader over a multipart body that counts the file parts in it.

    Django's parser silently skips a file part whose name is "", "." or ".." (or reads
    it as a text field) and one whose headers are not valid UTF-8: the report would be
    accepted without the file and nobody told. Counting what the browser sent, here,
    and what arrived, in request.FILES, tells the difference. Counted: parts whose
    Content-Disposition carries a filename parameter and that have a body (a file input
    left empty sends a part with an empty name and no body: that is no file).
    """

    def __init__(self, stream: Any, boundary: bytes) -> None:
        self._stream = stream
        self._delimiter = b"\r\n--" + boundary
        # A body starts with "--boundary" without the line break before it.
        self._pending = b"\r\n"
        self._in_headers = False
        self._file_part = False
        self._has_body = False
        self.file_parts = 0

    def read(self, size: int = -1) -> bytes:
        chunk: bytes = self._stream.read(size)
        self._feed(chunk)
        return chunk

    def _end_part(self) -> None:
        if self._file_part and self._has_body:
            self.file_parts += 1
        self._file_part = self._has_body = False

    def _feed(self, data: bytes) -> None:
        buffer = self._pending + data
        at = 0
        while True:
            if self._in_headers:
                end = buffer.find(b"\r\n\r\n", at)
                if end < 0:
                    if len(buffer) - at > _MAX_PART_HEADERS:
                        at = len(buffer)  # not headers a parser would accept either
                        self._in_headers = False
                        continue
                    self._pending = buffer[at:]
                    return
                headers = buffer[at:end]
                self._file_part = any(
                    line.lower().startswith(b"content-disposition")
                    and _FILENAME_PARAMETER.search(line) is not None
                    for line in headers.split(b"\r\n")
                )
                at = end + 4
                self._in_headers = False
                continue
            found = buffer.find(self._delimiter, at)
            if found < 0:
                # Keep what could be the start of a delimiter cut by the chunk's end.
                keep = max(at, len(buffer) - len(self._delimiter) + 1)
                if keep > at:
                    self._has_body = True
                self._pending = buffer[keep:]
                return
            if found > at:
                self._has_body = True
            self._end_part()
            at = found + len(self._delimiter)
            self._in_headers = True


def _boundary(request: HttpRequest) -> bytes | None:
    from django.utils.http import parse_header_parameters

    content_type, options = parse_header_parameters(request.META.get("CONTENT_TYPE", ""))
    boundary = options.get("boundary", "")
    if content_type != "multipart/form-data" or not boundary:
        return None
    try:
        return boundary.encode("ascii")
    except UnicodeEncodeError:
        return None


def encrypt_uploads(request: HttpRequest) -> None:
    """Install the encrypting upload handler and the file-part counter on a request.

    Call before anything reads request.POST or request.FILES (see
    EncryptedUploadHandler for the CSRF pattern); then file_parts_missing(request) says
    how many file parts the browser sent that did not arrive.
    """
    from django.http.multipartparser import MultiPartParser

    request.upload_handlers = [EncryptedUploadHandler(request)]
    boundary = _boundary(request)
    if boundary is None:
        return

    def parse_file_upload(meta: Any, post_data: Any) -> Any:
        counter = FilePartCounter(post_data, boundary)
        request._amparo_file_parts = counter  # type: ignore[attr-defined]
        parser = MultiPartParser(
            meta, cast(IO[bytes], counter), request.upload_handlers, request.encoding
        )
        return parser.parse()

    # HttpRequest._load_post_and_files calls this to parse a multipart body.
    request.parse_file_upload = parse_file_upload  # type: ignore[method-assign,assignment]


def file_parts_missing(request: HttpRequest) -> int:
    """How many file parts (with content) the browser sent that are not in request.FILES."""
    counter = getattr(request, "_amparo_file_parts", None)
    if counter is None:
        return 0
    arrived = sum(1 for _, files in request.FILES.lists() for upload in files if upload.size)
    return max(0, counter.file_parts - arrived)
