"""A coding records the versions of the vocabularies it was made with."""

from __future__ import annotations

from amparo.accounts.models import Role
from amparo.cases.actions.coding import CodingValues, do_code_case
from amparo.cases.models import Coding
from amparo.reference.models import ReferenceList
from amparo.tests.base import AmparoTestCase, enrol_persona, make_reporter


def values(**changes: object) -> CodingValues:
    fields: dict[str, object] = {
        "reprisal_types": [],
        "target": "",
        "defender_profiles": [],
        "situation": "",
        "engagement": ["otp_meeting"],
        "country": "",
        "region": "",
        "month": None,
        "perpetrators": [],
    }
    return CodingValues(**{**fields, **changes})  # type: ignore[arg-type]


class CodingVersionTests(AmparoTestCase):
    def test_it_keeps_the_version_each_coding_was_made_with(self) -> None:
        coordinator = enrol_persona("cora", [Role.COORDINATOR])
        case = make_reporter().case
        coding = do_code_case(coordinator.user, case, values(), expected_version=None)
        self.assertEqual(coding.vocabulary_versions["engagement"], 2)
        self.assertEqual(coding.vocabulary_versions["reprisal_type"], 1)
        ReferenceList.objects.filter(code="engagement").update(version=3)
        other = make_reporter().case
        do_code_case(coordinator.user, other, values(), expected_version=None)
        self.assertEqual(
            sorted(c.vocabulary_versions["engagement"] for c in Coding.objects.all()), [2, 3]
        )
