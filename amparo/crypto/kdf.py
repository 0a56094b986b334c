"""Key derivation: Argon2id for human-held secrets, keyed BLAKE2b for subkeys.

Argon2id (argon2-cffi) stretches low- or medium-entropy secrets; BLAKE2b
(libsodium crypto_generichash) derives independent keys from one strong secret.
"""

from dataclasses import dataclass
from typing import Literal

from argon2.low_level import Type, hash_secret_raw
from nacl import bindings

SALT_BYTES = 16

# Argon2 needs at least 8 KiB per lane; the upper limits stop a tampered, self-describing
# blob from making the server allocate gigabytes or spin for minutes (DoS).
MAX_TIME_COST = 32
MAX_MEMORY_KIB = 1024 * 1024  # 1 GiB
MAX_PARALLELISM = 16


@dataclass(frozen=True)
class KdfParams:
    """Argon2id cost parameters: passes, memory in KiB, lanes."""

    time_cost: int
    memory_kib: int
    parallelism: int

    def __post_init__(self) -> None:
        if not 1 <= self.parallelism <= MAX_PARALLELISM:
            raise ValueError("parallelism out of range")
        if not 1 <= self.time_cost <= MAX_TIME_COST:
            raise ValueError("time_cost out of range")
        if not 8 * self.parallelism <= self.memory_kib <= MAX_MEMORY_KIB:
            raise ValueError("memory_kib out of range")


# Staff passwords: RFC 9106's second recommended option (t=3, 64 MiB), with one lane so
# one login occupies one core. About 0.16 s on the 2-core reference box (see
# docs/crypto.md). The password-wrapped blob records its parameters, so they can be
# raised later and old blobs still open.
STAFF_PASSWORD_PARAMS = KdfParams(time_cost=3, memory_kib=64 * 1024, parallelism=1)

# Receipts: 128 MiB, t=3, one lane: about 0.35 s on the 2-core reference box. A receipt
# already has 93 bits of entropy, so this is defence in depth, but it is where depth
# matters: the salt has to be installation-wide (the lookup must be deterministic), so
# one guess is tested against every report at once, and a partly seen receipt (a photo,
# a shoulder) loses entropy. More memory rather than more passes because an attacker's
# cost grows with memory x time while ours is bounded by the concurrency cap.
# Changing these values changes every lookup id: see docs/crypto.md before touching them.
RECEIPT_PARAMS = KdfParams(time_cost=3, memory_kib=128 * 1024, parallelism=1)

# INSECURE: the smallest parameters Argon2id accepts. For the test suite only, selected
# through settings.AMPARO_INSECURE_FAST_KDF; never in production.
INSECURE_TEST_PARAMS = KdfParams(time_cost=1, memory_kib=8, parallelism=1)

# BLAKE2b personalisation for every subkey: keeps these outputs apart from any other use
# of BLAKE2b with the same key. Exactly crypto_generichash_PERSONALBYTES (16) long.
_SUBKEY_PERSONAL = b"amparo/subkey/v1"


def current_params(purpose: Literal["password", "receipt"]) -> KdfParams:
    """Production parameters for purpose, or INSECURE_TEST_PARAMS when the configured Django
    settings set AMPARO_INSECURE_FAST_KDF = True (test settings only)."""
    if purpose == "password":
        production = STAFF_PASSWORD_PARAMS
    elif purpose == "receipt":
        production = RECEIPT_PARAMS
    else:
        raise ValueError("unknown KDF purpose")
    return INSECURE_TEST_PARAMS if _insecure_fast_kdf_enabled() else production


def _insecure_fast_kdf_enabled() -> bool:
    # Imported lazily so this package stays usable without Django (benchmarks, scripts),
    # and read only from settings that are already configured: an unconfigured process
    # gets production parameters, never the weak ones by accident.
    try:
        from django.conf import settings
    except ImportError:
        return False
    if not settings.configured:
        return False
    # `is True`, not truthiness: a stray "0" or "false" string from the environment
    # must not switch the KDF off.
    return getattr(settings, "AMPARO_INSECURE_FAST_KDF", False) is True


def stretch(secret: bytes, salt: bytes, params: KdfParams, length: int = 32) -> bytes:
    """Argon2id (v1.3) raw output of length bytes for secret under a 16-byte salt."""
    if not isinstance(secret, bytes):
        raise TypeError("secret must be bytes")
    if not isinstance(salt, bytes) or len(salt) != SALT_BYTES:
        raise ValueError("salt must be 16 bytes")
    if not 16 <= length <= 64:
        raise ValueError("length must be between 16 and 64")
    return hash_secret_raw(
        secret=secret,
        salt=salt,
        time_cost=params.time_cost,
        memory_cost=params.memory_kib,
        parallelism=params.parallelism,
        hash_len=length,
        type=Type.ID,
    )


def subkey(master: bytes, context: str, length: int = 32) -> bytes:
    """Derive a key for one purpose from master with keyed BLAKE2b over the context name.

    Distinct contexts give computationally independent keys: knowing one subkey reveals
    nothing about master or about the subkeys of other contexts.
    """
    if not isinstance(master, bytes):
        raise TypeError("master must be bytes")
    if not bindings.crypto_generichash_KEYBYTES_MIN <= len(master) <= 64:
        raise ValueError("master must be 16 to 64 bytes")
    if not context:
        raise ValueError("context must not be empty")
    if not bindings.crypto_generichash_BYTES_MIN <= length <= 64:
        raise ValueError("length must be between 16 and 64")
    return bindings.crypto_generichash_blake2b_salt_personal(
        context.encode("utf-8"), digest_size=length, key=master, person=_SUBKEY_PERSONAL
    )
