"""Partners with keys made in the test, cases with markers, and package opening."""

from __future__ import annotations

import io
import json
import tarfile
import warnings
from dataclasses import dataclass
from typing import Any

import pysequoia
from django.db import transaction

from amparo.accounts.models import Role
from amparo.cases.actions.create import ConsentChoice, NewCase, do_create_case
from amparo.cases.files import store_attachment
from amparo.cases.models import Attachment, ConsentMethod
from amparo.consent.actions import FOLLOW_UP_WORDING, do_record_consent
from amparo.referrals.actions.partners import PartnerValues, do_add_partner, do_confirm_partner_key
from amparo.referrals.models import DeskSigningKey, Partner
from amparo.tests.base import AmparoTestCase, Persona, enrol_persona

NARRATIVE = "MARKER-NARRATIVE-4411 they came at night"
NAME = "MARKER-NAME-9052 Ana"
FILE_BYTES = b"MARKER-FILE-7310 photo of the summons\n" * 50
OTHER_FILE = b"MARKER-OTHERFILE-2208 not consented\n"


def public_cert(tsk: pysequoia.Tsk) -> pysequoia.Cert:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return tsk.extract_certificate()


@dataclass
class Opened:
    signed_by: list[str]
    manifest: dict[str, Any]
    summary: str
    files: dict[str, bytes]
    raw: bytes


def open_package(package: bytes, partner_key: pysequoia.Tsk) -> Opened:
    """Decrypt with the partner's key, check the desk's signature, unpack the tar."""
    desk = DeskSigningKey.objects.get(active=True)
    desk_cert = pysequoia.Cert.from_bytes(desk.certificate.encode())
    decrypted = pysequoia.decrypt(
        package, decryptor=partner_key.decryptor(), store=lambda ids: [desk_cert]
    )
    assert decrypted.bytes is not None
    signed_by = [str(sig) for sig in decrypted.valid_sigs]
    members: dict[str, bytes] = {}
    with tarfile.open(fileobj=io.BytesIO(decrypted.bytes)) as tar:
        for member in tar.getmembers():
            handle = tar.extractfile(member)
            assert handle is not None
            members[member.name] = handle.read()
    return Opened(
        signed_by=signed_by,
        manifest=json.loads(members.pop("manifest.json")),
        summary=members.pop("summary.txt").decode(),
        files=members,
        raw=decrypted.bytes,
    )


def add_file(created: NewCase, content: bytes, name: str) -> Attachment:
    with transaction.atomic():
        attachment = store_attachment(
            created.opened, io.BytesIO(content), name=name, content_type="text/plain", scrubbed=True
        )
        attachment.save()
    return attachment


class ReferralTestCase(AmparoTestCase):
    second_coordinator: Persona

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.second_coordinator = enrol_persona("coordinator2", [Role.COORDINATOR])

    def make_partner(
        self,
        name: str = "Shelter Fund",
        kind: str = "emergency_fund",
        language: str = "en",
        validity_seconds: int | None = None,
    ) -> tuple[Partner, pysequoia.Tsk]:
        key = pysequoia.Tsk.generate(
            f"{name} <fund@example.org>", validity_seconds=validity_seconds
        )
        partner = do_add_partner(
            self.administrator.user,
            PartnerValues(
                name=name,
                kind=kind,
                email="fund@example.org",
                languages=[language],
                countries=["CD"],
                regions=[],
                measures=[],
            ),
            str(public_cert(key)),
        )
        partner = do_confirm_partner_key(
            self.administrator.user, partner, typed=partner.fingerprint.lower()
        )
        return partner, key

    def make_case(self) -> tuple[NewCase, Attachment, Attachment]:
        created = do_create_case(
            answers={"narrative": NARRATIVE, "name": NAME},
            language="en",
            questionnaire_version="test",
            consents=[ConsentChoice("store", True, "t"), ConsentChoice("contact", True, "t")],
        )
        shared = add_file(created, FILE_BYTES, "summons.txt")
        other = add_file(created, OTHER_FILE, "other.txt")
        return created, shared, other

    def consent_to(self, created: NewCase, partner: Partner, fields: list[str]) -> None:
        do_record_consent(
            created.case,
            scope="share",
            granted=True,
            method=ConsentMethod.FOLLOW_UP,
            wording_version=FOLLOW_UP_WORDING,
            partner=partner,
            fields=fields,
        )
