"""Demo partners for ``manage.py seed_demo``: example.org addresses and keys made
for the demo only, added and confirmed through the real actions.

The demo partners' private keys are written under ``AMPARO_DATA_DIR/demo-partner-keys/``
so that a demonstration can open a package; production refuses demo data.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pysequoia
from django.conf import settings

from amparo.accounts.models import User
from amparo.referrals.actions.partners import PartnerValues, do_add_partner, do_confirm_partner_key
from amparo.referrals.models import Partner

DEMO_PARTNERS = [
    PartnerValues(
        name="Demo Emergency Fund",
        kind="emergency_fund",
        email="fund@example.org",
        languages=["en", "fr"],
        countries=[],
        regions=[],
        measures=[],
    ),
    PartnerValues(
        name="Demo Protection Network",
        kind="protection_organisation",
        email="protection@example.org",
        languages=["fr", "en"],
        countries=["CD", "CF", "ML"],
        regions=[],
        measures=[],
    ),
    PartnerValues(
        name="Demo Legal Aid Clinic",
        kind="legal_aid",
        email="legal@example.org",
        languages=["es"],
        countries=["VE", "CO"],
        regions=[],
        measures=[],
    ),
]


def ensure_demo_partners(admin: User) -> list[Partner]:
    """Create (once) the demo partners, with fresh demo-only keys."""
    if settings.PRODUCTION:
        raise RuntimeError("demo partners are never created in production")
    keys_dir = Path(settings.DATA_DIR) / "demo-partner-keys"
    made = []
    for values in DEMO_PARTNERS:
        existing = Partner.objects.filter(name=values.name).first()
        if existing is not None:
            made.append(existing)
            continue
        key = pysequoia.Tsk.generate(f"{values.name} (DEMO ONLY) <{values.email}>")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            certificate = str(key.extract_certificate())
        partner = do_add_partner(admin, values, certificate)
        partner = do_confirm_partner_key(admin, partner, typed=partner.fingerprint)
        keys_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        path = keys_dir / f"{partner.fingerprint}.asc"
        path.write_text(str(key))
        path.chmod(0o600)
        made.append(partner)
    return made
