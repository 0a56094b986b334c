"""Staff key pairs and the ways a private key is kept wrapped.

A private key is stored only wrapped: by the owner's password (Argon2id), by a recovery
key shown once at enrolment, or under a key that lives only in the session cookie.
"""

import secrets
import struct
import unicodedata
from dataclasses import dataclass, field

from nacl.public import PrivateKey
from nacl.utils import random

from . import _aead
from ._text import MAX_INPUT_LENGTH, significant_characters
from .errors import DecryptionError, InvalidRecoveryKey
from .kdf import SALT_BYTES, KdfParams, current_params, stretch, subkey

FORMAT_KEY_WRAP = 0x11
FORMAT_PASSWORD_WRAP = 0x21
FORMAT_RECOVERY_WRAP = 0x31

# format byte, time_cost, memory_kib, parallelism, then the 16-byte salt.
_PASSWORD_HEADER = struct.Struct(">BIIB16s")

# Crockford base32: digits and capitals without I, L, O, U, so nothing looks like
# anything else in a handwritten copy, and case does not matter. 28 symbols carry 140
# bits and read as 7 groups of 4, like a receipt. Digits only (as for receipts) would
# need 39 of them for 128 bits: too long to copy without mistakes.
RECOVERY_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
RECOVERY_KEY_LENGTH = 28
RECOVERY_GROUP = 4
# What a hand copy most often gets wrong, mapped back the way Crockford specifies.
_RECOVERY_ALIASES = {"I": "1", "L": "1", "O": "0"}


@dataclass(frozen=True)
class KeyPair:
    """An X25519 key pair as raw 32-byte strings."""

    public: bytes
    private: bytes = field(repr=False)  # never in a log line or a traceback repr


def generate_keypair() -> KeyPair:
    """A fresh X25519 key pair."""
    private = PrivateKey.generate()
    return KeyPair(public=bytes(private.public_key), private=bytes(private))


def derive_public_key(private_key: bytes) -> bytes:
    """The X25519 public key of private_key.

    Compare it with the stored public key after every unwrap: someone who can write to
    the database could swap in their own public key and receive every new data key.
    """
    return bytes(PrivateKey(_aead.as_bytes(private_key)).public_key)


def wrap_with_key(secret: bytes, key: bytes, *, context: str) -> bytes:
    """Encrypt secret under a 32-byte key, bound to context (e.g. "session-private-key")."""
    if not context:
        raise ValueError("context must not be empty")
    ad = _aead.associated_data(b"key-wrap", bytes([FORMAT_KEY_WRAP]), context)
    return bytes([FORMAT_KEY_WRAP]) + _aead.seal(key, secret, ad)


def unwrap_with_key(blob: bytes, key: bytes, *, context: str) -> bytes:
    """Inverse of wrap_with_key; DecryptionError on a wrong key, context or any tampering."""
    if not context:
        raise ValueError("context must not be empty")
    blob = _aead.as_bytes(blob)
    if not blob or blob[0] != FORMAT_KEY_WRAP:
        raise DecryptionError()
    ad = _aead.associated_data(b"key-wrap", bytes([FORMAT_KEY_WRAP]), context)
    return _aead.open_sealed(key, blob[1:], ad)


def _password_bytes(password: str) -> bytes:
    # NFC so the same password typed on systems that compose accents differently
    # (precomposed "é" vs "e" + combining accent) derives the same key.
    return unicodedata.normalize("NFC", password).encode("utf-8")


def wrap_with_password(private_key: bytes, password: str, params: KdfParams | None = None) -> bytes:
    """Encrypt private_key under Argon2id(password, random salt).

    The blob records format, parameters and salt, so parameters can change later and
    old blobs still open with unwrap_with_password.
    """
    if not password:
        raise ValueError("password must not be empty")
    params = params or current_params("password")
    salt = random(SALT_BYTES)
    header = _PASSWORD_HEADER.pack(
        FORMAT_PASSWORD_WRAP, params.time_cost, params.memory_kib, params.parallelism, salt
    )
    key = stretch(_password_bytes(password), salt, params)
    # The header is authenticated too: nobody can lower the recorded cost and keep the tag.
    return header + _aead.seal(key, private_key, _aead.associated_data(b"password-wrap", header))


def unwrap_with_password(blob: bytes, password: str) -> bytes:
    """Inverse of wrap_with_password; DecryptionError on a wrong password or a bad blob."""
    blob = _aead.as_bytes(blob)
    if len(blob) < _PASSWORD_HEADER.size or blob[0] != FORMAT_PASSWORD_WRAP:
        raise DecryptionError()
    header = blob[: _PASSWORD_HEADER.size]
    _, time_cost, memory_kib, parallelism, salt = _PASSWORD_HEADER.unpack(header)
    try:
        # KdfParams enforces upper bounds: a tampered header cannot make us allocate
        # gigabytes before the tag check fails.
        params = KdfParams(time_cost=time_cost, memory_kib=memory_kib, parallelism=parallelism)
    except ValueError:
        raise DecryptionError() from None
    key = stretch(_password_bytes(password), salt, params)
    return _aead.open_sealed(
        key, blob[_PASSWORD_HEADER.size :], _aead.associated_data(b"password-wrap", header)
    )


def generate_recovery_key() -> str:
    """A random recovery key (140 bits), formatted for writing down: XXXX-XXXX-...-XXXX."""
    symbols = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_KEY_LENGTH))
    return format_recovery_key(symbols)


def format_recovery_key(recovery_key: str) -> str:
    """The canonical written form: 7 dash-separated groups of 4."""
    canonical = normalize_recovery_key(recovery_key)
    groups = [
        canonical[i : i + RECOVERY_GROUP] for i in range(0, RECOVERY_KEY_LENGTH, RECOVERY_GROUP)
    ]
    return "-".join(groups)


def normalize_recovery_key(text: str) -> str:
    """The 28 canonical characters of a typed recovery key.

    Ignores spaces, dashes and invisible marks, accepts any case, full-width forms and
    non-ASCII digits, reads I/L as 1 and O as 0; raises InvalidRecoveryKey otherwise.
    """
    if not isinstance(text, str) or len(text) > MAX_INPUT_LENGTH:
        raise InvalidRecoveryKey("not a recovery key")
    chars = []
    for char in significant_characters(text):
        upper = char.upper()
        upper = _RECOVERY_ALIASES.get(upper, upper)
        if upper not in RECOVERY_ALPHABET:
            raise InvalidRecoveryKey("recovery key contains a character that is not allowed")
        chars.append(upper)
    if len(chars) != RECOVERY_KEY_LENGTH:
        raise InvalidRecoveryKey("recovery key must have 28 characters")
    return "".join(chars)


def _recovery_wrapping_key(recovery_key: str) -> bytes:
    # A fast derivation is enough: the recovery key is uniformly random with 140 bits,
    # so exhaustive search is out of reach whatever the cost per guess, and a salt would
    # add nothing because precomputation over 2^140 keys is equally out of reach.
    return subkey(normalize_recovery_key(recovery_key).encode("ascii"), "recovery-wrap")


def wrap_with_recovery_key(private_key: bytes, recovery_key: str) -> bytes:
    """Encrypt private_key under a key derived from the recovery key."""
    key = _recovery_wrapping_key(recovery_key)
    ad = _aead.associated_data(b"recovery-wrap", bytes([FORMAT_RECOVERY_WRAP]))
    return bytes([FORMAT_RECOVERY_WRAP]) + _aead.seal(key, private_key, ad)


def unwrap_with_recovery_key(blob: bytes, recovery_key: str) -> bytes:
    """Inverse of wrap_with_recovery_key; DecryptionError on a wrong key or a bad blob.

    Raises InvalidRecoveryKey (before any decryption) if recovery_key is malformed.
    """
    key = _recovery_wrapping_key(recovery_key)
    blob = _aead.as_bytes(blob)
    if not blob or blob[0] != FORMAT_RECOVERY_WRAP:
        raise DecryptionError()
    ad = _aead.associated_data(b"recovery-wrap", bytes([FORMAT_RECOVERY_WRAP]))
    return _aead.open_sealed(key, blob[1:], ad)
