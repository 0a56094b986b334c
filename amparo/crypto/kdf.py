"""Key derivation: Argon2id for human-held secrets, keyed BLAKE2b for subkeys.

Argon2id (argon2-cffi) stretches low- or medium-entropy secrets; BLAKE2b
(libsodium crypto_generichash) derives independent keys from one strong secret.
"""

from dataclasses import dataclass, replace
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

# Receipts: numbered parameter sets, because changing the parameters changes every
# lookup id. Each report stores the id of the set its lookup id was derived with; a
# follow-up stretches the typed receipt under every set still in use and a report found
# under an older set is re-derived under the current one (amparo/cases/actions/create.py
# do_upgrade_receipt). Never change or remove a set while a report still uses it: add a
# new one and make it current. docs/crypto.md gives the arithmetic behind the choice.
RECEIPT_PARAM_SETS: dict[int, KdfParams] = {
    # Until issue 12: 128 MiB, t=3 (about 0.35 s on the 2-core reference box).
    1: KdfParams(time_cost=3, memory_kib=128 * 1024, parallelism=1),
    # OWASP's Argon2id baseline (19 MiB, t=2): about 25 ms on the reference box. A
    # receipt has 93 random bits; with one million reports under one salt an attacker
    # still needs about 2^73 guesses x 25 ms, some 2^15 times the peer's 53-bit receipt
    # under a full second of Argon2id per guess.
    2: KdfParams(time_cost=2, memory_kib=19 * 1024, parallelism=1),
}
CURRENT_RECEIPT_SET = 2
RECEIPT_PARAMS = RECEIPT_PARAM_SETS[CURRENT_RECEIPT_SET]

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
        return receipt_params(CURRENT_RECEIPT_SET)
    else:
        raise ValueError("unknown KDF purpose")
    return INSECURE_TEST_PARAMS if _insecure_fast_kdf_enabled() else production


def current_receipt_set() -> int:
    """The id of the receipt parameter set new reports are stretched with."""
    return CURRENT_RECEIPT_SET


def receipt_params(set_id: int) -> KdfParams:
    """The receipt parameters of set ``set_id`` (KeyError for an unknown set).

    With AMPARO_INSECURE_FAST_KDF the sets stay distinct (one more pass per set id) but
    cost nothing, so tests can still tell the sets apart.
    """
    production = RECEIPT_PARAM_SETS[set_id]
    if _insecure_fast_kdf_enabled():
        return replace(INSECURE_TEST_PARAMS, time_cost=min(set_id, MAX_TIME_COST))
    return production


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
