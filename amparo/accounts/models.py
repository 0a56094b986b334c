"""Staff accounts: roles, key material, second factor.

The private key and the TOTP secret are never stored readable: the private
key is wrapped under a password-derived key and, separately, under a recovery
key; the TOTP secret is sealed to the person's own public key, so a copy of
the database alone can neither decrypt cases nor mint login codes.
"""

from __future__ import annotations

import hashlib

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from amparo.core.roles import Role

# Roles whose holders receive sealed copies of case keys: coordinators get
# every new case, handlers the cases assigned to them or that they enter.
# Granting one needs a second person, a coordinator, to confirm.
KEY_ROLES = frozenset({Role.COORDINATOR, Role.HANDLER})
ROLE_FIELDS = {
    Role.HANDLER: "is_handler",
    Role.COORDINATOR: "is_coordinator",
    Role.ANALYST: "is_analyst",
    Role.ADMINISTRATOR: "is_administrator",
}


class User(AbstractUser):
    # A person may hold several roles (e.g. coordinator and handler).
    is_handler = models.BooleanField(_("handler"), default=False)
    is_coordinator = models.BooleanField(_("coordinator"), default=False)
    is_analyst = models.BooleanField(_("analyst"), default=False)
    is_administrator = models.BooleanField(_("administrator"), default=False)

    public_key = models.BinaryField(null=True, editable=False)
    private_key_by_password = models.BinaryField(null=True, editable=False)
    private_key_by_recovery = models.BinaryField(null=True, editable=False)
    totp_secret_sealed = models.BinaryField(null=True, editable=False)
    # The last accepted TOTP time step: a code is never accepted twice.
    totp_last_step = models.BigIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff members")

    def roles(self) -> list[Role]:
        held = {
            Role.HANDLER: self.is_handler,
            Role.COORDINATOR: self.is_coordinator,
            Role.ANALYST: self.is_analyst,
            Role.ADMINISTRATOR: self.is_administrator,
        }
        return [role for role, has in held.items() if has]

    def has_keys(self) -> bool:
        return self.public_key is not None

    def key_fingerprint(self) -> str:
        """A short digest of the public key, read aloud to compare two screens.

        A coordinator confirming a new role compares it with what the person
        sees on their own page, so an administrator who enrolled in the
        invitee's place (the link passes through their hands) is caught.
        """
        if self.public_key is None:
            return ""
        digest = hashlib.blake2b(bytes(self.public_key), digest_size=10).hexdigest().upper()
        return " ".join(digest[i : i + 4] for i in range(0, len(digest), 4))


class Invitation(models.Model):
    """An administrator's invitation to enrol; only a hash of its token is kept."""

    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    username = models.CharField(_("username"), max_length=150)
    is_handler = models.BooleanField(_("handler"), default=False)
    is_coordinator = models.BooleanField(_("coordinator"), default=False)
    is_analyst = models.BooleanField(_("analyst"), default=False)
    is_administrator = models.BooleanField(_("administrator"), default=False)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    # Set only by the operator's invite_staff on an installation with no
    # coordinator yet: the key roles are then granted at enrolment. Otherwise
    # they wait for a coordinator's confirmation (see StaffChange).
    key_roles_confirmed = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.username

    def roles(self) -> list[Role]:
        return [
            role
            for role, held in [
                (Role.HANDLER, self.is_handler),
                (Role.COORDINATOR, self.is_coordinator),
                (Role.ANALYST, self.is_analyst),
                (Role.ADMINISTRATOR, self.is_administrator),
            ]
            if held
        ]


class StaffChange(models.Model):
    """A change to the desk's people that one person asks for and a coordinator confirms.

    Granting a role that receives case keys, taking the coordinator role
    away, removing a coordinator from the desk and destroying a removed
    person's sealed key copies all wait here until a second person, an active
    coordinator who is signed in, confirms. The constraints make it
    impossible, even for code that forgets, to record a confirmation by the
    person who asked or a role grant confirmed by its own beneficiary.
    """

    class Kind(models.TextChoices):
        GRANT_ROLES = "grant_roles", _("Give roles")
        REMOVE_ROLES = "remove_roles", _("Take roles away")
        DEACTIVATE = "deactivate", _("Remove from the desk")
        DESTROY_KEYS = "destroy_keys", _("Destroy sealed key copies")

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for confirmation")
        CONFIRMED = "confirmed", _("Confirmed")
        CANCELLED = "cancelled", _("Cancelled")

    kind = models.CharField(max_length=16, choices=Kind.choices)
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    subject = models.ForeignKey(User, on_delete=models.PROTECT, related_name="staff_changes")
    # Role codes (for the two role kinds); empty otherwise.
    roles = models.JSONField(default=list, blank=True)
    # None: the operator, through manage.py invite_staff.
    requested_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["requested_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["subject", "kind"],
                condition=Q(state="pending"),
                name="accounts_one_pending_change_per_kind",
            ),
            models.CheckConstraint(
                condition=~Q(state="confirmed", decided_by=F("requested_by")),
                name="accounts_change_confirmed_by_a_second_person",
            ),
            models.CheckConstraint(
                condition=~Q(state="confirmed", kind="grant_roles", decided_by=F("subject")),
                name="accounts_grant_not_confirmed_by_its_beneficiary",
            ),
            models.CheckConstraint(
                condition=~Q(state="confirmed", decided_by__isnull=True),
                name="accounts_change_confirmed_by_someone",
            ),
            models.CheckConstraint(
                condition=Q(state="pending", decided_at__isnull=True)
                | (~Q(state="pending") & Q(decided_at__isnull=False)),
                name="accounts_change_decided_when_closed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.subject_id}"

    def role_list(self) -> list[Role]:
        return [Role(code) for code in self.roles]
