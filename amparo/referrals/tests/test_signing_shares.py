"""A coordinator's share of the desk's signing key goes with their access."""

from __future__ import annotations

import importlib

from django.apps import apps

from amparo.accounts.models import Role, StaffChange, User
from amparo.accounts.two_person import do_change_roles, do_confirm_change, do_deactivate
from amparo.audit.log import verify
from amparo.audit.models import AuditEvent
from amparo.referrals.models import DeskSigningKey, SigningKeyShare
from amparo.referrals.signing import SigningKeyUnavailable, do_create_signing_key, unlock
from amparo.referrals.tests.base import ReferralTestCase
from amparo.tests.base import enrol_persona


class SigningShareTests(ReferralTestCase):
    def holders(self) -> set[str]:
        return set(SigningKeyShare.objects.values_list("user__username", flat=True))

    def remove(self, person: User) -> StaffChange:
        change = do_deactivate(self.administrator.user, person)
        assert change is not None
        return change

    def test_removing_a_coordinator_destroys_their_share_when_confirmed(self) -> None:
        do_create_signing_key(self.coordinator.user)
        self.assertEqual(self.holders(), {"coordinator", "coordinator2"})
        change = self.remove(self.second_coordinator.user)
        # Waiting for a second coordinator, nothing is destroyed yet; the
        # confirmation page says what will be.
        self.assertEqual(self.holders(), {"coordinator", "coordinator2"})
        self.sign_in(self.coordinator)
        page = self.client.get(f"/en/staff/people/changes/{change.pk}/")
        self.assertContains(page, "Their share of the desk's signing key")
        do_confirm_change(self.coordinator.user, change)
        self.assertEqual(self.holders(), {"coordinator"})
        event = AuditEvent.objects.filter(action="keys_destroyed").get()
        self.assertEqual(event.actor_id, self.coordinator.user.pk)
        self.assertEqual(event.target_id, str(self.second_coordinator.user.pk))
        key = DeskSigningKey.objects.get(active=True)
        self.assertEqual(event.details["signing_keys"], [key.fingerprint])
        self.assertTrue(verify().ok)
        # The removed coordinator's password now opens nothing; the other's still signs.
        with self.assertRaises(SigningKeyUnavailable):
            unlock(self.second_coordinator.user, self.second_coordinator.private_key())
        unlock(self.coordinator.user, self.coordinator.private_key())
        self.assertEqual(self.holders(), {"coordinator"})

    def test_taking_the_coordinator_role_away_destroys_shares_of_retired_keys_too(self) -> None:
        third = enrol_persona("coordinator3", [Role.COORDINATOR, Role.HANDLER])
        do_create_signing_key(self.coordinator.user)
        do_create_signing_key(self.coordinator.user)  # the first one retires
        self.assertEqual(SigningKeyShare.objects.filter(user=third.user).count(), 2)
        change = do_change_roles(self.administrator.user, third.user, {Role.HANDLER})
        assert change.removal_waiting is not None
        self.assertEqual(SigningKeyShare.objects.filter(user=third.user).count(), 2)
        do_confirm_change(self.second_coordinator.user, change.removal_waiting)
        self.assertFalse(SigningKeyShare.objects.filter(user=third.user).exists())
        event = AuditEvent.objects.filter(action="keys_destroyed").get()
        self.assertEqual(event.details["signing_key_shares"], 2)
        # Others keep theirs, of both keys.
        self.assertEqual(SigningKeyShare.objects.filter(user=self.coordinator.user).count(), 2)

    def test_a_cancelled_removal_keeps_the_share(self) -> None:
        do_create_signing_key(self.coordinator.user)
        change = self.remove(self.second_coordinator.user)
        from amparo.accounts.two_person import do_cancel_change

        do_cancel_change(self.coordinator.user, change)
        self.assertIn("coordinator2", self.holders())
        self.assertFalse(AuditEvent.objects.filter(action="keys_destroyed").exists())

    def test_a_share_left_from_an_earlier_role_goes_with_the_account(self) -> None:
        do_create_signing_key(self.coordinator.user)
        # A share kept by someone who is no longer a coordinator (as before
        # removal destroyed them), removed at once as a handler.
        User.objects.filter(pk=self.second_coordinator.user.pk).update(
            is_coordinator=False, is_handler=True
        )
        self.second_coordinator.user.refresh_from_db()
        self.assertIsNone(do_deactivate(self.administrator.user, self.second_coordinator.user))
        self.assertEqual(self.holders(), {"coordinator"})
        self.assertTrue(AuditEvent.objects.filter(action="keys_destroyed").exists())

    def test_the_upgrade_drops_the_shares_of_people_no_longer_coordinators(self) -> None:
        third = enrol_persona("coordinator3", [Role.COORDINATOR])
        do_create_signing_key(self.coordinator.user)
        User.objects.filter(pk=self.second_coordinator.user.pk).update(is_active=False)
        User.objects.filter(pk=third.user.pk).update(is_coordinator=False)
        migration = importlib.import_module(
            "amparo.referrals.migrations.0004_drop_stale_signing_shares"
        )
        migration.drop_stale_shares(apps, None)
        self.assertEqual(self.holders(), {"coordinator"})


class OnlySignerWarningTests(ReferralTestCase):
    """Removing the only holder of the active signing key is warned of, before
    it is asked for and before it is confirmed: afterwards nobody can approve."""

    WARNING = "holds the only copy of the desk's referral signing key"

    def only_second_holds_it(self) -> None:
        do_create_signing_key(self.coordinator.user)
        # As for a coordinator enrolled after the key was made: no share yet.
        SigningKeyShare.objects.filter(user=self.coordinator.user).delete()

    def test_the_removal_pages_warn_when_the_person_holds_the_only_share(self) -> None:
        self.only_second_holds_it()
        person = self.second_coordinator.user
        self.sign_in(self.administrator)
        page = self.client.get(f"/en/staff/people/{person.pk}/deactivate/")
        self.assertContains(page, f"coordinator2 {self.WARNING}. Once they are removed")
        roles = self.client.get(f"/en/staff/people/{person.pk}/roles/")
        self.assertContains(roles, "If the coordinator role is taken away")
        # Nobody else is warned about.
        other = self.client.get(f"/en/staff/people/{self.coordinator.user.pk}/deactivate/")
        self.assertNotContains(other, self.WARNING)

        self.client.post(f"/en/staff/people/{person.pk}/deactivate/")
        change = StaffChange.objects.get(subject=person, state=StaffChange.State.PENDING)
        self.sign_in(self.coordinator)
        confirm = self.client.get(f"/en/staff/people/changes/{change.pk}/")
        self.assertContains(confirm, f"coordinator2 {self.WARNING}. Once they are removed")
        # What it warns of: once confirmed, nobody can sign until a new key.
        do_confirm_change(self.coordinator.user, change)
        with self.assertRaises(SigningKeyUnavailable):
            unlock(self.coordinator.user, self.coordinator.private_key())
        do_create_signing_key(self.coordinator.user)
        unlock(self.coordinator.user, self.coordinator.private_key())
        self.assertNotContains(
            self.client.get(f"/en/staff/people/changes/{change.pk}/"), self.WARNING
        )

    def test_the_confirmation_of_taking_the_role_away_warns_too(self) -> None:
        self.only_second_holds_it()
        result = do_change_roles(self.administrator.user, self.second_coordinator.user, set())
        assert result.removal_waiting is not None
        self.sign_in(self.coordinator)
        page = self.client.get(f"/en/staff/people/changes/{result.removal_waiting.pk}/")
        self.assertContains(page, "If the coordinator role is taken away from them")

    def test_no_warning_while_another_coordinator_holds_a_share(self) -> None:
        do_create_signing_key(self.coordinator.user)
        person = self.second_coordinator.user
        self.sign_in(self.administrator)
        self.assertNotContains(
            self.client.get(f"/en/staff/people/{person.pk}/deactivate/"), self.WARNING
        )
        self.assertNotContains(
            self.client.get(f"/en/staff/people/{person.pk}/roles/"), self.WARNING
        )
        change = self.remove_later(person)
        self.sign_in(self.coordinator)
        self.assertNotContains(
            self.client.get(f"/en/staff/people/changes/{change.pk}/"), self.WARNING
        )

    def test_only_an_active_coordinators_share_counts_as_another(self) -> None:
        from amparo.referrals.signing import holds_only_share

        person = self.second_coordinator.user
        self.assertFalse(holds_only_share(person))  # no key at all
        do_create_signing_key(self.coordinator.user)
        self.assertFalse(holds_only_share(person))
        # The other share belongs to someone who is no longer a coordinator.
        User.objects.filter(pk=self.coordinator.user.pk).update(is_coordinator=False)
        self.assertTrue(holds_only_share(person))
        # A retired key's shares do not count.
        User.objects.filter(pk=self.coordinator.user.pk).update(is_coordinator=True)
        SigningKeyShare.objects.filter(user=self.coordinator.user).delete()
        self.assertTrue(holds_only_share(person))
        self.assertFalse(holds_only_share(self.coordinator.user))

    def remove_later(self, person: User) -> StaffChange:
        change = do_deactivate(self.administrator.user, person)
        assert change is not None
        return change
