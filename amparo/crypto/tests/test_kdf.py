from hashlib import blake2b
from types import SimpleNamespace

import django.conf
import pytest
from argon2.low_level import Type, hash_secret_raw

from amparo.crypto import (
    INSECURE_TEST_PARAMS,
    RECEIPT_PARAM_SETS,
    RECEIPT_PARAMS,
    STAFF_PASSWORD_PARAMS,
    KdfParams,
    current_params,
    current_receipt_set,
    receipt_params,
    stretch,
    subkey,
)


def fake_settings(monkeypatch: pytest.MonkeyPatch, **values: object) -> None:
    # kdf imports django.conf.settings lazily, so replacing the attribute is enough and
    # works whether or not pytest-django configured real settings.
    monkeypatch.setattr(django.conf, "settings", SimpleNamespace(**values))


def test_it_matches_the_phc_argon2id_reference_vector() -> None:
    # phc-winner-argon2 src/test.c: argon2id v=19, t=2, m=65536, p=1.
    raw = hash_secret_raw(b"password", b"somesalt", 2, 65536, 1, 32, Type.ID)
    assert raw.hex() == "09316115d5cf24ed5a15a31a3ba326e5cf32edc24702987c02b6566f61913cf7"


def test_it_stretches_with_argon2id_v13() -> None:
    # Reference CLI: echo -n 123 | ./argon2 ABCDEFGHIJKLMNOP -id -v 13 -k 1024 -t 5
    salt = b"ABCDEFGHIJKLMNOP"
    params = KdfParams(time_cost=5, memory_kib=1024, parallelism=1)
    assert stretch(b"123", salt, params).hex() == (
        "3c5d010180ba0cf5b6b858cba23b318e42d33088983c404598599c3b029ecac6"
    )
    params = KdfParams(time_cost=2, memory_kib=8192, parallelism=1)
    assert stretch(b"123", salt, params).hex() == (
        "3ee950488d26ce691657b1d753f562139857b61a58f234d6cb0ce84c4cc27328"
    )


def test_it_requires_a_16_byte_salt() -> None:
    for salt in (b"", b"somesalt", b"s" * 15, b"s" * 17):
        with pytest.raises(ValueError):
            stretch(b"secret", salt, INSECURE_TEST_PARAMS)
    with pytest.raises(TypeError):
        stretch("secret", b"s" * 16, INSECURE_TEST_PARAMS)  # type: ignore[arg-type]


def test_it_returns_the_requested_length() -> None:
    assert len(stretch(b"secret", b"s" * 16, INSECURE_TEST_PARAMS, length=64)) == 64
    with pytest.raises(ValueError):
        stretch(b"secret", b"s" * 16, INSECURE_TEST_PARAMS, length=8)


def test_it_derives_subkeys_with_keyed_personalised_blake2b() -> None:
    # Cross-check libsodium against Python's independent BLAKE2b implementation.
    master = bytes(range(32))
    expected = blake2b(b"session", key=master, person=b"amparo/subkey/v1", digest_size=32)
    assert subkey(master, "session") == expected.digest()


def test_it_derives_independent_subkeys_per_context() -> None:
    master = bytes(range(32))
    keys = {subkey(master, context) for context in ("a", "b", "receipt-lookup-id", "ab")}
    assert len(keys) == 4
    assert subkey(master, "a") == subkey(master, "a")
    assert subkey(master, "a") != subkey(bytes(reversed(range(32))), "a")
    assert len(subkey(master, "a", length=64)) == 64


def test_it_rejects_bad_subkey_inputs() -> None:
    with pytest.raises(ValueError):
        subkey(b"short", "context")
    with pytest.raises(ValueError):
        subkey(b"k" * 65, "context")
    with pytest.raises(ValueError):
        subkey(b"k" * 32, "")
    with pytest.raises(ValueError):
        subkey(b"k" * 32, "context", length=8)


def test_it_validates_params() -> None:
    for bad in ((0, 64, 1), (1, 7, 1), (1, 15, 2), (1, 64, 0), (33, 64, 1), (1, 2**21, 1)):
        with pytest.raises(ValueError):
            KdfParams(*bad)


def test_it_keeps_production_params_strong() -> None:
    assert STAFF_PASSWORD_PARAMS.memory_kib >= 64 * 1024
    assert STAFF_PASSWORD_PARAMS.time_cost >= 3
    # Receipts carry 93 random bits: OWASP's Argon2id baseline keeps a stolen database
    # far beyond reach (docs/crypto.md gives the arithmetic).
    assert RECEIPT_PARAMS.memory_kib >= 19 * 1024
    assert RECEIPT_PARAMS.time_cost >= 2
    assert RECEIPT_PARAM_SETS[current_receipt_set()] == RECEIPT_PARAMS
    # Set 1 is what every report before issue 12 was stretched with: it must never change.
    assert RECEIPT_PARAM_SETS[1] == KdfParams(time_cost=3, memory_kib=128 * 1024, parallelism=1)
    assert INSECURE_TEST_PARAMS.memory_kib < 1024


def test_it_uses_production_params_when_settings_are_not_configured(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake_settings(monkeypatch, configured=False, AMPARO_INSECURE_FAST_KDF=True)
    assert current_params("password") == STAFF_PASSWORD_PARAMS
    assert current_params("receipt") == RECEIPT_PARAMS


def test_it_uses_production_params_when_the_flag_is_missing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake_settings(monkeypatch, configured=True)
    assert current_params("password") == STAFF_PASSWORD_PARAMS


@pytest.mark.parametrize("value", [False, "1", "true", 1, "True"])
def test_it_needs_exactly_true_to_use_insecure_params(
    monkeypatch: pytest.MonkeyPatch, value: object
) -> None:
    fake_settings(monkeypatch, configured=True, AMPARO_INSECURE_FAST_KDF=value)
    assert current_params("receipt") == RECEIPT_PARAMS


def test_it_uses_insecure_params_when_test_settings_ask(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_settings(monkeypatch, configured=True, AMPARO_INSECURE_FAST_KDF=True)
    assert current_params("password") == INSECURE_TEST_PARAMS
    # Receipt sets stay distinct in tests (one pass per set id) but cost nothing.
    receipt = current_params("receipt")
    assert receipt.memory_kib == INSECURE_TEST_PARAMS.memory_kib
    assert receipt.time_cost == current_receipt_set()
    assert receipt_params(1) != receipt


def test_it_rejects_an_unknown_purpose() -> None:
    with pytest.raises(ValueError):
        current_params("session")  # type: ignore[arg-type]
