"""Staff accounts: roles, key material, second factor.

The private key and the TOTP secret are never stored readable: the private
key is wrapped under a password-derived key and, separately, under a recovery
key; the TOTP secret is sealed to the person's own public key, so a copy of
the database alone can neither decrypt cases nor mint login codes.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    HANDLER = "handler", _("Handler")
    COORDINATOR = "coordinator", _("Coordinator")
    ANALYST = "analyst", _("Analyst")
    ADMINISTRATOR = "administrator", _("Administrator")


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
