"""Protection partners and the referral packages sent to them.

A partner is configuration, not case data: its name, kind, e-mail and
OpenPGP certificate are stored in clear. A referral row holds the workflow
(who prepared, approved, sent; the fingerprint used) in clear and every free
text (cover note, reasons, the partner's replies) encrypted under the case key.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from amparo.cases.models import new_public_id


class PartnerKind(models.TextChoices):
    STATE_PARTY = "state_party", _("State Party (mission or focal point)")
    COURT_ORGAN = "court_organ", _("Organ of the Court")
    ASSEMBLY = "assembly", _("Presidency or Bureau of the Assembly")
    UN_MECHANISM = "un_mechanism", _("UN reprisals mechanism")
    EMERGENCY_FUND = "emergency_fund", _("Emergency fund")
    PROTECTION_ORGANISATION = "protection_organisation", _("Protection organisation")
    LEGAL_AID = "legal_aid", _("Legal aid")


class Partner(models.Model):
    """An outside protection actor, known by its OpenPGP certificate."""

    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=32, choices=PartnerKind.choices)
    countries = models.JSONField(default=list, blank=True)  # ISO 3166-1 alpha-2 codes
    regions = models.JSONField(default=list, blank=True)  # UN M49 codes
    languages = models.JSONField(default=list)  # codes of settings.LANGUAGES, first preferred
    measures = models.JSONField(default=list, blank=True)  # protection measure kind codes
    email = models.EmailField(_("contact e-mail"))
    # The armoured certificate as checked (amparo.referrals.openpgp.check_certificate).
    certificate = models.TextField()
    fingerprint = models.CharField(max_length=64)
    key_expires = models.DateTimeField(null=True, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)
    # Nothing is sent to a partner until someone confirmed the fingerprint
    # out of band: typed back by the person who added it, or a second administrator.
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_how = models.CharField(max_length=16, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(confirmed_at__isnull=True) | ~Q(confirmed_how=""),
                name="partner_confirmation_says_how",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None

    @property
    def summary_language(self) -> str:
        known = {code for code, _name in settings.LANGUAGES}
        for language in self.languages:
            if language in known:
                return str(language)
        return "en"


class DeskSigningKey(models.Model):
    """The desk's OpenPGP signing key.

    The secret key is stored only wrapped under a random key, and that key
    only sealed to each coordinator's X25519 public key (``SigningKeyShare``):
    a server seized while switched off holds nothing that can sign. A
    coordinator signed in unwraps it for the length of one approval.
    """

    certificate = models.TextField()  # armoured public certificate, given to partners
    fingerprint = models.CharField(max_length=64, unique=True)
    wrapped_secret = models.BinaryField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["active"], condition=Q(active=True), name="one_active_signing_key"
            )
        ]

    def __str__(self) -> str:
        return self.fingerprint

    def wrap_context(self) -> str:
        return f"desk-signing-key:{self.fingerprint}"


class SigningKeyShare(models.Model):
    key = models.ForeignKey(DeskSigningKey, on_delete=models.CASCADE, related_name="shares")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sealed_key = models.BinaryField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "user"], name="one_signing_share_per_person")
        ]

    def __str__(self) -> str:
        return f"share of {self.key_id} for {self.user_id}"


class ReferralStatus(models.TextChoices):
    AWAITING_APPROVAL = "awaiting_approval", _("Waiting for approval")
    SENT_BACK = "sent_back", _("Sent back")
    CANCELLED = "cancelled", _("Cancelled")
    SENT = "sent", _("Sent")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged by the partner")
    CLOSED = "closed", _("Closed")


class ReferralOutcome(models.TextChoices):
    NONE = "", _("Not known yet")
    ACTED = "acted", _("The partner acted")
    DECLINED = "declined", _("The partner declined")
    NO_RESPONSE = "no_response", _("No response")


class Referral(models.Model):
    """One referral of a case to a partner, prepared by one person and approved by another."""

    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="referrals")
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="referrals")
    measure = models.ForeignKey(
        "protection.Measure",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="referrals",
    )
    # The detail codes sent (amparo/consent/details.py), in clear like the
    # consent they rest on; their content is only ever in the package.
    fields = models.JSONField(default=list)
    cover_note = models.BinaryField()  # encrypted, field "referral/<public_id>/cover"
    status = models.CharField(
        max_length=20, choices=ReferralStatus.choices, default=ReferralStatus.AWAITING_APPROVAL
    )
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    prepared_on = models.DateField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_on = models.DateField(null=True, blank=True)
    sent_back_reason = models.BinaryField(null=True, blank=True)  # ".../sent-back"
    # What the approval used: the consent grant, both fingerprints.
    # RESTRICT, not PROTECT: deleting the whole case (a deletion request,
    # retention) removes both together; deleting the record alone is refused.
    consent = models.ForeignKey(
        "cases.Consent", null=True, blank=True, on_delete=models.RESTRICT, related_name="+"
    )
    partner_fingerprint = models.CharField(max_length=64, blank=True)
    signing_fingerprint = models.CharField(max_length=64, blank=True)
    # The OpenPGP message, kept only until downloaded once (and, for e-mail,
    # handed to the outbox). It is encrypted to the partner: the server
    # cannot read it even while it holds it.
    package = models.BinaryField(null=True, blank=True)
    package_sha256 = models.CharField(max_length=64, blank=True)
    package_bytes = models.PositiveBigIntegerField(default=0)
    by_email = models.BooleanField(default=False)
    downloaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    downloaded_on = models.DateField(null=True, blank=True)
    acknowledged_on = models.DateField(null=True, blank=True)
    outcome = models.CharField(
        max_length=16, choices=ReferralOutcome.choices, default="", blank=True
    )
    partner_reply = models.BinaryField(null=True, blank=True)  # ".../reply"
    # Consent withdrawn after sending: the desk owes the partner a notice.
    withdrawn_on = models.DateField(null=True, blank=True)
    withdrawal_notice_on = models.DateField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["awaiting_approval", "cancelled"])
                | Q(decided_by__isnull=False),
                name="referral_decision_has_a_decider",
            ),
            models.CheckConstraint(
                condition=~Q(decided_by=models.F("prepared_by")),
                name="referral_two_people",
            ),
        ]

    def __str__(self) -> str:
        return f"referral {self.public_id}"

    def aad_field(self, part: str) -> str:
        return f"referral/{self.public_id}/{part}"

    @property
    def was_sent(self) -> bool:
        return self.status in (
            ReferralStatus.SENT,
            ReferralStatus.ACKNOWLEDGED,
            ReferralStatus.CLOSED,
        )
