"""Cases (reports) and what hangs off them, stored so that a copy of the
database reveals nothing of a case's content.

Every readable field is ciphertext under the case's own data key; the data
key is stored only sealed to each entitled person (``CaseKey``) and to the
reporter's receipt-derived key pair. Only the workflow state (stage,
urgency, language, day received) and, later, the handler's deliberate
coding for statistics are kept in clear.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


def new_public_id() -> str:
    # 128 random bits: not guessable, not sequential, reveals no count or order.
    return secrets.token_urlsafe(16)


class Stage(models.TextChoices):
    RECEIVED = "received", _("Received")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    UNDER_ASSESSMENT = "under_assessment", _("Under assessment")
    NOT_A_REPRISAL = "not_a_reprisal", _("Not a reprisal")
    DUPLICATE = "duplicate", _("Duplicate")
    ASSESSED = "assessed", _("Assessed")
    RESPONSE_IN_PROGRESS = "response_in_progress", _("Response in progress")
    MONITORING = "monitoring", _("Monitoring")
    CLOSED = "closed", _("Closed")


class Urgency(models.TextChoices):
    NORMAL = "normal", _("Normal")
    URGENT = "urgent", _("Urgent: immediate danger")


class Channel(models.TextChoices):
    WEB = "web", _("Web form")
    ON_BEHALF = "on_behalf", _("Entered by the desk on someone's behalf")


class Case(models.Model):
    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    # AMP-2026-0042: allocated atomically from ReferenceCounter.
    reference = models.CharField(max_length=20, unique=True, editable=False)
    # Day precision only: an exact time could tie a report to a network trace.
    received_on = models.DateField()
    language = models.CharField(max_length=8, choices=settings.LANGUAGES)
    channel = models.CharField(max_length=16, choices=Channel.choices, default=Channel.WEB)
    urgency = models.CharField(max_length=8, choices=Urgency.choices, default=Urgency.NORMAL)
    stage = models.CharField(max_length=24, choices=Stage.choices, default=Stage.RECEIVED)
    questionnaire_version = models.CharField(max_length=40)
    # Encrypted JSON of the reporter's answers (field "answers").
    answers = models.BinaryField()
    # Reporter access through the receipt: a lookup value that unlocks nothing,
    # the reporter's public key, their private key wrapped under the
    # receipt-derived key, and the data key sealed to that public key.
    # NULL, not "", for cases without a receipt: the column is unique.
    reporter_lookup = models.CharField(max_length=64, unique=True, null=True, editable=False)  # noqa: DJ001
    reporter_public_key = models.BinaryField(null=True, editable=False)
    reporter_private_key = models.BinaryField(null=True, editable=False)
    reporter_sealed_key = models.BinaryField(null=True, editable=False)
    # The receipt parameter set (amparo/crypto/kdf.py RECEIPT_PARAM_SETS) the lookup id
    # and wrapping key were derived with. 1 for reports from before the sets existed;
    # do_create_case sets the current one. Indexed: a follow-up asks which sets are
    # still in use.
    receipt_params = models.PositiveSmallIntegerField(default=1, db_index=True, editable=False)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_cases",
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_activity_on = models.DateField()
    # Set when a case is closed with a yearly follow-up (DESIGN.md's workflow).
    yearly_follow_up = models.BooleanField(default=False)
    # Optimistic locking: a form carries the version it was rendered from, and
    # a save from a stale form is refused instead of overwriting.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        indexes = [
            models.Index(fields=["stage", "urgency"]),
            models.Index(fields=["received_on"]),
            # Newest activity first, as search lists a person's cases: read from the
            # index alone, without the wide rows (issue 12, 100,000 cases).
            models.Index(fields=["-last_activity_on", "-id"], name="case_activity_order"),
        ]

    def __str__(self) -> str:
        return self.reference


class ReferenceCounter(models.Model):
    """The last reference number used in a year; locked when allocating."""

    year = models.PositiveIntegerField(unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class CaseKey(models.Model):
    """A case's data key, sealed to one staff member's public key."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="keys")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="case_keys"
    )
    sealed_key = models.BinaryField()
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "user"], name="one_key_per_person")]

    def __str__(self) -> str:
        return f"key of {self.case_id} for {self.user_id}"


class Sender(models.TextChoices):
    REPORTER = "reporter", _("Reporter")
    DESK = "desk", _("Desk")


class Message(models.Model):
    """One message of the conversation between the desk and the reporter."""

    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="messages")
    sender = models.CharField(max_length=8, choices=Sender.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_on = models.DateField()
    body = models.BinaryField()  # encrypted, field "message/<public_id>"
    read_by_desk = models.BooleanField(default=False)
    read_by_reporter = models.BooleanField(default=False)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["case", "sender", "read_by_desk"])]

    def __str__(self) -> str:
        return f"message {self.public_id}"

    def aad_field(self) -> str:
        return f"message/{self.public_id}"


class Attachment(models.Model):
    """An encrypted file. Its name, type, size and SHA-256 are encrypted too."""

    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    # Encrypted JSON {"name", "content_type", "size", "sha256", "scrubbed"},
    # field "attachment/<public_id>".
    metadata = models.BinaryField()
    # A random name under MEDIA_ROOT; the stream inside is padded.
    stored_name = models.CharField(max_length=80, unique=True, editable=False)
    uploaded_on = models.DateField()

    def __str__(self) -> str:
        return f"attachment {self.public_id}"

    def aad_field(self) -> str:
        return f"attachment/{self.public_id}"


class ConsentScope(models.TextChoices):
    STORE = "store", _("Store the report and act on it")
    CONTACT = "contact", _("Contact the reporter through the receipt")
    STATISTICS = "statistics", _("Include in anonymised statistics")
    SHARE = "share", _("Share with a named partner")
    PUBLISH = "publish", _("Publish an anonymised summary")


class ConsentMethod(models.TextChoices):
    REPORT_FORM = "report_form", _("On the report form")
    FOLLOW_UP = "follow_up", _("On the follow-up page")
    STAFF = "staff", _("Recorded by the team from a conversation")


class ConsentQuerySet(models.QuerySet["Consent"]):
    # Records are never overwritten: a change is a new record.
    def update(self, **kwargs: Any) -> int:
        raise ConsentRecordFrozen("consent records cannot be changed; record a new one")

    def bulk_update(self, *args: Any, **kwargs: Any) -> int:
        raise ConsentRecordFrozen("consent records cannot be changed; record a new one")


class ConsentRecordFrozen(Exception):
    """Code tried to change a recorded consent instead of recording a new one."""


class Consent(models.Model):
    """One recorded grant or withdrawal, never changed afterwards.

    The current state of a scope is its latest record (see amparo/consent/rules.py,
    the only code that should interpret these rows). For sharing, a record
    names a partner (or a kind of partner) and the details agreed to, in
    clear so that the rule can be checked without the case key: the codes say
    which details, never what they contain (see docs/referrals.md).
    """

    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="consents")
    scope = models.CharField(max_length=16, choices=ConsentScope.choices)
    granted = models.BooleanField()
    wording_version = models.CharField(max_length=40)
    language = models.CharField(max_length=8, blank=True)
    method = models.CharField(
        max_length=16, choices=ConsentMethod.choices, default=ConsentMethod.REPORT_FORM
    )
    # What the person was told about the risks, encrypted (field
    # "consent/<public_id>"); required when the team records a conversation.
    risk_note = models.BinaryField(null=True, blank=True)
    # Sharing: one partner, or a kind of partner, or (withdrawal only) neither
    # for "every partner"; the detail codes agreed to; until when.
    partner = models.ForeignKey(
        "referrals.Partner",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    partner_kind = models.CharField(max_length=32, blank=True)
    fields = models.JSONField(default=list, blank=True)
    until = models.DateField(null=True, blank=True)
    # Legacy, from before records were append-only; no longer written.
    terms = models.BinaryField(null=True, blank=True)
    recorded_on = models.DateField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Legacy: migration 0003 turned every set value into a withdrawal record.
    revoked_on = models.DateField(null=True, blank=True)

    objects = ConsentQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["case", "scope"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(method="staff") | Q(risk_note__isnull=False),
                name="consent_staff_record_has_risk_note",
            ),
            models.CheckConstraint(
                condition=Q(scope="share") | (Q(partner__isnull=True) & Q(partner_kind="")),
                name="consent_partner_only_for_sharing",
            ),
            models.CheckConstraint(
                condition=~(Q(scope="share") & Q(granted=True))
                | Q(partner__isnull=False)
                | ~Q(partner_kind=""),
                name="consent_sharing_grant_names_partner",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scope}: {self.granted}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise ConsentRecordFrozen("consent records cannot be changed; record a new one")
        super().save(*args, **kwargs)

    def aad_field(self) -> str:
        return f"consent/{self.public_id}"


class Note(models.Model):
    """An internal note of the desk; the reporter never sees it."""

    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    body = models.BinaryField()  # encrypted, field "note/<public_id>"

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"note {self.public_id}"

    def aad_field(self) -> str:
        return f"note/{self.public_id}"


class StageChange(models.Model):
    """The history of a case's stage, with the (encrypted) reason given."""

    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.CharField(max_length=24, choices=Stage.choices)
    to_stage = models.CharField(max_length=24, choices=Stage.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)
    reason = models.BinaryField(null=True, blank=True)  # encrypted, field "stage/<public_id>"

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.from_stage} -> {self.to_stage}"

    def aad_field(self) -> str:
        return f"stage/{self.public_id}"


class CaseLink(models.Model):
    class Kind(models.TextChoices):
        RELATED = "related", _("Related case")
        DUPLICATE = "duplicate", _("Duplicate of")

    from_case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="links")
    to_case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.RELATED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["from_case", "to_case"], name="one_link_per_pair")
        ]

    def __str__(self) -> str:
        return f"{self.from_case_id} -> {self.to_case_id}"


class Coding(models.Model):
    """The handler's structured description of a case, for statistics.

    This is the only case data stored in clear, deliberately and coarsely:
    codes from the reference vocabularies, a country, a region and a month.
    It must never hold names, places finer than a country, or free text.
    """

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="coding")
    reprisal_types = models.JSONField(default=list)  # reference term codes, several
    target = models.CharField(max_length=64, blank=True)
    defender_profiles = models.JSONField(default=list)
    situation = models.CharField(max_length=64, blank=True)  # reference Situation code
    engagement = models.JSONField(default=list)
    country = models.CharField(max_length=2, blank=True)  # ISO 3166-1 alpha-2
    region = models.CharField(max_length=8, blank=True)  # UN M49 code
    month = models.DateField(null=True, blank=True)  # always the 1st of the month
    # Linked to a session of the Assembly: its reference code, and when and how
    # the incident happened relative to it (reference SessionTiming/SessionMode).
    assembly_session = models.CharField(max_length=20, blank=True)
    assembly_timing = models.CharField(max_length=8, blank=True)
    assembly_mode = models.CharField(max_length=12, blank=True)
    coded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    coded_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)
    # {reference list code: its version} when last saved: the terms the
    # handler was offered, so that statistics never count a term against
    # codings that could not have chosen it.
    vocabulary_versions = models.JSONField(default=dict)

    def __str__(self) -> str:
        return f"coding of {self.case_id}"


class CodedPerpetrator(models.Model):
    coding = models.ForeignKey(Coding, on_delete=models.CASCADE, related_name="perpetrators")
    perpetrator = models.CharField(max_length=64)  # reference term code
    involvement = models.CharField(max_length=64, blank=True)
    confidence = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.perpetrator


class SearchIndex(models.Model):
    """The coordinators' search index, one row, encrypted as a whole (amparo.cases.search_index).

    ``snapshot`` is the whole index, encrypted under a key derived from the
    index's private key, rewritten (``version`` + 1) when pending entries are
    merged; that private key is stored only sealed to each
    coordinator (``SearchIndexKey``). The public key is in clear so that anyone,
    intake included, can append entries nobody but a coordinator can read.
    """

    public_key = models.BinaryField()
    snapshot = models.BinaryField(null=True, blank=True)
    version = models.PositiveIntegerField(default=0)
    #: A holder's copy was destroyed: the next merge rotates the key pair.
    rotate = models.BooleanField(default=False)
    #: The private key before the last rotation, sealed to the current public key,
    #: to open entries sealed to the old one meanwhile; cleared at the next merge.
    previous_key = models.BinaryField(null=True, blank=True)

    def __str__(self) -> str:
        return f"search index version {self.version}"


class SearchIndexKey(models.Model):
    """The index's private key, sealed to one coordinator's public key."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="search_index_key"
    )
    sealed_key = models.BinaryField()

    def __str__(self) -> str:
        return f"search index key for {self.user_id}"


class SearchIndexEntry(models.Model):
    """A change not yet merged into the snapshot, sealed to the index's public key.

    No foreign key and no date: which case changed is inside the ciphertext. Every
    entry still here is not yet in the snapshot (merging deletes them in the same
    transaction as it rewrites the snapshot).
    """

    id = models.BigAutoField(primary_key=True)
    sealed = models.BinaryField()

    def __str__(self) -> str:
        return f"search index entry {self.pk}"
