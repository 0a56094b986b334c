"""Per-report data keys and the fields encrypted under them.

Each report has one random data key. Its fields are XChaCha20-Poly1305 ciphertexts bound
to (report id, field name); the key itself is stored only sealed to each entitled person.
"""

import hmac
import json
from typing import Any

from nacl import bindings
from nacl import exceptions as nacl_exceptions
from nacl.public import PrivateKey, PublicKey, SealedBox
from nacl.utils import random

from . import _aead
from ._padding import padme
from .errors import DecryptionError

DATA_KEY_BYTES = _aead.KEY_BYTES

# Format bytes: first byte of every blob, distinct per blob kind so a blob of one kind
# is refused early by another kind's reader, and room is left for a v2 of each.
FORMAT_FIELD = 0x01
FORMAT_SEALED_KEY = 0x51
FORMAT_SEALED_BYTES = 0x52

# Fields are padded to at least this many bytes, so short values (names, phone numbers,
# places) all produce the same ciphertext size; larger values follow Padmé.
_FIELD_MIN_PADDED = 64


def new_data_key() -> bytes:
    """A fresh random 32-byte key for one report."""
    return random(DATA_KEY_BYTES)


def _field_ad(report_id: str, field: str) -> bytes:
    if not report_id or not field:
        raise ValueError("report_id and field must not be empty")
    return _aead.associated_data(b"field", bytes([FORMAT_FIELD]), report_id, field)


def _pad(plaintext: bytes) -> bytes:
    # The length of a name or a narrative is itself revealing (a one-word answer vs. two
    # pages). ISO/IEC 7816-4 padding (libsodium sodium_pad) to a Padmé size, at least 64.
    target = max(_FIELD_MIN_PADDED, padme(len(plaintext) + 1))
    return bindings.sodium_pad(plaintext, target)


def _unpad(padded: bytes) -> bytes:
    try:
        return bindings.sodium_unpad(padded, len(padded))
    except nacl_exceptions.CryptoError:
        raise DecryptionError() from None


def encrypt_field(data_key: bytes, plaintext: bytes, *, report_id: str, field: str) -> bytes:
    """Encrypt plaintext for one field of one report; the ciphertext only opens there."""
    ad = _field_ad(report_id, field)
    return bytes([FORMAT_FIELD]) + _aead.seal(data_key, _pad(_aead.as_bytes(plaintext)), ad)


def decrypt_field(data_key: bytes, ciphertext: bytes, *, report_id: str, field: str) -> bytes:
    """Inverse of encrypt_field; DecryptionError if anything differs (key, row, field, byte)."""
    ad = _field_ad(report_id, field)
    ciphertext = _aead.as_bytes(ciphertext)
    if not ciphertext or ciphertext[0] != FORMAT_FIELD:
        raise DecryptionError()
    return _unpad(_aead.open_sealed(data_key, ciphertext[1:], ad))


def encrypt_text(data_key: bytes, text: str, *, report_id: str, field: str) -> bytes:
    """encrypt_field for a str, stored as UTF-8."""
    return encrypt_field(data_key, text.encode("utf-8"), report_id=report_id, field=field)


def decrypt_text(data_key: bytes, ciphertext: bytes, *, report_id: str, field: str) -> str:
    """Inverse of encrypt_text."""
    raw = decrypt_field(data_key, ciphertext, report_id=report_id, field=field)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise DecryptionError() from None


def encrypt_json(data_key: bytes, value: Any, *, report_id: str, field: str) -> bytes:
    """encrypt_field for a JSON-serialisable value (compact, sorted keys, no NaN)."""
    encoded = json.dumps(
        value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
    )
    return encrypt_text(data_key, encoded, report_id=report_id, field=field)


def decrypt_json(data_key: bytes, ciphertext: bytes, *, report_id: str, field: str) -> Any:
    """Inverse of encrypt_json."""
    text = decrypt_text(data_key, ciphertext, report_id=report_id, field=field)
    try:
        return json.loads(text)
    except ValueError:
        raise DecryptionError() from None


def seal_data_key(data_key: bytes, recipient_public_key: bytes) -> bytes:
    """Encrypt data_key so that only the holder of the recipient's private key can open it.

    libsodium sealed box: anonymous (ephemeral X25519 sender key), so it proves nothing
    about who sealed it.
    """
    data_key = _aead.check_key(data_key)
    recipient = PublicKey(_aead.as_bytes(recipient_public_key))
    return bytes([FORMAT_SEALED_KEY]) + SealedBox(recipient).encrypt(data_key)


def open_data_key(sealed: bytes, public_key: bytes, private_key: bytes) -> bytes:
    """Open a sealed data key with the recipient's key pair; DecryptionError on any mismatch."""
    sealed = _aead.as_bytes(sealed)
    public_key = _aead.as_bytes(public_key)
    private_key = _aead.as_bytes(private_key)
    if not sealed or sealed[0] != FORMAT_SEALED_KEY:
        raise DecryptionError()
    try:
        private = PrivateKey(private_key)
    except nacl_exceptions.CryptoError:
        raise DecryptionError() from None
    # A key pair that does not match is a bookkeeping error somewhere upstream (wrong
    # row, stale public key); fail the same way as a bad ciphertext rather than guess.
    if not hmac.compare_digest(bytes(private.public_key), public_key):
        raise DecryptionError()
    try:
        data_key = SealedBox(private).decrypt(sealed[1:])
    except nacl_exceptions.CryptoError:
        raise DecryptionError() from None
    if len(data_key) != DATA_KEY_BYTES:
        raise DecryptionError()
    return data_key


def seal_bytes(plaintext: bytes, recipient_public_key: bytes) -> bytes:
    """Encrypt any plaintext (padded, like a field) so only the recipient's private key opens it.

    For writers that must not be able to read what they add to: the server appends
    search-index entries sealed to the index's public key without holding its private key.
    """
    recipient = PublicKey(_aead.as_bytes(recipient_public_key))
    padded = _pad(_aead.as_bytes(plaintext))
    return bytes([FORMAT_SEALED_BYTES]) + SealedBox(recipient).encrypt(padded)


def open_sealed_bytes(sealed: bytes, public_key: bytes, private_key: bytes) -> bytes:
    """Inverse of seal_bytes; DecryptionError on a wrong key pair or any tampering."""
    sealed = _aead.as_bytes(sealed)
    if not sealed or sealed[0] != FORMAT_SEALED_BYTES:
        raise DecryptionError()
    try:
        private = PrivateKey(_aead.as_bytes(private_key))
    except nacl_exceptions.CryptoError:
        raise DecryptionError() from None
    if not hmac.compare_digest(bytes(private.public_key), _aead.as_bytes(public_key)):
        raise DecryptionError()
    try:
        padded = SealedBox(private).decrypt(sealed[1:])
    except nacl_exceptions.CryptoError:
        raise DecryptionError() from None
    return _unpad(padded)
