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
