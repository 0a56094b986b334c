"""Amparo's cryptography: keys, envelopes, file streams and receipts. No views, no models.

Built only on PyNaCl (libsodium) and argon2-cffi; docs/crypto.md describes the key
hierarchy and what an attacker holding a database copy can and cannot do.
"""

from .envelope import (
    decrypt_field,
    decrypt_json,
    decrypt_text,
    encrypt_field,
    encrypt_json,
    encrypt_text,
    new_data_key,
    open_data_key,
    seal_data_key,
)
from .errors import CryptoError, DecryptionError, InvalidReceipt, InvalidRecoveryKey
from .files import (
    EncryptedFileInfo,
    StreamEncryptor,
    decrypt_file,
    encrypt_file,
    file_associated_data,
    iter_decrypt,
)
from .kdf import (
    INSECURE_TEST_PARAMS,
    RECEIPT_PARAMS,
    STAFF_PASSWORD_PARAMS,
    KdfParams,
    current_params,
    stretch,
    subkey,
)
from .keys import (
    KeyPair,
    derive_public_key,
    format_recovery_key,
    generate_keypair,
    generate_recovery_key,
    normalize_recovery_key,
    unwrap_with_key,
    unwrap_with_password,
    unwrap_with_recovery_key,
    wrap_with_key,
    wrap_with_password,
    wrap_with_recovery_key,
)
from .receipts import (
    RECEIPT_ENTROPY_BITS,
    ReceiptSecrets,
    derive_receipt_secrets,
    format_receipt,
    generate_receipt,
    normalize_receipt,
)

__all__ = [
    "INSECURE_TEST_PARAMS",
    "RECEIPT_ENTROPY_BITS",
    "RECEIPT_PARAMS",
    "STAFF_PASSWORD_PARAMS",
    "CryptoError",
    "DecryptionError",
    "EncryptedFileInfo",
    "InvalidReceipt",
    "InvalidRecoveryKey",
    "KdfParams",
    "KeyPair",
    "ReceiptSecrets",
    "StreamEncryptor",
    "current_params",
    "decrypt_field",
    "decrypt_file",
    "decrypt_json",
    "decrypt_text",
    "derive_public_key",
    "derive_receipt_secrets",
    "encrypt_field",
    "encrypt_file",
    "encrypt_json",
    "encrypt_text",
    "file_associated_data",
    "format_receipt",
    "format_recovery_key",
    "generate_keypair",
    "generate_receipt",
    "generate_recovery_key",
    "iter_decrypt",
    "new_data_key",
    "normalize_receipt",
    "normalize_recovery_key",
    "open_data_key",
    "seal_data_key",
    "stretch",
    "subkey",
    "unwrap_with_key",
    "unwrap_with_password",
    "unwrap_with_recovery_key",
    "wrap_with_key",
    "wrap_with_password",
    "wrap_with_recovery_key",
]
