"""The outbox of notification e-mails.

A row holds only what sending needs: a staff address, the generic subject
and body (which carry no case content, see docs/notifications.md), and the
delivery state. No time more precise than the day is kept once a message is
settled, because the moment a notification was queued is the moment a
reporter wrote, and the threat model forbids storing that.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    NEW_CASE = "new_case", _("New report")
    REPORTER_MESSAGE = "reporter_message", _("Message from a reporter")
    ASSIGNED = "assigned", _("Case assigned")
    # amparo.protection's reminders (docs/protection.md).
    ESCALATION = "escalation", _("Urgent report not acknowledged in time")
    DIGEST = "digest", _("Daily digest")
    # To partners (amparo.referrals): an encrypted package, or a content-free
    # notice that the defender withdrew consent.
    REFERRAL = "referral", _("Referral package")
    REFERRAL_WITHDRAWN = "referral_withdrawn", _("Consent withdrawn notice")


#: The kinds that share the one generic "activity on the desk" message.
ACTIVITY_KINDS = (Kind.NEW_CASE, Kind.REPORTER_MESSAGE, Kind.ASSIGNED)


class Status(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class OutboundEmail(models.Model):
    recipient = models.EmailField(_("recipient"))
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    language = models.CharField(_("language"), max_length=8)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("body"))
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.QUEUED
    )
    # An OpenPGP message encrypted to the recipient (referral packages only);
    # dropped once sent.
    attachment = models.BinaryField(_("attachment"), null=True, blank=True)
    attachment_name = models.CharField(_("attachment name"), max_length=100, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # While queued: when the next attempt is due (or, while an attempt is in
    # flight, when its lease runs out). Cleared once the message is settled.
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    queued_on = models.DateField(_("queued on"))
    sent_on = models.DateField(_("sent on"), null=True, blank=True)
    # The kind of error and the SMTP reply code only: never the server's
    # text, which can echo addresses, nor anything from the settings.
    last_error = models.CharField(_("last error"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("notification e-mail")
        verbose_name_plural = _("notification e-mails")
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"notification {self.pk} ({self.kind}, {self.status})"
