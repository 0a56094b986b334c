"""One normalised form of every username: stored, looked up and throttled by it.

The review signed in to ``panalyst`` on PostgreSQL as ``panaly\u017ft`` (long s)
with a fresh attempt counter: the throttle keyed on ``strip().lower()`` while
the lookup used ``username__iexact`` (UPPER() there). These tests run on
SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import importlib

from django.apps import apps as global_apps
from django.test import TestCase

from amparo.accounts.actions import AccountError, do_invite, do_recover
from amparo.accounts.forms import InvitationForm
from amparo.accounts.models import Invitation, Role, User
from amparo.accounts.tests.test_lockout import MidWindowTestCase
from amparo.accounts.usernames import UsernameError, check_new_username, normalize_username
from amparo.tests.base import enrol_persona

LONG_S = "panaly\u017ft"  # with a long s
LOGIN = "/en/staff/login/"
TOO_MANY = "Too many attempts"


class NormalisationTests(TestCase):
    def test_it_folds_compatibility_forms_and_case(self) -> None:
        self.assertEqual(normalize_username(LONG_S), "panalyst")
        self.assertEqual(normalize_username(" PANALYST "), "panalyst")
        self.assertEqual(normalize_username("\uff30analyst"), "panalyst")  # full-width P
        self.assertEqual(normalize_username("Stra\u00dfe"), "strasse")

    def test_it_refuses_mixed_scripts_invisible_marks_and_look_alikes(self) -> None:
        existing = ["panalyst", "coco", "jean.paul"]
        cases = {
            "p\u0430nalyst": "mixed",  # Cyrillic a among Latin letters
            "\u0441\u043e\u0441\u043e": "confusable",  # all-Cyrillic "coco"
            "c0co": "confusable",
            "jean_paul": "confusable",
            "pan\u200balyst": "invalid",  # zero-width space
            "a b": "invalid",
        }
        for typed, code in cases.items():
            with self.assertRaises(UsernameError, msg=typed) as raised:
                check_new_username(typed, existing)
            self.assertEqual(raised.exception.code, code, typed)
        self.assertEqual(check_new_username("Ana-Maria", existing), "ana-maria")
        self.assertEqual(check_new_username("\u0645\u0631\u064a\u0645", existing), "مريم")


class UsernameTests(MidWindowTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.analyst_persona = enrol_persona("panalyst", [Role.ANALYST])

    def post(self, username: str, password: str, code: str):  # type: ignore[no-untyped-def]
        return self.client.post(LOGIN, {"username": username, "password": password, "code": code})

    def test_it_signs_in_with_any_form_of_the_name(self) -> None:
        p = self.analyst_persona
        response = self.post(LONG_S, p.password, p.code())
        self.assertRedirects(response, "/en/staff/", fetch_redirect_response=False)
        self.assertEqual(int(self.client.session["_auth_user_id"]), p.user.pk)

    def test_the_long_s_shares_the_accounts_attempt_counter(self) -> None:
        p = self.analyst_persona
        for _ in range(5):
            self.post("panalyst", "not the password!", p.code())
        # Before: a fresh counter under the long-s form, and a sign-in on PostgreSQL.
        for variant in [LONG_S, "PANALYST", "\uff30analyst"]:
            response = self.post(variant, p.password, p.code())
            self.assertContains(response, TOO_MANY, msg_prefix=variant)
            self.assertNotIn("_auth_user_id", self.client.session)

    def test_it_refuses_an_invitation_for_a_confusable_or_taken_name(self) -> None:
        for typed, message in [
            (LONG_S, "already in use"),
            ("PanAlyst", "already in use"),
            ("p\u0430nalyst", "one alphabet"),
            ("pana1yst", "looks too much like"),
        ]:
            form = InvitationForm({"username": typed, "roles": ["analyst"]})
            self.assertFalse(form.is_valid(), typed)
            self.assertIn(message, str(form.errors["username"]), typed)
        form = InvitationForm({"username": "Newcomer", "roles": ["analyst"]})
        self.assertTrue(form.is_valid())
        self.assertEqual(form.cleaned_data["username"], "newcomer")
        # An open invitation reserves its name too.
        do_invite(self.administrator.user, "newcomer", [Role.ANALYST])
        self.assertFalse(InvitationForm({"username": "NEWCOMER", "roles": ["analyst"]}).is_valid())

    def test_it_stores_the_normalised_form(self) -> None:
        invitation, _token = do_invite(None, "Mixed.Case", [Role.ANALYST])
        self.assertEqual(invitation.username, "mixed.case")
        self.assertEqual(enrol_persona("Other.Name", [Role.ANALYST]).user.username, "other.name")

    def test_recovery_finds_the_account_by_any_form_of_the_name(self) -> None:
        p = self.analyst_persona
        with self.assertRaises(AccountError):
            do_recover(LONG_S, "A" * 28, p.code(), "a brand new passphrase 9")
        user, _new_key = do_recover(LONG_S, p.recovery_key, p.code(), "a brand new passphrase 9")
        self.assertEqual(user.pk, p.user.pk)


class MigrationTests(TestCase):
    def test_the_data_migration_normalises_existing_names(self) -> None:
        User.objects.create(username="Ana.Maria")
        User.objects.create(username=LONG_S)
        Invitation.objects.create(
            token_hash="x" * 64, username="Bob", expires_at="2030-01-01T00:00Z"
        )
        migration = importlib.import_module("amparo.accounts.migrations.0004_normalise_usernames")
        migration.forwards(global_apps, None)
        self.assertEqual(
            sorted(User.objects.values_list("username", flat=True)), ["ana.maria", "panalyst"]
        )
        self.assertEqual(Invitation.objects.get().username, "bob")

    def test_it_stops_on_two_names_that_become_one(self) -> None:
        User.objects.create(username="panalyst")
        User.objects.create(username=LONG_S)
        migration = importlib.import_module("amparo.accounts.migrations.0004_normalise_usernames")
        with self.assertRaises(RuntimeError):
            migration.forwards(global_apps, None)
