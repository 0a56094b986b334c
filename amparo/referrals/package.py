"""The referral package: one OpenPGP message a partner opens with standard tools.

Inside the (signed, encrypted) literal data is a POSIX tar archive::

    manifest.json        schema, desk, referral, date, the consent it rests on,
                         the details included, each file with its SHA-256
    summary.txt          the cover note and the details, in the partner's language
    files/01-<name>      the chosen files, decrypted

``gpg --decrypt package.pgp | tar -x`` (or ``sq decrypt``) opens it; see
docs/referrals.md. Only the details listed in ``fields`` are read at all.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import tarfile
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from amparo.cases.files import iter_plaintext
from amparo.cases.models import Consent
from amparo.cases.vault import OpenCase
from amparo.consent.details import Detail, case_details
from amparo.consent.rules import FILE_PREFIX, target_of
from amparo.referrals.models import Partner

SCHEMA = "amparo-referral/1"


@dataclass
class Contents:
    plaintext: bytes
    manifest: dict[str, Any]
    summary: str


def _safe_name(name: str) -> str:
    # A file name from a reporter must not climb out of files/ or confuse a shell.
    name = re.sub(r"[^\w.\- ]+", "_", name, flags=re.UNICODE).strip(" .") or "file"
    return name[:80]


def _add(tar: tarfile.TarFile, path: str, data: bytes, mtime: float) -> None:
    info = tarfile.TarInfo(path)
    info.size = len(data)
    info.mtime = int(mtime)
    info.mode = 0o600
    tar.addfile(info, io.BytesIO(data))


def _summary(
    partner: Partner, referral_id: str, reference: str, cover_note: str, details: list[Detail]
) -> str:
    lines = [
        _("Referral from %(desk)s") % {"desk": settings.AMPARO_DESK_NAME},
        _("Referral %(id)s, case %(reference)s, %(day)s")
        % {"id": referral_id, "reference": reference, "day": timezone.localdate().isoformat()},
        _("To: %(partner)s") % {"partner": partner.name},
        "",
        _("Why we write to you"),
        cover_note.strip(),
        "",
        _(
            "The person concerned agreed to share exactly the details below with you, and "
            "nothing else. Please use them only to protect them, keep them encrypted, and "
            "tell us what you can do."
        ),
        "",
    ]
    for detail in details:
        if detail.code.startswith(FILE_PREFIX):
            continue
        lines += [detail.label, detail.value, ""]
    files = [d for d in details if d.code.startswith(FILE_PREFIX)]
    if files:
        lines.append(_("Files (in files/, with their SHA-256 in manifest.json):"))
        lines += [f"- {d.value}" for d in files]
    return "\n".join(lines).strip() + "\n"


def build_contents(
    opened: OpenCase,
    *,
    referral_id: str,
    partner: Partner,
    fields: list[str],
    cover_note: str,
    consent: Consent,
) -> Contents:
    """The plaintext archive for ``fields`` of the case, and its manifest and summary."""
    language = partner.summary_language
    wanted = set(fields)
    with translation.override(language):
        details = [d for d in case_details(opened, language) if d.code in wanted]
        missing = wanted - {d.code for d in details}
        if missing:
            raise LookupError(f"details no longer in the case: {sorted(missing)}")
        summary = _summary(partner, referral_id, opened.case.reference, cover_note, details)
    now = time.time()
    buffer = io.BytesIO()
    files_manifest = []
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for index, detail in enumerate((d for d in details if d.attachment is not None), start=1):
            assert detail.attachment is not None  # noqa: S101  filtered just above
            content = bytearray()
            digest = hashlib.sha256()
            for chunk in iter_plaintext(opened, detail.attachment):
                digest.update(chunk)
                content += chunk
            path = f"files/{index:02d}-{_safe_name(detail.value)}"
            _add(tar, path, bytes(content), now)
            files_manifest.append(
                {
                    "detail": detail.code,
                    "name": detail.value,
                    "path": path,
                    "bytes": len(content),
                    "sha256": digest.hexdigest(),
                }
            )
            del content
        manifest = {
            "schema": SCHEMA,
            "desk": settings.AMPARO_DESK_NAME,
            "referral": referral_id,
            "case_reference": opened.case.reference,
            "date": timezone.localdate().isoformat(),
            "language": language,
            "partner": {"name": partner.name, "fingerprint": partner.fingerprint},
            "consent": {
                "id": consent.public_id,
                "recorded_on": consent.recorded_on.isoformat(),
                "how": consent.method,
                "wording_version": consent.wording_version,
                "for": target_of(consent),
                "until": consent.until.isoformat() if consent.until else None,
                "fields": list(consent.fields),
            },
            "fields": sorted(wanted),
            "summary": "summary.txt",
            "files": files_manifest,
        }
        encoded_summary = summary.encode()
        encoded_manifest = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
        _add(tar, "manifest.json", encoded_manifest, now)
        _add(tar, "summary.txt", encoded_summary, now)
    return Contents(plaintext=buffer.getvalue(), manifest=manifest, summary=summary)
