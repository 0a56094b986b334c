"""No single staff member can add a reader of every case or leave cases unreadable.

The security review's sequence: an administrator alone invited a coordinator
account they controlled (every later report was sealed to it), then removed
every coordinator (93 of 114 cases could no longer be opened). Each path is
tested here: invitation, change of roles, removal, the last-holder rule, the
separate destruction of key copies, and the operator's first coordinator.
"""

from __future__ import annotations

import contextlib
import io
import shutil
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from unittest import mock

from django.contrib.sessions.models import Session
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.test import TestCase, TransactionTestCase, override_settings
from django.utils import timezone

from amparo.accounts import totp, two_person
from amparo.accounts.actions import AccountError, do_enrol, do_invite
from amparo.accounts.management.commands.seed_demo_desk import (
    DEMO_PASSWORD,
    demo_recovery_key,
    demo_totp_secret,
)
from amparo.accounts.models import Invitation, Role, StaffChange, User
from amparo.accounts.two_person import (
    LastHolder,
    do_cancel_change,
    do_change_roles,
    do_confirm_change,
    do_deactivate,
    do_request_key_destruction,
)
from amparo.audit.models import AuditEvent
from amparo.cases.access import live_keys, visible_cases
from amparo.cases.actions.common import CaseError
from amparo.cases.actions.create import desk_recipients, do_create_case
from amparo.cases.actions.keys import do_assign, do_grant_access, do_revoke_access
from amparo.cases.models import Case, CaseKey
from amparo.cases.vault import NoAccess, open_for_staff
from amparo.crypto import generate_recovery_key, unwrap_with_password
from amparo.lib.binary import as_bytes
from amparo.tests.base import PASSWORD, AmparoTestCase, Persona, enrol_persona, sign_in


def new_case(narrative: str = "They came to the office at night.") -> Case:
    return do_create_case(
        answers={"narrative": narrative},
        language="en",
        questionnaire_version="t",
        with_receipt=False,
    ).case


def enrol_invited(invitation: Invitation) -> Persona:
    """Enrol through the real action, as whoever opened the link would."""
    recovery_key = generate_recovery_key()
    secret = totp.generate_secret()
    user = do_enrol(invitation, password=PASSWORD, recovery_key=recovery_key, totp_secret=secret)
    return Persona(user=user, password=PASSWORD, recovery_key=recovery_key, totp_secret=secret)


def openable_by_someone(case: Case) -> bool:
    """Some active person who sees the case through the desk really opens its key."""
    for key in live_keys().filter(case=case).select_related("user"):
        if key.user.pk in OPENERS:
            try:
                open_for_staff(case, key.user, OPENERS[key.user.pk])
            except NoAccess:
                continue
            return True
    return False


OPENERS: dict[int, bytes] = {}


class TwoPersonTests(AmparoTestCase):
    def setUp(self) -> None:
        OPENERS.clear()
        for persona in [self.coordinator, self.handler, self.administrator, self.outsider]:
            OPENERS[persona.user.pk] = persona.private_key()

    def pending(self, person: User) -> StaffChange:
        return StaffChange.objects.get(subject=person, state="pending")

    # --- granting a role that receives case keys -------------------------

    def test_it_seals_nothing_to_an_administrators_coordinator_until_a_coordinator_confirms(
        self,
    ) -> None:
        old = new_case()
        self.sign_in(self.administrator)
        response = self.client.post(
            "/en/staff/invitations/", {"username": "mallory", "roles": ["coordinator"]}
        )
        self.assertContains(response, "/staff/enrol/")
        mallory = enrol_invited(Invitation.objects.get(username="mallory"))
        OPENERS[mallory.user.pk] = mallory.private_key()
        self.assertFalse(mallory.user.is_coordinator)
        self.assertNotIn(mallory.user, desk_recipients())

        # Reports filed meanwhile are not sealed to the new account.
        during = new_case("Filed while the grant waits.")
        self.assertFalse(CaseKey.objects.filter(user=mallory.user).exists())
        self.assertFalse(visible_cases(mallory.user).exists())

        # Neither the administrator who asked nor the newcomer can confirm.
        change = self.pending(mallory.user)
        response = self.client.post(f"/en/staff/people/changes/{change.pk}/", follow=True)
        self.assertContains(response, "You cannot confirm or cancel this change.")
        with self.assertRaises(AccountError):
            do_confirm_change(self.administrator.user, change)
        with self.assertRaises(AccountError):
            do_confirm_change(mallory.user, change)
        self.assertFalse(User.objects.get(pk=mallory.user.pk).is_coordinator)

        # A coordinator, signed in, compares the fingerprint and confirms, and
        # shares the cases they hold in the same step.
        self.sign_in(self.coordinator)
        page = self.client.get(f"/en/staff/people/changes/{change.pk}/")
        self.assertContains(page, mallory.user.key_fingerprint())
        response = self.client.post(
            f"/en/staff/people/changes/{change.pk}/",
            {"decision": "confirm", "share": "1"},
            follow=True,
        )
        self.assertContains(response, "2 cases shared with mallory")
        confirmed = StaffChange.objects.get(pk=change.pk)
        self.assertEqual(
            (confirmed.state, confirmed.decided_by), ("confirmed", self.coordinator.user)
        )
        mallory.user.refresh_from_db()
        self.assertTrue(mallory.user.is_coordinator)
        for case in [old, during, new_case("After the confirmation.")]:
            open_for_staff(case, mallory.user, mallory.private_key())
        self.assertTrue(
            AuditEvent.objects.filter(
                action="change_confirmed", actor_id=self.coordinator.user.pk
            ).exists()
        )

    def test_it_needs_a_coordinator_other_than_the_one_who_asked(self) -> None:
        # One person who is both administrator and coordinator cannot do it alone.
        boss = enrol_persona("boss", [Role.ADMINISTRATOR, Role.COORDINATOR])
        invitation, _token = do_invite(boss.user, "friend", [Role.COORDINATOR, Role.ANALYST])
        friend = enrol_invited(invitation)
        self.assertTrue(friend.user.is_analyst)  # no case keys: granted at once
        self.assertFalse(friend.user.is_coordinator)
        change = self.pending(friend.user)
        with self.assertRaises(AccountError):
            do_confirm_change(boss.user, change)
        do_confirm_change(self.coordinator.user, change)
        self.assertTrue(User.objects.get(pk=friend.user.pk).is_coordinator)

    def test_the_database_refuses_a_change_confirmed_by_the_one_who_asked(self) -> None:
        change = StaffChange.objects.create(
            kind=StaffChange.Kind.DEACTIVATE,
            subject=self.handler.user,
            requested_by=self.coordinator.user,
        )
        with self.assertRaises(IntegrityError), transaction.atomic():
            StaffChange.objects.filter(pk=change.pk).update(
                state="confirmed", decided_by=self.coordinator.user, decided_at=timezone.now()
            )
        grant = StaffChange.objects.create(
            kind=StaffChange.Kind.GRANT_ROLES, subject=self.coordinator.user, roles=["analyst"]
        )
        with self.assertRaises(IntegrityError), transaction.atomic():
            StaffChange.objects.filter(pk=grant.pk).update(
                state="confirmed", decided_by=self.coordinator.user, decided_at=timezone.now()
            )

    def test_it_holds_a_change_of_roles_to_coordinator_until_confirmed(self) -> None:
        new_case()
        self.sign_in(self.administrator)
        page = self.client.get(f"/en/staff/people/{self.handler.user.pk}/roles/")
        self.assertContains(page, 'value="handler"')
        response = self.client.post(
            f"/en/staff/people/{self.handler.user.pk}/roles/",
            {"roles": ["handler", "coordinator", "analyst"]},
            follow=True,
        )
        self.assertContains(response, "waits for the confirmation")
        handler = User.objects.get(pk=self.handler.user.pk)
        self.assertTrue(handler.is_analyst)  # no case keys: at once
        self.assertFalse(handler.is_coordinator)
        new_case()
        self.assertFalse(CaseKey.objects.filter(user=handler).exists())
        change = self.pending(handler)
        self.assertEqual(change.roles, ["coordinator"])
        do_confirm_change(self.coordinator.user, change)
        self.assertTrue(User.objects.get(pk=handler.pk).is_coordinator)
        self.assertEqual(len(desk_recipients()), 2)

    def test_the_operator_grants_the_first_coordinator_and_only_the_first(self) -> None:
        User.objects.filter(is_coordinator=True).update(is_coordinator=False)
        call_command("invite_staff", "first", "--role", "coordinator", stdout=io.StringIO())
        first = enrol_invited(Invitation.objects.get(username="first"))
        self.assertTrue(first.user.is_coordinator)
        err = io.StringIO()
        call_command(
            "invite_staff", "second", "--role", "coordinator", stdout=io.StringIO(), stderr=err
        )
        self.assertIn("once a coordinator confirms", err.getvalue())
        second = enrol_invited(Invitation.objects.get(username="second"))
        self.assertFalse(second.user.is_coordinator)
        # Asked by the operator, so any coordinator but the newcomer may confirm.
        do_confirm_change(first.user, self.pending(second.user))
        self.assertTrue(User.objects.get(pk=second.user.pk).is_coordinator)

    # --- removing people ----------------------------------------------------

    def test_the_reviews_sequence_leaves_every_case_openable(self) -> None:
        """Administrator invites a coordinator, then removes every coordinator."""
        second = enrol_persona("second-coordinator", [Role.COORDINATOR])
        OPENERS[second.user.pk] = second.private_key()
        early = [new_case(f"before {i}") for i in range(3)]  # sealed to both
        third = enrol_persona("third-coordinator", [Role.COORDINATOR])
        OPENERS[third.user.pk] = third.private_key()
        late = [new_case(f"after {i}") for i in range(3)]  # sealed to all three
        admin = self.administrator.user
        coordinators = [self.coordinator.user, second.user, third.user]

        # 1. The administrator's coordinator gets no key.
        invitation, _token = do_invite(admin, "mallory", [Role.COORDINATOR])
        mallory = enrol_invited(invitation)
        new_case("filed after mallory enrolled")
        self.assertFalse(CaseKey.objects.filter(user=mallory.user).exists())

        # 2. Removing every coordinator: each removal only asks; nothing happens.
        for person in coordinators:
            change = do_deactivate(admin, person)
            self.assertIsNotNone(change)
        self.assertEqual(User.objects.filter(is_active=True, is_coordinator=True).count(), 3)
        for change in StaffChange.objects.filter(state="pending", kind="deactivate"):
            with self.assertRaises(AccountError):
                do_confirm_change(admin, change)

        # 3. Even with a coordinator confirming each one, the last holders stay.
        refused = []
        for change in StaffChange.objects.filter(state="pending", kind="deactivate"):
            active = User.objects.filter(is_active=True, is_coordinator=True)
            confirmer = active.exclude(pk=change.subject_id).first()
            assert confirmer is not None
            try:
                do_confirm_change(confirmer, change)
            except LastHolder as error:
                refused.append((change.subject_id, len(error.case_references)))
        # The first coordinator went (the second held all their cases); the
        # second was refused (only they still held the early cases); the third
        # went (the second held theirs).
        self.assertEqual(refused, [(second.user.pk, len(early))])
        self.assertEqual(
            list(User.objects.filter(is_active=True, is_coordinator=True)), [second.user]
        )
        for case in Case.objects.all():
            self.assertTrue(openable_by_someone(case), case.reference)
        self.assertEqual(Case.objects.count(), len(early) + len(late) + 1)

    def test_it_refuses_to_remove_the_last_holder_and_lists_the_cases(self) -> None:
        cases = [new_case(), new_case()]
        second = enrol_persona("second-coordinator", [Role.COORDINATOR])
        self.sign_in(self.administrator)
        url = f"/en/staff/people/{self.coordinator.user.pk}/deactivate/"
        page = self.client.get(url)
        for case in cases:
            self.assertContains(page, case.reference)
        self.assertContains(page, "only coordinator can share them")
        response = self.client.post(url, follow=True)
        self.assertContains(response, "is the only person who can open 2 cases")
        self.assertFalse(StaffChange.objects.exists())
        # Nor can their role be taken away.
        with self.assertRaises(LastHolder):
            do_change_roles(self.administrator.user, self.coordinator.user, {Role.HANDLER})

        # The holder, signed in, shares them from the same page.
        self.sign_in(self.coordinator)
        own = self.client.get(url)
        self.assertContains(own, 'name="coordinator"')
        response = self.client.post(
            "/en/staff/share/", {"coordinator": second.user.pk, "next": url}, follow=True
        )
        self.assertContains(response, "2 cases shared with second-coordinator")
        self.assertRedirects(response, url)
        for case in cases:
            open_for_staff(case, second.user, second.private_key())

        # Now the removal may be asked for, and a second coordinator confirms.
        self.sign_in(self.administrator)
        self.client.post(url)
        change = self.pending(self.coordinator.user)
        do_confirm_change(second.user, change)
        self.assertFalse(User.objects.get(pk=self.coordinator.user.pk).is_active)

    def test_it_revokes_access_at_once_and_keeps_the_sealed_copies(self) -> None:
        case = new_case()
        do_assign(
            self.coordinator.user,
            self.coordinator.private_key(),
            case,
            self.handler.user,
            expected_version=case.version,
        )
        from django.test import Client

        from amparo.tests.base import sign_in

        handler_client = Client()
        sign_in(handler_client, self.handler)
        self.assertEqual(handler_client.get(f"/en/staff/cases/{case.public_id}/").status_code, 200)

        self.sign_in(self.administrator)
        response = self.client.post(
            f"/en/staff/people/{self.handler.user.pk}/deactivate/", follow=True
        )
        self.assertContains(response, "can no longer sign in")
        handler = User.objects.get(pk=self.handler.user.pk)
        self.assertFalse(handler.is_active)
        self.assertIsNone(Case.objects.get(pk=case.pk).assignee)
        self.assertFalse(visible_cases(handler).exists())
        self.assertFalse(live_keys().filter(user=handler).exists())
        # Their session is gone: the next request is signed out.
        self.assertFalse(
            any(
                s.get_decoded().get("_auth_user_id") == str(handler.pk)
                for s in Session.objects.all()
            )
        )
        self.assertEqual(handler_client.get(f"/en/staff/cases/{case.public_id}/").status_code, 302)
        # The sealed copy is still there: destruction is a separate step.
        self.assertTrue(CaseKey.objects.filter(user=handler, case=case).exists())

    def test_a_coordinators_removal_waits_for_a_second_coordinator(self) -> None:
        second = enrol_persona("second-coordinator", [Role.COORDINATOR])
        case = new_case()  # held by both
        change = do_deactivate(self.administrator.user, second.user)
        assert change is not None
        self.assertTrue(User.objects.get(pk=second.user.pk).is_active)
        open_for_staff(case, second.user, second.private_key())
        # The person concerned cannot cancel their own removal.
        with self.assertRaises(AccountError):
            do_cancel_change(second.user, change)
        self.sign_in(self.coordinator)
        response = self.client.post(
            f"/en/staff/people/changes/{change.pk}/", {"decision": "confirm"}, follow=True
        )
        self.assertContains(response, "The change has been confirmed.")
        self.assertFalse(User.objects.get(pk=second.user.pk).is_active)

    def test_a_coordinator_may_ask_for_their_own_removal(self) -> None:
        second = enrol_persona("second-coordinator", [Role.COORDINATOR])
        new_case()
        change = do_deactivate(second.user, second.user)
        assert change is not None
        do_confirm_change(self.coordinator.user, change)
        self.assertFalse(User.objects.get(pk=second.user.pk).is_active)
        with self.assertRaises(AccountError):
            do_deactivate(self.handler.user, self.handler.user)

    def test_two_removals_confirmed_one_after_the_other_keep_one_holder(self) -> None:
        second = enrol_persona("second-coordinator", [Role.COORDINATOR])
        third = enrol_persona("third-coordinator", [Role.COORDINATOR])
        case = new_case()
        first_change = do_deactivate(self.administrator.user, self.coordinator.user)
        second_change = do_deactivate(self.administrator.user, second.user)
        assert first_change is not None and second_change is not None
        do_confirm_change(third.user, first_change)
        do_confirm_change(third.user, second_change)
        # third is now the only holder: their own removal is refused.
        with self.assertRaises(LastHolder):
            do_deactivate(self.administrator.user, third.user)
        open_for_staff(case, third.user, third.private_key())

    def test_taking_the_handler_role_away_returns_the_cases_to_the_inbox(self) -> None:
        case = new_case()
        do_assign(
            self.coordinator.user,
            self.coordinator.private_key(),
            case,
            self.handler.user,
            expected_version=case.version,
        )
        result = do_change_roles(self.administrator.user, self.handler.user, {Role.ANALYST})
        self.assertEqual(result.removed, [Role.HANDLER])
        self.assertIsNone(Case.objects.get(pk=case.pk).assignee)
        self.assertFalse(visible_cases(User.objects.get(pk=self.handler.user.pk)).exists())

    def test_taking_the_coordinator_role_away_waits_for_a_second_coordinator(self) -> None:
        second = enrol_persona("second-coordinator", [Role.COORDINATOR])
        new_case()
        result = do_change_roles(self.administrator.user, second.user, set())
        assert result.removal_waiting is not None
        self.assertTrue(User.objects.get(pk=second.user.pk).is_coordinator)
        do_confirm_change(self.coordinator.user, result.removal_waiting)
        self.assertFalse(User.objects.get(pk=second.user.pk).is_coordinator)

    def test_the_last_administrator_stays(self) -> None:
        with self.assertRaises(AccountError):
            do_change_roles(self.administrator.user, self.administrator.user, set())
        with self.assertRaises(AccountError):
            do_deactivate(self.coordinator.user, self.administrator.user)

    # --- destroying key copies ---------------------------------------------

    def test_destroying_copies_is_a_separate_confirmed_step_that_keeps_last_copies(self) -> None:
        second = enrol_persona("second-coordinator", [Role.COORDINATOR])
        shared = new_case()
        do_deactivate(self.administrator.user, self.handler.user)
        handler = User.objects.get(pk=self.handler.user.pk)
        do_grant_access(self.coordinator.user, self.coordinator.private_key(), shared, handler)
        # A case whose only other copy belongs to someone who cannot open it.
        lonely = new_case()
        do_grant_access(self.coordinator.user, self.coordinator.private_key(), lonely, handler)
        CaseKey.objects.filter(case=lonely).exclude(user=handler).delete()
        self.assertTrue(CaseKey.objects.filter(user=handler).exists())

        self.sign_in(self.administrator)
        self.client.post(f"/en/staff/people/{handler.pk}/destroy-keys/")
        change = self.pending(handler)
        self.assertEqual(CaseKey.objects.filter(user=handler).count(), 2)  # not yet
        with self.assertRaises(AccountError):
            do_confirm_change(self.administrator.user, change)
        outcome = do_confirm_change(second.user, change)
        self.assertEqual((outcome.destroyed, outcome.kept), (1, 1))
        self.assertEqual(
            list(CaseKey.objects.filter(user=handler).values_list("case", flat=True)), [lonely.pk]
        )
        self.assertTrue(AuditEvent.objects.filter(action="keys_destroyed").exists())
        with self.assertRaises(AccountError):
            do_request_key_destruction(self.administrator.user, self.coordinator.user)

    def test_revoking_the_last_copy_of_a_case_is_refused(self) -> None:
        case = new_case()
        with self.assertRaises(CaseError):
            do_revoke_access(self.administrator.user, case, self.coordinator.user)
        self.assertTrue(CaseKey.objects.filter(case=case, user=self.coordinator.user).exists())

    def test_the_new_person_sees_their_fingerprint_and_the_coordinator_the_waiting_change(
        self,
    ) -> None:
        invitation, _token = do_invite(self.administrator.user, "newcomer", [Role.COORDINATOR])
        newcomer = enrol_invited(invitation)
        self.sign_in(newcomer)
        home = self.client.get("/en/staff/")
        self.assertContains(home, newcomer.user.key_fingerprint())
        self.assertContains(home, "Waiting for a coordinator")
        self.sign_in(self.coordinator)
        self.assertContains(
            self.client.get("/en/staff/"), "One change waits for your confirmation."
        )
        people = self.client.get("/en/staff/people/")
        self.assertContains(people, "you can confirm it")


class ConcurrentRemovalTests(TransactionTestCase):
    def test_two_removals_confirmed_at_once_cannot_both_pass_the_last_holder_rule(self) -> None:
        if connection.vendor == "sqlite":
            self.skipTest("in-memory SQLite shares one connection; PostgreSQL runs this")
        first = enrol_persona("first", [Role.COORDINATOR])
        second = enrol_persona("second", [Role.COORDINATOR])
        admin = enrol_persona("admin", [Role.ADMINISTRATOR])
        case = new_case()  # sealed to first and second only
        third = enrol_persona("third", [Role.COORDINATOR])
        changes = [do_deactivate(admin.user, person.user) for person in (first, second)]

        # Both confirmations pass the check, then wait for each other: without
        # the desk lock both would commit and leave the case to nobody.
        barrier = threading.Barrier(2)
        original = two_person._refuse_if_last_holder

        def slow_check(person: User) -> None:
            original(person)
            with contextlib.suppress(threading.BrokenBarrierError):
                barrier.wait(timeout=3)

        def confirm(change: StaffChange | None) -> str:
            assert change is not None
            try:
                do_confirm_change(User.objects.get(pk=third.user.pk), change)
            except LastHolder:
                return "refused"
            finally:
                connection.close()
            return "confirmed"

        with (
            mock.patch.object(two_person, "_refuse_if_last_holder", slow_check),
            ThreadPoolExecutor(max_workers=2) as pool,
        ):
            outcomes = sorted(pool.map(confirm, changes))
        self.assertEqual(outcomes, ["confirmed", "refused"])
        holder = live_keys().get(case=case).user
        self.assertIn(holder.username, {"first", "second"})


class SeededDeskTests(TestCase):
    """The review's sequence through the web pages, on the demo desk of seed_demo."""

    def setUp(self) -> None:
        media = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, media, ignore_errors=True)
        override = override_settings(MEDIA_ROOT=media)
        override.enable()
        self.addCleanup(override.disable)

    def test_one_administrator_can_neither_add_a_reader_nor_lose_a_case(self) -> None:
        call_command(
            "seed_demo", "--cases", "12", "--receipts", "0", "--workers", "1", stdout=io.StringIO()
        )
        coordinator = User.objects.get(username="coordinator")
        key = unwrap_with_password(as_bytes(coordinator.private_key_by_password), DEMO_PASSWORD)
        admin = User.objects.get(username="admin")
        admin_persona = Persona(
            user=admin,
            password=DEMO_PASSWORD,
            recovery_key=demo_recovery_key("admin"),
            totp_secret=demo_totp_secret("admin"),
        )
        sign_in(self.client, admin_persona)

        # Invite a coordinator and enrol it: no case is sealed to it, now or later.
        self.client.post(
            "/en/staff/invitations/", {"username": "mallory", "roles": ["coordinator"]}
        )
        mallory = enrol_invited(Invitation.objects.get(username="mallory"))
        new_case("filed after the invitation")
        self.assertFalse(CaseKey.objects.filter(user=mallory.user).exists())

        # Remove every coordinator: refused for the last holder, nothing removed.
        for person in User.objects.filter(is_coordinator=True):
            self.client.post(f"/en/staff/people/{person.pk}/deactivate/")
        self.assertTrue(User.objects.get(pk=coordinator.pk).is_active)
        self.assertEqual(Case.objects.count(), 13)
        for case in Case.objects.all():
            open_for_staff(case, coordinator, key)


class VerifyRolesTests(AmparoTestCase):
    def test_it_explains_every_key_role_given_through_the_application(self) -> None:
        invitation, _token = do_invite(self.administrator.user, "newcomer", [Role.COORDINATOR])
        newcomer = enrol_invited(invitation)
        do_confirm_change(self.coordinator.user, StaffChange.objects.get(subject=newcomer.user))
        do_change_roles(self.administrator.user, self.handler.user, {Role.ANALYST})
        out = io.StringIO()
        call_command("verify_roles", stdout=out)
        self.assertIn("every key role is explained", out.getvalue())

    def test_it_finds_a_role_written_straight_into_the_database(self) -> None:
        User.objects.filter(pk=self.analyst.user.pk).update(is_coordinator=True)
        out = io.StringIO()
        with self.assertRaises(CommandError):
            call_command("verify_roles", stdout=out)
        self.assertIn("analyst): coordinator: no event grants it", out.getvalue())
