import hashlib
import io
import itertools
import tracemalloc

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from nacl import bindings

from amparo.crypto import (
    DecryptionError,
    EncryptedFileInfo,
    StreamEncryptor,
    decrypt_file,
    encrypt_file,
    file_associated_data,
    files,
    iter_decrypt,
    new_data_key,
)
from amparo.crypto._padding import padme

KEY = bytes(range(32))
AD = file_associated_data("report-1", "attachment-1")
PREFIX_AND_HEADER = 5 + 24


def encrypt(data: bytes, chunk_size: int = 64, associated: bytes = AD) -> bytes:
    out = io.BytesIO()
    encrypt_file(KEY, io.BytesIO(data), out, associated=associated, chunk_size=chunk_size)
    return out.getvalue()


def decrypt(blob: bytes, key: bytes = KEY, associated: bytes = AD) -> bytes:
    out = io.BytesIO()
    decrypt_file(key, io.BytesIO(blob), out, associated=associated)
    return out.getvalue()


def flip(blob: bytes, index: int, bit: int = 0) -> bytes:
    changed = bytearray(blob)
    changed[index % len(blob)] ^= 1 << bit
    return bytes(changed)


class TrickleReader(io.RawIOBase):
    """Returns at most 7 bytes per read, like a slow pipe."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        return self._data.read(min(size, 7) if size >= 0 else 7)


class PatternReader(io.RawIOBase):
    """size bytes generated on the fly, so a test can stream more than it holds."""

    def __init__(self, size: int) -> None:
        self._left = size

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        size = self._left if size < 0 else min(size, self._left)
        self._left -= size
        return b"\xa5" * size


class Sink(io.RawIOBase):
    def __init__(self) -> None:
        self.written = 0

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self.written += len(data)
        return len(data)


@settings(max_examples=100, deadline=None)
@given(data=st.binary(max_size=2000), chunk_size=st.integers(16, 300))
def test_it_round_trips_files(data: bytes, chunk_size: int) -> None:
    out = io.BytesIO()
    info = encrypt_file(KEY, io.BytesIO(data), out, associated=AD, chunk_size=chunk_size)
    assert info == EncryptedFileInfo(
        plaintext_size=len(data),
        sha256_hex_of_plaintext=hashlib.sha256(data).hexdigest(),
        ciphertext_size=len(out.getvalue()),
    )
    assert decrypt(out.getvalue()) == data


def test_it_round_trips_with_the_default_chunk_size() -> None:
    data = bytes(range(256)) * 1000  # several 64 KiB chunks and a partial one
    out = io.BytesIO()
    encrypt_file(KEY, io.BytesIO(data), out, associated=AD)
    pieces = list(iter_decrypt(KEY, io.BytesIO(out.getvalue()), associated=AD))
    assert b"".join(pieces) == data
    assert max(len(piece) for piece in pieces) == 64 * 1024


def test_it_handles_short_reads_from_the_source_and_the_stream() -> None:
    data = bytes(range(256)) * 5
    out = io.BytesIO()
    info = encrypt_file(KEY, TrickleReader(data), out, associated=AD, chunk_size=100)
    assert info.plaintext_size == len(data)
    assert b"".join(iter_decrypt(KEY, TrickleReader(out.getvalue()), associated=AD)) == data


def test_it_pads_sizes_into_padme_buckets() -> None:
    # Every file up to one chunk looks the same; beyond, only the Padmé bucket shows.
    assert len({len(encrypt(b"x" * n)) for n in range(65)}) == 1
    sizes = {len(encrypt(b"x" * n, chunk_size=16)) for n in range(3000)}
    assert len(sizes) < 120
    for n in (17, 100, 1000, 2999):
        messages = (len(encrypt(b"x" * n, chunk_size=16)) - PREFIX_AND_HEADER) // (4 + 16 + 17)
        assert messages == -(-padme(n) // 16)


@settings(max_examples=200, deadline=None)
@given(length=st.integers(0, 10**9))
def test_it_uses_padme_with_at_most_12_percent_overhead(length: int) -> None:
    padded = padme(length)
    assert length <= padded <= length * 1.12 + 1
    assert padme(padded) == padded


@settings(max_examples=150, deadline=None)
@given(data=st.binary(max_size=400), index=st.integers(min_value=0), bit=st.integers(0, 7))
def test_it_rejects_any_flipped_bit(data: bytes, index: int, bit: int) -> None:
    blob = encrypt(data)
    with pytest.raises(DecryptionError):
        decrypt(flip(blob, index, bit))


@settings(max_examples=150, deadline=None)
@given(data=st.binary(max_size=400), cut=st.integers(min_value=0))
def test_it_rejects_a_truncated_stream(data: bytes, cut: int) -> None:
    blob = encrypt(data)
    with pytest.raises(DecryptionError):
        decrypt(blob[: cut % len(blob)])


@settings(max_examples=50, deadline=None)
@given(data=st.binary(max_size=400), extra=st.binary(min_size=1, max_size=200))
def test_it_rejects_trailing_data(data: bytes, extra: bytes) -> None:
    with pytest.raises(DecryptionError):
        decrypt(encrypt(data) + extra)


def test_it_rejects_a_stream_cut_at_a_message_boundary() -> None:
    blob = encrypt(b"x" * 500)
    message = 4 + 64 + 17
    assert (len(blob) - PREFIX_AND_HEADER) % message == 0
    with pytest.raises(DecryptionError):
        decrypt(blob[:-message])
    # Dropping or swapping whole messages in the middle fails too.
    body = blob[PREFIX_AND_HEADER:]
    messages = [body[i : i + message] for i in range(0, len(body), message)]
    with pytest.raises(DecryptionError):
        decrypt(blob[:PREFIX_AND_HEADER] + b"".join(messages[:2] + messages[3:]))
    with pytest.raises(DecryptionError):
        decrypt(blob[:PREFIX_AND_HEADER] + b"".join([messages[1], messages[0], *messages[2:]]))


def test_it_rejects_a_stream_moved_to_another_attachment_or_report() -> None:
    blob = encrypt(b"evidence")
    for other in (
        file_associated_data("report-1", "attachment-2"),
        file_associated_data("report-2", "attachment-1"),
        b"",
    ):
        with pytest.raises(DecryptionError):
            decrypt(blob, associated=other)


def test_it_rejects_a_wrong_or_malformed_key() -> None:
    blob = encrypt(b"evidence")
    for key in (bytes(32), KEY[:31], b""):
        with pytest.raises(DecryptionError):
            decrypt(blob, key=key)
    with pytest.raises(ValueError):
        encrypt_file(KEY[:16], io.BytesIO(b""), io.BytesIO(), associated=AD)


def test_it_splices_no_streams_together() -> None:
    first, second = encrypt(b"a" * 200), encrypt(b"b" * 200)
    with pytest.raises(DecryptionError):
        decrypt(first[:PREFIX_AND_HEADER] + second[PREFIX_AND_HEADER:])


def test_it_rejects_authentic_streams_that_encrypt_file_never_writes() -> None:
    def stream(messages: list[tuple[bytes, int]], chunk_size: int = 16) -> bytes:
        state = bindings.crypto_secretstream_xchacha20poly1305_state()
        header = bindings.crypto_secretstream_xchacha20poly1305_init_push(state, KEY)
        prefix = bytes([0x41]) + chunk_size.to_bytes(4, "big")
        from amparo.crypto.files import _first_ad

        ad: bytes | None = _first_ad(prefix, AD)
        out = prefix + header
        for plaintext, tag in messages:
            out += bindings.crypto_secretstream_xchacha20poly1305_push(state, plaintext, ad, tag)
            ad = None
        return out

    final = bindings.crypto_secretstream_xchacha20poly1305_TAG_FINAL
    more = bindings.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE
    push = bindings.crypto_secretstream_xchacha20poly1305_TAG_PUSH

    def message(count: int) -> bytes:
        return count.to_bytes(4, "big") + b"y" * count + bytes(16 - count)

    assert decrypt(stream([(message(3), final)])) == b"yyy"
    for bad in (
        [(message(3), more)],  # no FINAL at all
        [(message(3), push)],  # a tag we never write
        [(message(3), more), (message(2), final)],  # data after a partial chunk
        [(message(3), more), (message(0), final)],  # more padding than Padmé asks for
        [((17).to_bytes(4, "big") + bytes(16), final)],  # count larger than a chunk
    ):
        with pytest.raises(DecryptionError):
            decrypt(stream(bad))


def test_it_rejects_bad_headers() -> None:
    blob = encrypt(b"evidence")
    for bad in (b"", blob[:3], blob[:PREFIX_AND_HEADER], b"\x42" + blob[1:]):
        with pytest.raises(DecryptionError):
            decrypt(bad)
    huge_chunks = blob[:1] + (2**31).to_bytes(4, "big") + blob[5:]
    with pytest.raises(DecryptionError):
        decrypt(huge_chunks)
    with pytest.raises(ValueError):
        encrypt(b"", chunk_size=8)


def test_it_leaves_no_partial_plaintext_in_a_seekable_destination() -> None:
    blob = encrypt(b"secret " * 100)
    out = io.BytesIO()
    out.write(b"kept")
    with pytest.raises(DecryptionError):
        decrypt_file(KEY, io.BytesIO(blob[:-1]), out, associated=AD)
    assert out.getvalue() == b"kept"


def test_it_streams_in_constant_memory() -> None:
    def peak_while(run: object, size: int) -> int:
        tracemalloc.start()
        try:
            run(size)  # type: ignore[operator]
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    def encrypt_only(size: int) -> None:
        encrypt_file(KEY, PatternReader(size), Sink(), associated=AD, chunk_size=16 * 1024)

    small, large = peak_while(encrypt_only, 64 * 1024), peak_while(encrypt_only, 4 * 1024 * 1024)
    assert large < small + 256 * 1024  # 64x the data, not 64x the memory

    src = io.BytesIO()
    encrypt_file(KEY, PatternReader(4 * 1024 * 1024), src, associated=AD, chunk_size=16 * 1024)

    def decrypt_only(_: int) -> None:
        src.seek(0)
        decrypt_file(KEY, src, Sink(), associated=AD)

    assert peak_while(decrypt_only, 0) < 256 * 1024


@settings(max_examples=100, deadline=None)
@given(
    data=st.binary(max_size=3000),
    cuts=st.lists(st.integers(0, 3000), max_size=12),
    chunk_size=st.integers(16, 300),
)
def test_it_encrypts_pushed_pieces_like_encrypt_file(
    data: bytes, cuts: list[int], chunk_size: int
) -> None:
    # Any split of the input gives a stream that decrypt_file accepts, with the same
    # sizes and digest as encrypt_file: push() must not leak how the data arrived.
    bounds = sorted({0, len(data), *(cut % (len(data) + 1) for cut in cuts)})
    out = io.BytesIO()
    encryptor = StreamEncryptor(KEY, out, associated=AD, chunk_size=chunk_size)
    for start, end in itertools.pairwise(bounds):
        encryptor.push(data[start:end])
    info = encryptor.finish()
    whole = io.BytesIO()
    expected = encrypt_file(KEY, io.BytesIO(data), whole, associated=AD, chunk_size=chunk_size)
    assert info == expected
    assert len(out.getvalue()) == len(whole.getvalue()) == info.ciphertext_size
    assert decrypt(out.getvalue()) == data


def test_it_pushes_bytearrays_memoryviews_and_empty_pieces() -> None:
    out = io.BytesIO()
    encryptor = StreamEncryptor(KEY, out, associated=AD, chunk_size=16)
    encryptor.push(b"")
    encryptor.push(bytearray(b"a" * 20))
    encryptor.push(memoryview(b"b" * 30)[5:])
    encryptor.push(memoryview(bytes(range(8))).cast("I"))  # non-byte format: raw bytes count
    info = encryptor.finish()
    assert decrypt(out.getvalue()) == b"a" * 20 + b"b" * 25 + bytes(range(8))
    assert info.plaintext_size == 53


def test_it_writes_the_header_at_once_and_refuses_use_after_finish() -> None:
    out = io.BytesIO()
    encryptor = StreamEncryptor(KEY, out, associated=AD)
    assert len(out.getvalue()) == PREFIX_AND_HEADER
    encryptor.push(b"x")
    encryptor.finish()
    with pytest.raises(ValueError):
        encryptor.push(b"more")
    with pytest.raises(ValueError):
        encryptor.finish()
    with pytest.raises(ValueError):
        StreamEncryptor(KEY[:31], io.BytesIO(), associated=AD)
    with pytest.raises(ValueError):
        StreamEncryptor(KEY, io.BytesIO(), associated=AD, chunk_size=8)


def test_it_pushes_in_constant_memory() -> None:
    piece = b"\xa5" * (256 * 1024)  # larger than a chunk: split inside push()

    def peak_for(pieces: int) -> int:
        tracemalloc.start()
        try:
            encryptor = StreamEncryptor(KEY, Sink(), associated=AD, chunk_size=16 * 1024)
            for _ in range(pieces):
                encryptor.push(piece)
            encryptor.finish()
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    assert peak_for(32) < peak_for(1) + 256 * 1024  # 32x the data, not 32x the memory


def test_it_hashes_large_files_beside_the_encryption_and_gets_the_same_digest() -> None:
    import threading

    from amparo.crypto import files

    key = new_data_key()
    data = bytes(range(256)) * (3 * files.HASH_IN_THREAD_FROM // 256 + 17)
    before = threading.active_count()
    sink = io.BytesIO()
    # A mutable piece that the caller overwrites after push(): the digest must not see it.
    encryptor = StreamEncryptor(key, sink, associated=b"ad")
    piece = bytearray(data[: files.HASH_IN_THREAD_FROM])
    encryptor.push(piece)
    piece[:] = bytes(len(piece))
    encryptor.push(data[files.HASH_IN_THREAD_FROM :])
    info = encryptor.finish()
    assert info.sha256_hex_of_plaintext == hashlib.sha256(data).hexdigest()
    assert info.plaintext_size == len(data)
    assert threading.active_count() == before
    out = io.BytesIO()
    sink.seek(0)
    decrypt_file(key, sink, out, associated=b"ad")
    assert out.getvalue() == data


def test_an_abandoned_encryptor_does_not_leave_its_hashing_thread_behind() -> None:
    import gc
    import threading
    import time

    from amparo.crypto import files

    before = threading.active_count()
    encryptor = StreamEncryptor(new_data_key(), io.BytesIO(), associated=b"ad")
    encryptor.push(bytes(2 * files.HASH_IN_THREAD_FROM))
    assert threading.active_count() == before + 1
    del encryptor
    gc.collect()
    deadline = time.monotonic() + 5
    while threading.active_count() > before and time.monotonic() < deadline:
        time.sleep(0.01)
    assert threading.active_count() == before


@pytest.mark.parametrize("chunk_size", [16, 64, 100])
@pytest.mark.parametrize("length", [0, 1, 15, 100, 1000, 1500, 4100])
def test_every_message_is_its_count_its_bytes_and_zeros(length: int, chunk_size: int) -> None:
    # The message buffer is reused: no byte of an earlier message may remain in a later
    # one (the last data's fill and the padding messages are zeros, as the format says).
    data = bytes(i % 255 + 1 for i in range(length))  # no zero byte
    blob = encrypt(data, chunk_size=chunk_size)
    state = bindings.crypto_secretstream_xchacha20poly1305_state()
    bindings.crypto_secretstream_xchacha20poly1305_init_pull(state, blob[5:PREFIX_AND_HEADER], KEY)
    size = 4 + chunk_size + bindings.crypto_secretstream_xchacha20poly1305_ABYTES
    first_ad = files._first_ad(blob[:5], AD)
    seen = b""
    counts = []
    for number, start in enumerate(range(PREFIX_AND_HEADER, len(blob), size)):
        message, _tag = bindings.crypto_secretstream_xchacha20poly1305_pull(
            state, blob[start : start + size], first_ad if number == 0 else None
        )
        count = int.from_bytes(message[:4], "big")
        counts.append(count)
        seen += message[4 : 4 + count]
        assert message[4 + count :] == bytes(chunk_size - count)
    assert seen == data
    assert len(counts) == max(1, -(-padme(length) // chunk_size))
