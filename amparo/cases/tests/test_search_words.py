"""The coordinators' index in memory: the inverted index answers exactly as a scan
of every case's words would, through updates, removals and rebuilds
(amparo/cases/search_words.py). No database, no key."""

from __future__ import annotations

import random
from unittest import mock

from django.test import SimpleTestCase

from amparo.cases import search_words
from amparo.cases.search import query_terms
from amparo.cases.search_words import (
    OpenIndex,
    apply_entry,
    candidates,
    drop,
    dump,
    load,
    rebuild,
)

VOCABULARY = [
    "heron",
    "herons",
    "heronry",
    "egret",
    "تهديد",
    "تهديدات",
    "menacé",
    "menace",
    "de",
    "détenu",
    "a",
    "ab",
    "abc",
]


def index_of(cases: dict[int, str]) -> OpenIndex:
    index = OpenIndex(public_key=b"", private_key=b"")
    for pk, text in cases.items():
        apply_entry(index, {"c": pk, "v": 1, "t": search_words.words([text])})
    return index


def scanned(index: OpenIndex, ids: list[int], terms: list[str]) -> list[int]:
    """What the old linear scan answered: every term a substring of the case's words."""
    cases = index.cases
    return [
        pk
        for pk in ids
        if pk in cases
        and all(term in f"{cases[pk][1].decode()} {cases[pk][3].decode()}" for term in terms)
    ]


class MatchingTests(SimpleTestCase):
    def setUp(self) -> None:
        self.index = index_of(
            {1: "The heron's nest", 2: "Herons and an egret", 3: "تهديدات الشرطة", 4: "Menacé"}
        )
        self.ids = [4, 3, 2, 1, 5]

    def found(self, query: str) -> list[int]:
        return candidates(self.index, self.ids, query_terms(query))[0]

    def test_a_query_word_matches_inside_words_in_any_case_or_accent(self) -> None:
        self.assertEqual(self.found("heron"), [2, 1])
        self.assertEqual(self.found("ERON"), [2, 1])
        self.assertEqual(self.found("herons"), [2])
        self.assertEqual(self.found("menace"), [4])
        self.assertEqual(self.found("تهديد"), [3])
        self.assertEqual(self.found("ديدا"), [3])
        self.assertEqual(self.found("kingfisher"), [])

    def test_every_word_of_the_query_must_match(self) -> None:
        self.assertEqual(self.found("heron egret"), [2])
        self.assertEqual(self.found("heron تهديد"), [])

    def test_results_follow_the_visible_ids_and_say_which_are_missing(self) -> None:
        found, missing = candidates(self.index, [1, 2], ["heron"])
        self.assertEqual((found, missing), ([1, 2], []))
        found, missing = candidates(self.index, [5, 2], ["heron"])
        self.assertEqual((found, missing), ([2], [5]))  # 1 is not visible: never found

    def test_a_case_with_a_coding_only_is_missing_until_its_text_is_indexed(self) -> None:
        apply_entry(self.index, {"c": 5, "w": 1, "k": "arbitrary detention"})
        self.assertEqual(candidates(self.index, [5], ["detention"]), ([5], [5]))


class UpdateTests(SimpleTestCase):
    def test_new_words_replace_the_old_ones(self) -> None:
        index = index_of({1: "heron", 2: "heron"})
        apply_entry(index, {"c": 1, "v": 2, "t": "egret"})
        self.assertEqual(candidates(index, [1, 2], ["heron"])[0], [2])
        self.assertEqual(candidates(index, [1, 2], ["egret"])[0], [1])
        self.assertEqual(index.dead, 1)

    def test_coding_words_are_found_beside_the_text(self) -> None:
        index = index_of({1: "heron"})
        apply_entry(index, {"c": 1, "w": 1, "k": "detention"})
        self.assertEqual(candidates(index, [1], ["heron", "detention"])[0], [1])
        apply_entry(index, {"c": 1, "w": 2, "k": "threat"})
        self.assertEqual(candidates(index, [1], ["detention"])[0], [])
        self.assertEqual(candidates(index, [1], ["threat"])[0], [1])

    def test_a_removed_case_is_found_no_more(self) -> None:
        index = index_of({1: "heron", 2: "heron egret"})
        apply_entry(index, {"c": 2, "x": 1})
        self.assertEqual(candidates(index, [1, 2], ["heron"]), ([1], [2]))
        drop(index, 1)
        self.assertEqual(candidates(index, [1, 2], ["heron"]), ([], [1, 2]))
        self.assertEqual((index.cases, index.chars, index.slots), ({}, 0, {}))

    def test_new_words_are_found_before_and_after_the_vocabulary_is_joined_again(self) -> None:
        index = index_of({1: "heron"})
        rebuild(index)
        apply_entry(index, {"c": 2, "v": 1, "t": "cormorant"})
        self.assertEqual(index.fresh, ["cormorant"])
        self.assertEqual(candidates(index, [1, 2], ["morant"])[0], [2])
        search_words._rejoin(index)
        self.assertEqual((index.fresh, candidates(index, [1, 2], ["morant"])[0]), ([], [2]))

    def test_dead_slots_are_shed_by_a_rebuild_that_changes_no_answer(self) -> None:
        index = index_of(dict.fromkeys(range(1, 6), "heron"))
        for version in range(2, 400):
            apply_entry(index, {"c": 1, "v": version, "t": f"egret{version}"})
        before = [candidates(index, [1, 2, 3], [t]) for t in ("heron", "egret", "egret399")]
        self.assertEqual(index.dead, 398)
        rebuild(index)
        self.assertEqual((index.dead, len(index.slot_pks)), (0, 5))
        after = [candidates(index, [1, 2, 3], [t]) for t in ("heron", "egret", "egret399")]
        self.assertEqual(before, after)
        self.assertEqual(after[1][0], [1])


class AgreementTests(SimpleTestCase):
    """Every way of answering (postings, scanning the words, filtering candidates)
    agrees with the old linear scan, on random cases, updates and removals."""

    def test_random_cases_and_queries(self) -> None:
        rng = random.Random(12)
        index = OpenIndex(public_key=b"", private_key=b"")
        for step in range(600):
            pk = rng.randint(1, 150)
            if step % 17 == 0:
                apply_entry(index, {"c": pk, "x": 1})
                continue
            text = " ".join(rng.choices(VOCABULARY, k=rng.randint(1, 6)))
            if step % 5 == 0:
                apply_entry(index, {"c": pk, "w": step, "k": search_words.words([text])})
            else:
                apply_entry(index, {"c": pk, "v": step, "t": search_words.words([text])})
        ids = list(range(160, 0, -1))
        queries = ["a", "her", "heron", "herons egret", "تهد", "de", "ab a", "menace", "zz"]
        for scan_after in (0, 3, 10_000):  # all by scanning, the default, all by postings
            with self.subTest(scan_after=scan_after):
                self.addCleanup(setattr, search_words, "SCAN_AFTER", search_words.SCAN_AFTER)
                search_words.SCAN_AFTER = scan_after
                for query in queries:
                    terms = query_terms(query)
                    self.assertEqual(
                        candidates(index, ids, terms)[0], scanned(index, ids, terms), query
                    )
        self.assertTrue(candidates(index, ids, ["a"])[0])


def first_format(index: OpenIndex) -> bytes:
    """A snapshot as written before the inverted index was stored in it (words only)."""
    return b"\n".join(
        b"%d\t%d\t%s\t%d\t%s" % (pk, v, text, cv, coding)
        for pk, (v, text, cv, coding) in index.cases.items()
    )


class SnapshotTests(SimpleTestCase):
    """The snapshot stores the inverted index, so opening it rebuilds nothing; a
    snapshot of the first format still opens (rebuilt once)."""

    def random_index(self) -> OpenIndex:
        rng = random.Random(7)
        index = OpenIndex(public_key=b"", private_key=b"")
        for step in range(400):
            pk = rng.randint(1, 90)
            if step % 13 == 0:
                apply_entry(index, {"c": pk, "x": 1})
                continue
            text = " ".join(rng.choices(VOCABULARY, k=rng.randint(1, 6)))
            key = ("w", "k") if step % 5 == 0 else ("v", "t")
            apply_entry(index, {"c": pk, key[0]: step, key[1]: search_words.words([text])})
        return index

    def assert_same_answers(self, index: OpenIndex, loaded: OpenIndex) -> None:
        ids = list(range(100, 0, -1))
        for query in ["a", "her", "heron", "herons egret", "تهد", "de", "ab a", "zz", "wren"]:
            terms = query_terms(query)
            expected = candidates(index, ids, terms)
            self.assertEqual(candidates(loaded, ids, terms), expected, query)
            self.assertEqual(expected[0], scanned(index, ids, terms), query)

    def test_the_inverted_index_is_loaded_as_stored_without_a_rebuild(self) -> None:
        index = self.random_index()
        apply_entry(index, {"c": 500, "v": 1, "t": "wren"})  # a fresh word, not joined yet
        self.assertTrue(index.dead)
        loaded = OpenIndex(public_key=b"", private_key=b"")
        with mock.patch.object(search_words, "rebuild", side_effect=AssertionError("rebuilt")):
            self.assertTrue(load(loaded, dump(index)))
        self.assertEqual(loaded.cases, index.cases)
        self.assertEqual((loaded.chars, loaded.textless), (index.chars, index.textless))
        self.assertEqual(loaded.slots, index.slots)
        self.assert_same_answers(index, loaded)
        # Updates go on as before on the loaded index.
        apply_entry(loaded, {"c": 500, "v": 2, "t": "heronry"})
        apply_entry(index, {"c": 500, "v": 2, "t": "heronry"})
        self.assert_same_answers(index, loaded)

    def test_words_of_changed_or_removed_cases_do_not_reach_the_snapshot(self) -> None:
        index = index_of({1: "heron kingfisher", 2: "heron", 3: "egret"})
        apply_entry(index, {"c": 1, "v": 2, "t": "heron"})
        drop(index, 3)
        plain = dump(index)
        self.assertNotIn(b"kingfisher", plain)
        self.assertNotIn(b"egret", plain)
        loaded = OpenIndex(public_key=b"", private_key=b"")
        load(loaded, plain)
        self.assertEqual(sorted(loaded.postings), ["heron"])
        self.assertEqual(candidates(loaded, [1, 2, 3], ["heron"])[0], [1, 2])
        self.assertEqual(candidates(loaded, [1, 2, 3], ["egret"])[0], [])

    def test_a_snapshot_of_the_first_format_is_rebuilt_with_the_same_answers(self) -> None:
        index = self.random_index()
        loaded = OpenIndex(public_key=b"", private_key=b"")
        self.assertFalse(load(loaded, first_format(index)))
        self.assertEqual(loaded.cases, index.cases)
        self.assertEqual(loaded.dead, 0)
        self.assert_same_answers(index, loaded)

    def test_an_empty_snapshot_opens_empty(self) -> None:
        loaded = OpenIndex(public_key=b"", private_key=b"")
        self.assertTrue(load(loaded, dump(loaded)))
        self.assertEqual((loaded.cases, loaded.postings), ({}, {}))
        self.assertEqual(candidates(loaded, [1], ["a"]), ([], [1]))

    def test_an_inconsistent_inverted_index_is_refused(self) -> None:
        plain = dump(index_of({1: "heron", 2: "egret"}))
        with self.assertRaises(ValueError):
            load(OpenIndex(public_key=b"", private_key=b""), plain[:-4])
