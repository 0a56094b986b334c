"""Exceptions raised by amparo.crypto.

Messages are fixed strings: they never carry key material, plaintext, receipts or
passwords, so they are safe to log and to show in an error page.
"""


class CryptoError(Exception):
    """Base class for every error amparo.crypto raises on purpose."""


class DecryptionError(CryptoError):
    """A ciphertext, wrapped key or file stream failed to authenticate or parse.

    The single error for tampering, wrong keys, swapped ciphertexts, truncation and
    bad formats alike: callers must not be able to tell these apart (no oracle).
    """

    def __init__(self, message: str = "decryption failed") -> None:
        super().__init__(message)


class InvalidReceipt(CryptoError):
    """A reporter receipt has the wrong number of digits or a character that is not allowed."""


class InvalidRecoveryKey(CryptoError):
    """A staff recovery key is not 28 Crockford base32 characters."""
