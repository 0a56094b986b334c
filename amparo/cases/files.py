"""Encrypted attachment storage under MEDIA_ROOT/attachments/.

Files are streamed through libsodium's secretstream in chunks, so memory use
does not grow with the file; stored names are random and the plaintext
length is padded inside the stream.
"""

from __future__ import annotations

import datetime
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.utils import timezone

from amparo.cases.models import Attachment, Message
from amparo.cases.vault import OpenCase
from amparo.crypto import encrypt_file, file_associated_data, iter_decrypt


def attachments_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "attachments"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def stored_path(attachment: Attachment) -> Path:
    return attachments_dir() / attachment.stored_name


def store_attachment(
    opened: OpenCase,
    source: BinaryIO,
    *,
    name: str,
    content_type: str,
    scrubbed: bool,
    message: Message | None = None,
    today: datetime.date | None = None,
) -> Attachment:
    """Encrypt ``source`` to disk and return the (unsaved) Attachment row, uploaded
    ``today`` (default: the real day; the demo seeder passes its calendar's).

    The caller saves the row inside its transaction and, if that transaction
    fails, calls ``discard`` so no orphan file remains.
    """
    attachment = Attachment(
        case=opened.case,
        message=message,
        stored_name=secrets.token_hex(20),
        uploaded_on=today or timezone.localdate(),
    )
    path = stored_path(attachment)
    associated = file_associated_data(opened.case.public_id, attachment.public_id)
    # O_EXCL: never overwrite; 0600: readable by the service account only.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as target:
            info = encrypt_file(opened.data_key, source, target, associated=associated)
            target.flush()
            os.fsync(target.fileno())
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    attachment.metadata = opened.encrypt_json(
        {
            "name": name,
            "content_type": content_type,
            "size": info.plaintext_size,
            "sha256": info.sha256_hex_of_plaintext,
            "scrubbed": scrubbed,
        },
        attachment.aad_field(),
    )
    return attachment


def discard(attachments: list[Attachment]) -> None:
    for attachment in attachments:
        stored_path(attachment).unlink(missing_ok=True)


def iter_plaintext(opened: OpenCase, attachment: Attachment) -> Iterator[bytes]:
    """Decrypted chunks, for a streaming response; raises DecryptionError on tampering."""
    associated = file_associated_data(opened.case.public_id, attachment.public_id)
    with stored_path(attachment).open("rb") as source:
        yield from iter_decrypt(opened.data_key, source, associated=associated)
