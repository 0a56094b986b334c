"""What intake keeps besides the cases themselves: the questionnaire
versions, the desk's own words, and the used form tokens.

None of these rows holds anything a reporter typed.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Questionnaire(models.Model):
    """One version of the report form, as data (see docs/intake.md).

    A version never changes once saved: every report records the version it
    was answered with, and the desk reads its answers through that version's
    labels. Administrators add a new version instead of editing one.
    """

    version = models.CharField(_("version"), max_length=40, unique=True)
    definition = models.JSONField(_("definition"))
    is_current = models.BooleanField(_("current"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"],
                condition=models.Q(is_current=True),
                name="one_current_questionnaire",
            )
        ]

    def __str__(self) -> str:
        return self.version


class DeskText(models.Model):
    """A text the desk writes in its own words, in one language.

    A missing or empty row falls back to the default shipped in
    ``amparo/intake/desk_texts.py``.
    """

    class Key(models.TextChoices):
        ABOUT = "about", _("Who runs this desk")
        PROCESS = "process", _("What happens to a report")
        RETENTION = "retention", _("How long a report is kept")
        EMERGENCY = "emergency", _("Emergency contacts")

    key = models.CharField(_("text"), max_length=16, choices=Key.choices)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    text = models.TextField(_("text"), max_length=4000, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "language"], name="one_desk_text_per_language")
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.language})"


class UsedFormToken(models.Model):
    """The hash of a report form's one-time token, once a report was made from it.

    The unique constraint is what makes a replayed or double-clicked form
    create one report, not two, even when both requests race. It links to
    no case; rows older than the token's lifetime are deleted.
    """

    token_hash = models.CharField(max_length=64, unique=True)
    used_on = models.DateField(db_index=True)

    def __str__(self) -> str:
        return self.token_hash[:12]


class EmergencyContact(models.Model):
    """Someone to call in danger, for reporters in some countries or of some profiles.

    Administrators list them; reporters see, above the desk's general
    emergency text, the contacts for the country they chose (and their
    profile, if they said). Empty countries or profiles mean "everyone".
    Holds nothing a reporter typed.
    """

    name = models.CharField(_("name"), max_length=200)
    phone = models.CharField(_("phone number"), max_length=40, blank=True)
    details = models.TextField(
        _("other ways to reach them, hours, languages"), max_length=1000, blank=True
    )
    countries = models.JSONField(_("countries"), default=list, blank=True)
    profiles = models.JSONField(_("defender profiles"), default=list, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    active = models.BooleanField(_("shown to reporters"), default=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name
