"""Who holds the coordinators' index key: only coordinators who hold every indexed
case, and a removed holder's copy is destroyed and the key rotated
(amparo/cases/search_keys.py)."""

from __future__ import annotations

from amparo.accounts.models import Role
from amparo.accounts.two_person import do_change_roles, do_confirm_change
from amparo.audit.models import AuditEvent
from amparo.cases import search_index, search_keys
from amparo.cases.actions.keys import do_share_all_cases
from amparo.cases.models import CaseKey, SearchIndex, SearchIndexEntry, SearchIndexKey
from amparo.cases.tests.base import make_case
from amparo.cases.tests.test_search_index import IndexTestCase, snapshot_text
from amparo.crypto import DecryptionError, decrypt_field, seal_bytes
from amparo.tests.base import Persona, enrol_persona


class SealingTests(IndexTestCase):
    def test_it_is_not_sealed_to_a_coordinator_who_lacks_one_of_the_cases(self) -> None:
        second = enrol_persona("coordinator2", [Role.COORDINATOR])
        third = enrol_persona("coordinator3", [Role.COORDINATOR])
        case = make_case("A shared bittern").case
        CaseKey.objects.filter(case=case, user=third.user).delete()
        self.assertEqual(self.search("bittern"), [case.reference])
        holders = set(SearchIndexKey.objects.values_list("user_id", flat=True))
        self.assertEqual(holders, {self.coordinator.user.pk, second.user.pk})
        # The third searches per request, over the cases sealed to them.
        with self.captureOnCommitCallbacks(execute=True):
            outcome = search_index.search(third.user, third.private_key(), "bittern")
        self.assertEqual((outcome.found, outcome.searched), (0, 0))

    def test_sharing_is_refused_to_a_coordinator_who_would_still_lack_a_case(self) -> None:
        make_case("A grebe")
        self.search("grebe")
        newcomer = enrol_persona("coordinator3", [Role.COORDINATOR])
        self.assertFalse(
            search_keys.grant(self.coordinator.user, self.coordinator.private_key(), newcomer.user)
        )
        do_share_all_cases(self.coordinator.user, self.coordinator.private_key(), newcomer.user)
        self.assertTrue(SearchIndexKey.objects.filter(user=newcomer.user).exists())


class RotationTests(IndexTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.second = enrol_persona("coordinator2", [Role.COORDINATOR, Role.HANDLER])
        self.case = make_case("An avocet").case
        self.search("avocet")
        row = SearchIndex.objects.get()
        self.old_public = bytes(row.public_key)
        self.old_key = search_keys.index_key(
            self.second.user, self.second.private_key(), self.old_public
        )
        assert self.old_key is not None

    def remove(self, persona: Persona) -> None:
        change = do_change_roles(self.administrator.user, persona.user, {Role.HANDLER})
        assert change.removal_waiting is not None
        do_confirm_change(self.coordinator.user, change.removal_waiting)

    def test_removing_a_holder_rotates_the_key_at_the_next_merge(self) -> None:
        self.remove(self.second)
        self.assertTrue(SearchIndex.objects.get().rotate)
        with self.captureOnCommitCallbacks(execute=True):
            make_case("A later curlew")
        self.assertEqual(len(self.search("curlew")), 1)
        row = SearchIndex.objects.get()
        self.assertFalse(row.rotate)
        self.assertNotEqual(bytes(row.public_key), self.old_public)
        self.assertEqual(
            list(SearchIndexKey.objects.values_list("user_id", flat=True)),
            [self.coordinator.user.pk],
        )
        # The removed holder's old key no longer opens the snapshot written since.
        with self.assertRaises(DecryptionError):
            decrypt_field(
                search_index._snapshot_key(self.old_key),
                bytes(row.snapshot),
                report_id=search_index.SNAPSHOT_ID,
                field=f"snapshot/{row.version}",
            )
        self.assertIn("curlew", snapshot_text(self.coordinator))
        self.assertTrue(
            AuditEvent.objects.filter(
                action="access_granted", target_type="search_index", details__rotated=True
            ).exists()
        )
        # Another worker, holding the old key open, reloads under the new one.
        search_index.close()
        self.assertEqual(len(self.search("avocet curlew")), 0)
        self.assertEqual(len(self.search("avocet")), 1)

    def test_an_entry_sealed_to_the_old_key_meanwhile_is_still_read(self) -> None:
        self.remove(self.second)
        self.search("avocet")  # rotates
        self.assertTrue(SearchIndex.objects.get().previous_key)
        late = make_case("A late dunlin").case  # no entry: written below, as if raced
        entry = f'{{"c":{late.pk},"v":{late.version},"t":"a late dunlin"}}'.encode()
        SearchIndexEntry.objects.create(sealed=seal_bytes(entry, self.old_public))
        search_index.close()
        self.assertIn("dunlin", self.indexed(late))
        # The next merge reads it and drops the old key for good.
        with self.captureOnCommitCallbacks(execute=True):
            search_index.on_sign_in(self.coordinator.user, self.coordinator.private_key())
        self.assertFalse(SearchIndex.objects.get().previous_key)
        self.assertIsNone(search_index._open.previous_key)  # type: ignore[union-attr]
        self.assertIn("dunlin", snapshot_text(self.coordinator))

    def test_an_index_nobody_holds_any_more_is_made_again(self) -> None:
        SearchIndexKey.objects.filter(user=self.coordinator.user).delete()
        self.remove(self.second)
        self.assertFalse(SearchIndexKey.objects.exists())
        search_index.close()
        self.assertEqual(len(self.search("avocet")), 1)
        row = SearchIndex.objects.get()
        self.assertNotEqual(bytes(row.public_key), self.old_public)
        self.assertEqual(
            list(SearchIndexKey.objects.values_list("user_id", flat=True)),
            [self.coordinator.user.pk],
        )
