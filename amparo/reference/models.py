"""Reference data: controlled vocabularies, ICC situations, States Parties.

Labels live in the database, not in gettext catalogs, because
administrators correct and extend them from the desk without a release.
Codes are stable: other apps store a term's code, never its label or id, so
a label can be reworded without touching a single case.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

LANGUAGE_CODES = ("en", "fr", "es", "ar")

term_code_validator = RegexValidator(
    r"^[a-z0-9_]+(\.[a-z0-9_]+)?$",
    _("Use lower-case letters, digits and underscores, with at most one dot."),
)


def pick_language(language: str | None = None) -> str:
    """The two-letter code of ``language`` or of the active language."""
    code = (language or get_language() or "en").split("-")[0].lower()
    return code if code in LANGUAGE_CODES else "en"


class Labelled(models.Model):
    """Four labels, one per shipped language, with English as the fallback."""

    label_en = models.CharField(_("label (English)"), max_length=200)
    label_fr = models.CharField(_("label (French)"), max_length=200)
    label_es = models.CharField(_("label (Spanish)"), max_length=200)
    label_ar = models.CharField(_("label (Arabic)"), max_length=200)

    class Meta:
        abstract = True

    def label(self, language: str | None = None) -> str:
        """The label in ``language`` (default: the active one), else English."""
        value: str = getattr(self, f"label_{pick_language(language)}")
        return value or self.label_en

    def labels(self) -> dict[str, str]:
        return {code: getattr(self, f"label_{code}") for code in LANGUAGE_CODES}


class ReferenceList(Labelled):
    code = models.SlugField(_("code"), max_length=50, unique=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    as_of = models.DateField(_("as of"), help_text=_("When the list's content was last checked."))
    source = models.TextField(_("source"), blank=True)
    # Raised whenever terms are added to or retired from the list. Reports
    # and codings record the version they were made with, so that a count of
    # a term is never read against cases that could not have chosen it.
    version = models.PositiveIntegerField(_("version"), default=1)
    # Set when an administrator edits the list in the desk: the loader then
    # leaves it alone unless told to overwrite.
    locally_edited = models.BooleanField(_("edited by an administrator"), default=False)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("reference list")
        verbose_name_plural = _("reference lists")

    def __str__(self) -> str:
        return self.label()


class Term(Labelled):
    reference_list = models.ForeignKey(
        ReferenceList, on_delete=models.PROTECT, related_name="terms", verbose_name=_("list")
    )
    code = models.CharField(_("code"), max_length=100, validators=[term_code_validator])
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("category"),
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    active = models.BooleanField(_("active"), default=True)
    # The list versions the term belongs to: since_version up to, not
    # including, retired_in_version.
    since_version = models.PositiveIntegerField(_("in the list since version"), default=1)
    retired_in_version = models.PositiveIntegerField(_("retired in version"), null=True, blank=True)
    locally_edited = models.BooleanField(_("edited by an administrator"), default=False)

    class Meta:
        ordering = ["position", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["reference_list", "code"], name="reference_term_code_unique_in_list"
            )
        ]
        verbose_name = _("term")
        verbose_name_plural = _("terms")

    def __str__(self) -> str:
        return self.label()


class SituationStatus(models.TextChoices):
    PRELIMINARY_EXAMINATION = "preliminary_examination", _("Preliminary examination")
    INVESTIGATION = "investigation", _("Investigation")
    INVESTIGATION_COMPLETED = "investigation_completed", _("Investigation phase completed")
    CLOSED = "closed", _("Closed")


class Situation(models.Model):
    """A situation before the Court, or one under preliminary examination."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_fr = models.CharField(_("name (French)"), max_length=200)
    name_es = models.CharField(_("name (Spanish)"), max_length=200)
    name_ar = models.CharField(_("name (Arabic)"), max_length=200)
    status = models.CharField(_("status"), max_length=32, choices=SituationStatus.choices)
    # ISO 3166-1 alpha-2 codes: a situation may span several States
    # (Bangladesh/Myanmar, Lithuania/Belarus).
    countries = models.JSONField(_("countries"), default=list)
    position = models.PositiveIntegerField(_("position"), default=0)
    as_of = models.DateField(_("as of"))
    # When the status took effect, where a source gives it.
    status_date = models.DateField(_("status since"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    locally_edited = models.BooleanField(_("edited by an administrator"), default=False)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("situation")
        verbose_name_plural = _("situations")

    def __str__(self) -> str:
        return self.name()

    def name(self, language: str | None = None) -> str:
        value: str = getattr(self, f"name_{pick_language(language)}")
        return value or self.name_en

    def names(self) -> dict[str, str]:
        return {code: getattr(self, f"name_{code}") for code in LANGUAGE_CODES}


class StatePartyQuerySet(models.QuerySet["StateParty"]):
    def parties_on(self, day: datetime.date) -> StatePartyQuerySet:
        """States for which the Rome Statute is in force on ``day``.

        A withdrawal takes effect on its effective date (article 127(1)), so
        the State is no longer a party on that day.
        """
        return self.filter(entry_into_force__lte=day).exclude(withdrawal_effective__lte=day)


class StateParty(models.Model):
    country = CountryField(_("country"), unique=True)
    instrument_deposited = models.DateField(
        _("instrument deposited"),
        help_text=_("Date of deposit of ratification, acceptance, approval or accession."),
    )
    entry_into_force = models.DateField(_("entry into force"))
    withdrawal_notified = models.DateField(_("withdrawal notified"), null=True, blank=True)
    withdrawal_effective = models.DateField(_("withdrawal effective"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    as_of = models.DateField(_("as of"))
    locally_edited = models.BooleanField(_("edited by an administrator"), default=False)

    objects = StatePartyQuerySet.as_manager()

    class Meta:
        ordering = ["country"]
        verbose_name = _("State Party")
        verbose_name_plural = _("States Parties")

    def __str__(self) -> str:
        return str(self.country.name)

    def clean(self) -> None:
        check_state_party_dates(
            self.instrument_deposited,
            self.entry_into_force,
            self.withdrawal_notified,
            self.withdrawal_effective,
        )

    def is_party_on(self, day: datetime.date) -> bool:
        if self.entry_into_force > day:
            return False
        return self.withdrawal_effective is None or self.withdrawal_effective > day


def check_state_party_dates(
    deposited: datetime.date | None,
    in_force: datetime.date | None,
    notified: datetime.date | None,
    effective: datetime.date | None,
) -> None:
    """Raise ValidationError when the treaty dates cannot all be true.

    Entry into force may precede the deposit: a successor State (Montenegro)
    is bound from its independence, before it notifies its succession.
    """
    errors: dict[str, str] = {}
    if (notified is None) != (effective is None):
        errors["withdrawal_effective"] = str(_("Give both withdrawal dates, or neither."))
    if notified and deposited and notified < deposited:
        errors["withdrawal_notified"] = str(
            _("A withdrawal cannot be notified before the instrument was deposited.")
        )
    if effective and notified and effective < notified:
        errors["withdrawal_effective"] = str(
            _("A withdrawal cannot take effect before it was notified.")
        )
    if effective and in_force and effective <= in_force:
        errors["withdrawal_effective"] = str(
            _("A withdrawal must take effect after the Statute entered into force.")
        )
    if errors:
        raise ValidationError(errors)


class SessionTiming(models.TextChoices):
    BEFORE = "before", _("Before the session")
    DURING = "during", _("During the session")
    AFTER = "after", _("After the session")


class SessionMode(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    ONLINE = "online", _("Online")


#: Wording of the coding field "linked to an Assembly session", kept here with
#: the sessions so that the desk's coding form and the reports use one text.
SESSION_WORDING = {
    "legend": _("Linked to a session of the Assembly of States Parties"),
    "help": _(
        "Only if the incident is linked to a session: before, during or after it, "
        "in person or online. Leave empty otherwise."
    ),
    "session": _("Session"),
    "timing": _("When"),
    "mode": _("In person or online"),
    "timing_missing": _("Say whether it happened before, during or after the session."),
    "session_missing": _("Choose the session, or leave when and how empty."),
}


class AssemblySession(models.Model):
    """A session of the Assembly of States Parties: number, place, dates, sources."""

    code = models.SlugField(_("code"), max_length=20, unique=True)
    number = models.PositiveSmallIntegerField(_("number"), null=True, blank=True)
    special = models.BooleanField(_("special session"), default=False)
    place_en = models.CharField(_("place (English)"), max_length=100)
    place_fr = models.CharField(_("place (French)"), max_length=100)
    place_es = models.CharField(_("place (Spanish)"), max_length=100)
    place_ar = models.CharField(_("place (Arabic)"), max_length=100)
    start = models.DateField(_("first day"))
    end = models.DateField(_("last day"))
    # Confirmed by the Assembly's or the Court's record of the session as held.
    verified = models.BooleanField(_("verified"), default=False)
    source = models.TextField(_("source"))
    note = models.TextField(_("note"), blank=True)
    as_of = models.DateField(_("as of"))
    locally_edited = models.BooleanField(_("edited by an administrator"), default=False)

    class Meta:
        ordering = ["start"]
        verbose_name = _("Assembly session")
        verbose_name_plural = _("Assembly sessions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(start__lte=models.F("end")), name="assembly_session_dates"
            )
        ]

    def __str__(self) -> str:
        return self.title()

    def place(self, language: str | None = None) -> str:
        value: str = getattr(self, f"place_{pick_language(language)}")
        return value or self.place_en

    def title(self, language: str | None = None) -> str:
        """E.g. "Session 22, New York, 2023-12-04 to 2023-12-14", in the language."""
        from django.utils import translation

        with translation.override(pick_language(language)):
            if self.special:
                name = str(_("Special session"))
            else:
                name = str(_("Session %(number)s")) % {"number": self.number}
            dates = _("%(start)s to %(end)s") % {
                "start": f"{self.start:%Y-%m-%d}",
                "end": f"{self.end:%Y-%m-%d}",
            }
            return f"{name}, {self.place(language)}, {dates}"
