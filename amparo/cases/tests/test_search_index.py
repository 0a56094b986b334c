"""The coordinators' search index: in step with every change of searchable text,
caught up after arrivals while nobody was signed in, filtered by access, sealed at
rest, and dropped with a coordinator's access (amparo/cases/search_index.py)."""

from __future__ import annotations

import shutil
import tempfile
import uuid
from pathlib import Path
from typing import Any
from unittest import mock

from django.test import TransactionTestCase, override_settings

from amparo.accounts.models import Role
from amparo.accounts.two_person import do_change_roles, do_confirm_change
from amparo.cases import search_index, search_keys, search_words
from amparo.cases.actions.coding import CodingValues, do_code_case
from amparo.cases.actions.desk import do_add_message, do_add_note
from amparo.cases.actions.keys import do_revoke_access, do_share_all_cases
from amparo.cases.models import (
    Case,
    Coding,
    SearchIndex,
    SearchIndexEntry,
    SearchIndexKey,
    Sender,
)
from amparo.cases.tests.base import DeskTestCase, add_file, make_case
from amparo.cases.tests.test_at_rest import database_image
from amparo.cases.tests.test_inbox import code
from amparo.crypto import decrypt_field, generate_keypair, seal_bytes
from amparo.intake.actions import do_complete_report
from amparo.operations.actions import do_shred_case
from amparo.tests.base import Persona, enrol_persona, sign_in

SEARCH = "/en/staff/cases/search/"


def snapshot_text(persona: Persona) -> str:
    """The decrypted snapshot, through the persona's copy of the index key."""
    row = SearchIndex.objects.get()
    key = search_keys.index_key(persona.user, persona.private_key(), bytes(row.public_key))
    assert key is not None
    return decrypt_field(
        search_index._snapshot_key(key),
        bytes(row.snapshot),
        report_id=search_index.SNAPSHOT_ID,
        field=f"snapshot/{row.version}",
    ).decode("utf-8", "replace")  # the inverted index's arrays are raw bytes


class IndexTestCase(DeskTestCase):
    def setUp(self) -> None:
        super().setUp()
        search_index.close()
        self.addCleanup(search_index.close)

    def search(self, query: str, persona: Persona | None = None) -> list[str]:
        persona = persona or self.coordinator
        with self.captureOnCommitCallbacks(execute=True):
            outcome = search_index.search(persona.user, persona.private_key(), query)
        return [hit.reference for hit in outcome.hits]

    def indexed(self, case: Case) -> str:
        """The words the open index holds for ``case`` after catching up (no decryption)."""
        index = search_index._opened(self.coordinator.user, self.coordinator.private_key())
        assert index is not None
        slot = index.cases.get(case.pk)
        return "" if slot is None else f"{slot[1].decode()} {slot[3].decode()}"


class BuildTests(IndexTestCase):
    def test_the_first_search_builds_a_sealed_index_that_later_searches_reopen(self) -> None:
        case = make_case("The word is kingfisher").case
        make_case("Nothing here")
        self.assertFalse(SearchIndex.objects.exists())
        self.assertEqual(self.search("kingfisher"), [case.reference])
        row = SearchIndex.objects.get()
        self.assertTrue(row.snapshot)
        self.assertNotIn(b"kingfisher", bytes(row.snapshot))
        self.assertIn("kingfisher", snapshot_text(self.coordinator))
        self.assertTrue(SearchIndexKey.objects.filter(user=self.coordinator.user).exists())
        search_index.close()
        self.assertEqual(self.search("KINGFISHER"), [case.reference])
        self.assertTrue(search_index.is_open())

    def test_a_snapshot_of_the_first_format_opens_and_is_rewritten_in_the_new_one(self) -> None:
        case = make_case("The word is kingfisher").case
        make_case("Nothing here")
        self.assertEqual(self.search("kingfisher"), [case.reference])
        self.assertTrue(snapshot_text(self.coordinator).startswith("amparo-search-index 2\n"))
        # Write the same words as the first format did (no inverted index).
        index = search_index._open
        assert index is not None
        row = SearchIndex.objects.get()
        old = "\n".join(
            f"{pk}\t{v}\t{text.decode()}\t{cv}\t{coding.decode()}"
            for pk, (v, text, cv, coding) in index.cases.items()
        )
        SearchIndex.objects.filter(pk=1).update(
            snapshot=search_index.encrypt_field(
                search_index._snapshot_key(index.private_key),
                old.encode(),
                report_id=search_index.SNAPSHOT_ID,
                field=f"snapshot/{row.version}",
            )
        )
        search_index.close()
        self.assertEqual(snapshot_text(self.coordinator), old)
        with mock.patch.object(search_words, "rebuild", wraps=search_words.rebuild) as rebuilt:
            self.assertEqual(self.search("KINGFISHER"), [case.reference])
        rebuilt.assert_called_once()
        # That search wrote the new format: the next opening rebuilds nothing.
        self.assertEqual(SearchIndex.objects.get().version, row.version + 1)
        self.assertTrue(snapshot_text(self.coordinator).startswith("amparo-search-index 2\n"))
        search_index.close()
        with mock.patch.object(search_words, "rebuild", side_effect=AssertionError("rebuilt")):
            self.assertEqual(self.search("kingfisher"), [case.reference])
            self.assertEqual(self.search("egret"), [])

    def test_before_the_first_search_a_change_costs_one_query_and_no_decryption(self) -> None:
        with self.captureOnCommitCallbacks(execute=False) as callbacks:
            created = make_case("The word is kingfisher")
        hook = mock.patch.object(search_index, "case_texts", side_effect=AssertionError("read"))
        with hook, self.assertNumQueries(1):
            for callback in callbacks:
                callback()
        self.assertFalse(SearchIndexEntry.objects.exists())
        # Once the index exists the same change is queued, with its words.
        self.assertEqual(self.search("kingfisher"), [created.case.reference])
        with self.captureOnCommitCallbacks(execute=True):
            search_index.note_case_text(created.opened)
        self.assertEqual(SearchIndexEntry.objects.count(), 1)

    def test_the_view_searches_through_the_index_and_audits_the_counts(self) -> None:
        case = make_case("A grey heron at the door").case
        self.sign_in(self.coordinator)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(SEARCH, {"q": "heron"})
        self.assertEqual(
            [hit.reference for hit in response.context["outcome"].hits], [case.reference]
        )
        self.assertContains(response, "A grey heron at the door")
        self.assertTrue(search_index.is_open())

    def test_a_large_first_build_goes_on_over_several_searches(self) -> None:
        for number in range(3):
            make_case(f"crane {number}")
        self.sign_in(self.coordinator)
        with override_settings(SEARCH_INDEX_BUILD_SECONDS=0):
            with self.captureOnCommitCallbacks(execute=True):
                response = self.client.post(SEARCH, {"q": "crane"})
            outcome = response.context["outcome"]
            self.assertEqual((outcome.unindexed, outcome.searched, outcome.found), (2, 1, 1))
            self.assertContains(response, "2 cases are still being added to the search index")
            self.assertEqual(len(self.search("crane")), 2)
        self.assertEqual(len(self.search("crane")), 3)

    def test_handlers_search_per_request_and_never_open_it(self) -> None:
        mine = self.assign(make_case("The word is pelican").case, self.handler)
        make_case("Another pelican")
        self.assertEqual(self.search("pelican", self.handler), [mine.reference])
        self.assertFalse(search_index.is_open())
        self.assertFalse(SearchIndex.objects.exists())


class InStepTests(IndexTestCase):
    """Each change of searchable text reaches the index through a sealed entry."""

    def setUp(self) -> None:
        super().setUp()
        self.created = make_case("First words: albatross")
        self.case = self.created.case
        self.assertEqual(self.search("albatross"), [self.case.reference])  # builds it

    def changed(self) -> Any:
        return self.captureOnCommitCallbacks(execute=True)

    def test_a_new_case(self) -> None:
        with self.changed():
            other = make_case("A brand new cormorant").case
        self.assertEqual(SearchIndexEntry.objects.count(), 1)
        self.assertIn("cormorant", self.indexed(other))
        self.assertEqual(self.search("cormorant"), [other.reference])

    def test_messages_notes_and_files(self) -> None:
        with self.changed():
            do_add_message(
                self.created.opened, sender=Sender.REPORTER, text="They took my passport"
            )
        with self.changed():
            do_add_note(
                self.created.opened, self.coordinator.user, "Ask the Registry", expected_version=2
            )
        with self.changed():
            add_file(self.created.opened, b"x", name="temoignage-mars.pdf")
            do_add_message(self.created.opened, sender=Sender.REPORTER, text="A file")
        words = self.indexed(self.case)
        for word in ("passport", "registry", "temoignage-mars.pdf", "albatross"):
            self.assertIn(word, words)
        self.assertEqual(self.search("passport registry"), [self.case.reference])

    def test_answers_completed_later(self) -> None:
        with self.changed():
            do_complete_report(self.created.opened, {"details": "a later flamingo"})
        self.assertIn("flamingo", self.indexed(self.case))
        self.assertEqual(self.search("flamingo albatross"), [self.case.reference])

    def test_the_coding_replaces_the_old_labels(self) -> None:
        with self.changed():
            code(self.case, self.coordinator.user, country="UG")
        self.assertIn("ouganda", self.indexed(self.case))
        values = CodingValues([], "", [], "", [], "VE", "", None, [])
        version = Coding.objects.get(case=self.case).version
        with self.changed():
            do_code_case(self.coordinator.user, self.case, values, expected_version=version)
        words = self.indexed(self.case)
        self.assertIn("venezuela", words)
        self.assertNotIn("ouganda", words)

    def test_shredding_removes_the_case_from_memory_and_from_the_snapshot(self) -> None:
        with self.changed():
            do_shred_case(self.case, reason="policy")
        self.assertEqual(self.indexed(self.case), "")
        self.assertEqual(self.search("albatross"), [])
        with self.changed():
            search_index._merge(search_index._open)  # type: ignore[arg-type]
        self.assertNotIn("albatross", snapshot_text(self.coordinator))

    def test_an_older_entry_never_overwrites_a_newer_one(self) -> None:
        index = search_words.OpenIndex(public_key=b"", private_key=b"")
        search_words.apply_entry(index, {"c": 1, "v": 3, "t": "new"})
        search_words.apply_entry(index, {"c": 1, "v": 2, "t": "old"})
        search_words.apply_entry(index, {"c": 1, "w": 1, "k": "coded"})
        self.assertEqual(index.cases[1], [3, b"new", 1, b"coded"])
        search_words.apply_entry(index, {"c": 1, "x": 1})
        self.assertEqual((index.cases, index.chars), ({}, 0))

    def test_a_forged_entry_is_dropped_with_a_warning(self) -> None:
        public = bytes(SearchIndex.objects.get().public_key)
        SearchIndexEntry.objects.create(sealed=seal_bytes(b"not json", public))
        SearchIndexEntry.objects.create(sealed=seal_bytes(b"{}", generate_keypair().public))
        with self.assertLogs("amparo.cases", level="WARNING"):
            self.assertEqual(self.search("albatross"), [self.case.reference])


class CatchUpTests(IndexTestCase):
    def test_reports_that_arrive_while_nobody_is_signed_in_are_merged_at_sign_in(self) -> None:
        self.search("anything")  # the index exists, then everyone signs out
        search_index.close()
        with self.captureOnCommitCallbacks(execute=True):
            created = make_case("An urgent report about a nightingale")
            do_add_message(created.opened, sender=Sender.REPORTER, text="and a skylark")
        self.assertEqual(SearchIndexEntry.objects.count(), 2)
        for entry in SearchIndexEntry.objects.all():
            self.assertNotIn(b"nightingale", bytes(entry.sealed))
        search_index.on_sign_in(self.coordinator.user, self.coordinator.private_key())
        self.assertFalse(SearchIndexEntry.objects.exists())
        self.assertIn("skylark", snapshot_text(self.coordinator))
        search_index.close()
        self.assertEqual(self.search("nightingale skylark"), [created.case.reference])

    def test_the_sign_in_page_merges_them_too(self) -> None:
        self.search("anything")
        search_index.close()
        with self.captureOnCommitCallbacks(execute=True):
            make_case("A report about a wagtail")
        self.client.post(
            "/en/staff/login/",
            {
                "username": self.coordinator.user.username,
                "password": self.coordinator.password,
                "code": self.coordinator.code(),
            },
        )
        self.assertFalse(SearchIndexEntry.objects.exists())
        self.assertIn("wagtail", snapshot_text(self.coordinator))

    def test_many_pending_entries_are_merged_during_a_search(self) -> None:
        self.search("anything")
        self.addCleanup(setattr, search_index, "MERGE_AFTER", search_index.MERGE_AFTER)
        search_index.MERGE_AFTER = 2
        with self.captureOnCommitCallbacks(execute=True):
            make_case("robin one")
            make_case("robin two")
        self.assertEqual(len(self.search("robin")), 2)
        self.assertFalse(SearchIndexEntry.objects.exists())


class AccessTests(IndexTestCase):
    def test_a_coordinator_finds_only_the_cases_sealed_to_them(self) -> None:
        second = enrol_persona("coordinator2", [Role.COORDINATOR])
        shared = make_case("A shared puffin").case
        hidden = make_case("A hidden puffin, codeword quetzal")
        self.assertEqual(len(self.search("puffin")), 2)  # builds it, sealed to both
        self.assertTrue(SearchIndexKey.objects.filter(user=second.user).exists())
        self.assertIn("quetzal", self.indexed(hidden.case))
        with self.captureOnCommitCallbacks(execute=True):
            do_revoke_access(self.coordinator.user, hidden.case, second.user)
        # The index holds no case the second cannot open, in memory or at rest; the
        # first finds the hidden case by decrypting it per request.
        self.assertEqual(
            sorted(self.search("puffin")), sorted([shared.reference, hidden.case.reference])
        )
        self.assertEqual(self.indexed(hidden.case), "")
        self.assertNotIn("quetzal", snapshot_text(self.coordinator))
        self.assertEqual(self.search("quetzal"), [hidden.case.reference])
        with self.captureOnCommitCallbacks(execute=True):
            do_add_message(hidden.opened, sender=Sender.REPORTER, text="a toucan")
        self.assertFalse(SearchIndexEntry.objects.exists())  # no entry for it either
        self.assertEqual(self.search("toucan"), [hidden.case.reference])
        with self.captureOnCommitCallbacks(execute=True):
            outcome = search_index.search(second.user, second.private_key(), "puffin")
        self.assertEqual([hit.reference for hit in outcome.hits], [shared.reference])
        self.assertEqual((outcome.found, outcome.searched), (1, 1))
        self.assertTrue(search_index.is_open())

    def test_sharing_every_case_seals_the_index_key_too(self) -> None:
        self.search("anything")
        newcomer = enrol_persona("coordinator3", [Role.COORDINATOR])
        self.assertFalse(SearchIndexKey.objects.filter(user=newcomer.user).exists())
        do_share_all_cases(self.coordinator.user, self.coordinator.private_key(), newcomer.user)
        row = SearchIndex.objects.get()
        key = search_keys.index_key(newcomer.user, newcomer.private_key(), bytes(row.public_key))
        self.assertIsNotNone(key)

    def test_removing_the_coordinator_role_destroys_their_copy(self) -> None:
        second = enrol_persona("coordinator2", [Role.COORDINATOR, Role.HANDLER])
        make_case("An osprey")
        self.search("osprey", second)
        self.assertTrue(SearchIndexKey.objects.filter(user=second.user).exists())
        change = do_change_roles(self.administrator.user, second.user, {Role.HANDLER})
        assert change.removal_waiting is not None
        do_confirm_change(self.coordinator.user, change.removal_waiting)
        second.user.refresh_from_db()
        self.assertFalse(SearchIndexKey.objects.filter(user=second.user).exists())
        self.assertNotIn(second.user.pk, search_index._open.holders)  # type: ignore[union-attr]
        self.assertIsNone(search_index._opened(second.user, second.private_key()))


class LifetimeTests(IndexTestCase):
    def test_signing_out_drops_it_from_memory(self) -> None:
        make_case("A swift")
        self.sign_in(self.coordinator)
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(SEARCH, {"q": "swift"})
        self.assertTrue(search_index.is_open())
        self.client.post("/en/staff/logout/")
        self.assertFalse(search_index.is_open())

    def test_it_expires_when_idle(self) -> None:
        make_case("A swallow")
        self.search("swallow")
        search_index._open.last_used -= search_index.idle_seconds() + 1  # type: ignore[union-attr]
        search_index._expire()
        self.assertFalse(search_index.is_open())

    def test_an_index_over_its_bound_is_not_kept_and_search_goes_on(self) -> None:
        case = make_case("A very long story about a lapwing").case
        self.search("lapwing")
        search_index.close()
        with override_settings(SEARCH_INDEX_MAX_CHARS=5), self.assertLogs("amparo.cases"):
            self.assertEqual(self.search("lapwing"), [case.reference])
        self.assertFalse(search_index.is_open())


class IndexAtRestTests(TransactionTestCase):
    def test_nothing_of_the_index_is_readable_at_rest(self) -> None:
        marker = f"Index{uuid.uuid4().hex}"
        media = Path(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, media, ignore_errors=True)
        self.addCleanup(search_index.close)
        coordinator = enrol_persona("coordinator", [Role.COORDINATOR, Role.HANDLER])
        with override_settings(MEDIA_ROOT=media):
            created = make_case(f"story {marker}")
            sign_in(self.client, coordinator)
            self.assertEqual(self.client.post(SEARCH, {"q": marker}).status_code, 200)
            do_add_note(created.opened, coordinator.user, f"note {marker}2", expected_version=1)
            search_index.close()
            make_case(f"pending {marker}3")
            self.assertEqual(SearchIndexEntry.objects.count(), 2)
            image = database_image()
            search_index.on_sign_in(coordinator.user, coordinator.private_key())
            image += database_image()
        for needle in (marker, marker.lower(), marker.lower() + "2", marker.lower() + "3"):
            self.assertNotIn(needle.encode(), image)
        # Built at the first search, rewritten when the sign-in merged the two entries.
        self.assertEqual(SearchIndex.objects.values_list("version", flat=True).get(), 2)
        self.assertFalse(SearchIndexEntry.objects.exists())
