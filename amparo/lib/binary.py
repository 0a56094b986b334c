"""Binary model fields come back as bytes or memoryview (and None when unset)."""

from __future__ import annotations


def as_bytes(value: bytes | bytearray | memoryview | None) -> bytes:
    """The field's bytes; ValueError if it is unset (a bug, never user input)."""
    if value is None:
        raise ValueError("binary field is unset")
    return bytes(value)
