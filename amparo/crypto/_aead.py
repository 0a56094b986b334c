"""XChaCha20-Poly1305-IETF with random nonces: the one AEAD behind every envelope.

Internal helpers shared by envelope.py and keys.py; not part of the public API.
"""

from nacl import bindings
from nacl import exceptions as nacl_exceptions
from nacl.utils import random

from .errors import DecryptionError

KEY_BYTES = bindings.crypto_aead_xchacha20poly1305_ietf_KEYBYTES
NONCE_BYTES = bindings.crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
TAG_BYTES = bindings.crypto_aead_xchacha20poly1305_ietf_ABYTES

# Every associated-data string starts with this, so nothing Amparo encrypts can be
# confused with another application's ciphertext under the same key.
DOMAIN = b"amparo/v1"


def associated_data(*parts: bytes | str) -> bytes:
    """Encode parts as unambiguous associated data: DOMAIN, then each part length-prefixed."""
    # Length prefixes make ("ab", "c") and ("a", "bc") different, so an attacker cannot
    # shift bytes between a report id and a field name and keep the tag valid.
    out = bytearray(DOMAIN)
    for part in parts:
        raw = part.encode("utf-8") if isinstance(part, str) else part
        out += len(raw).to_bytes(4, "big")
        out += raw
    return bytes(out)


def as_bytes(value: bytes) -> bytes:
    """Accept bytearray/memoryview from database drivers; return immutable bytes."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, bytearray | memoryview):
        return bytes(value)
    raise TypeError("expected bytes")


def check_key(key: bytes) -> bytes:
    """Return key as bytes if it is a 32-byte symmetric key, else raise ValueError."""
    key = as_bytes(key)
    if len(key) != KEY_BYTES:
        raise ValueError("key must be 32 bytes")
    return key


def seal(key: bytes, plaintext: bytes, ad: bytes) -> bytes:
    """Encrypt under a fresh random 24-byte nonce; return nonce || ciphertext || tag."""
    # 192-bit random nonces make collisions negligible even for billions of messages
    # under one key, so no nonce state has to be kept anywhere.
    nonce = random(NONCE_BYTES)
    return nonce + bindings.crypto_aead_xchacha20poly1305_ietf_encrypt(
        as_bytes(plaintext), ad, nonce, check_key(key)
    )


def open_sealed(key: bytes, blob: bytes, ad: bytes) -> bytes:
    """Inverse of seal(); any failure (wrong key, tampering, short input) is DecryptionError."""
    key = as_bytes(key)
    blob = as_bytes(blob)
    if len(key) != KEY_BYTES or len(blob) < NONCE_BYTES + TAG_BYTES:
        raise DecryptionError()
    try:
        return bindings.crypto_aead_xchacha20poly1305_ietf_decrypt(
            blob[NONCE_BYTES:], ad, blob[:NONCE_BYTES], key
        )
    except nacl_exceptions.CryptoError:
        raise DecryptionError() from None
