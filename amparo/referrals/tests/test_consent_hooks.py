"""What consent asks of referrals (amparo/consent/hooks.py): the partners a consent
to share may name, answered by referrals once the apps are ready."""

from __future__ import annotations

from django.utils import translation
from django.utils.module_loading import autodiscover_modules

from amparo.consent import hooks
from amparo.core.hooks import missing
from amparo.referrals.actions.partners import do_set_partner_active
from amparo.referrals.models import PartnerKind
from amparo.referrals.tests.base import ReferralTestCase


class ConsentHookTests(ReferralTestCase):
    def setUp(self) -> None:
        super().setUp()
        # Labels come in the active language; an earlier test may have left another.
        override = translation.override("en")
        override.__enter__()
        self.addCleanup(override.__exit__, None, None, None)

    def test_it_offers_only_active_partners(self) -> None:
        fund, _key = self.make_partner("Shelter Fund")
        clinic, _key = self.make_partner("Legal Clinic", kind="legal_aid")
        do_set_partner_active(self.administrator.user, clinic, False)
        self.assertEqual(
            hooks.sharing_partners(), [(fund.public_id, "Shelter Fund (Emergency fund)")]
        )
        self.assertEqual(hooks.sharing_partner(fund.public_id), fund)
        self.assertIsNone(hooks.sharing_partner(clinic.public_id))
        self.assertIsNone(hooks.sharing_partner("no-such-partner"))

    def test_it_names_every_kind_of_partner(self) -> None:
        kinds = dict(hooks.partner_kinds())
        self.assertEqual(set(kinds), set(PartnerKind.values))
        self.assertEqual(kinds["legal_aid"], "Legal aid")

    def test_every_declared_hook_is_provided(self) -> None:
        autodiscover_modules("hooks")
        self.assertEqual(missing(), [])
