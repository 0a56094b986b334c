"""Sharing requests: the team asks the reporter, the reporter answers.

The consent records themselves are ``amparo.cases.models.Consent`` (append-only,
read only through ``amparo.consent.rules``). A request holds what the
reporter is asked about: a partner or kind of partner and the detail codes in
clear (as the consent they lead to), the reason encrypted under the case key.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from amparo.cases.models import new_public_id


class RequestStatus(models.TextChoices):
    OPEN = "open", _("Waiting for the reporter")
    AGREED = "agreed", _("Agreed")
    REFUSED = "refused", _("Refused")
    CANCELLED = "cancelled", _("Cancelled by the team")


class SharingRequest(models.Model):
    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    partner = models.ForeignKey(
        "referrals.Partner", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    partner_kind = models.CharField(max_length=32, blank=True)
    fields = models.JSONField(default=list)
    reason = models.BinaryField()  # encrypted, field "sharing-request/<public_id>"
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    proposed_on = models.DateField()
    status = models.CharField(max_length=16, choices=RequestStatus.choices, default="open")
    answered_on = models.DateField(null=True, blank=True)
    answer = models.ForeignKey(
        "cases.Consent", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(partner__isnull=False) | ~Q(partner_kind=""),
                name="sharing_request_names_partner",
            ),
            models.CheckConstraint(
                condition=Q(status="open") | Q(answered_on__isnull=False),
                name="sharing_request_answer_dated",
            ),
        ]

    def __str__(self) -> str:
        return f"sharing request {self.public_id}"

    def aad_field(self) -> str:
        return f"sharing-request/{self.public_id}"
