"""Forms for partners (administrators) and referrals (the desk)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from amparo.consent.details import Detail
from amparo.reference import api as reference
from amparo.referrals.actions.common import COVER_NOTE_MAX_CHARS, REASON_MAX_CHARS, REPLY_MAX_CHARS
from amparo.referrals.models import Partner, PartnerKind, ReferralOutcome


def _measure_choices() -> list[tuple[str, str]]:
    try:
        from amparo.protection.actions import measure_kinds
    except ImportError:
        return []
    return measure_kinds()


class PartnerForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=PartnerKind.choices)
    email = forms.EmailField(label=_("Contact e-mail"))
    languages = forms.MultipleChoiceField(
        label=_("Languages (the summary is written in the first one the desk has)"),
        choices=settings.LANGUAGES,
        widget=forms.CheckboxSelectMultiple,
    )
    countries = forms.MultipleChoiceField(
        label=_("Countries served"), required=False, widget=forms.SelectMultiple(attrs={"size": 6})
    )
    regions = forms.MultipleChoiceField(
        label=_("Regions served"), required=False, widget=forms.CheckboxSelectMultiple
    )
    measures = forms.MultipleChoiceField(
        label=_("Measures they can take"), required=False, widget=forms.CheckboxSelectMultiple
    )
    certificate = forms.CharField(
        label=_("OpenPGP public key (armoured)"),
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false", "dir": "ltr"}),
        help_text=_(
            "Paste the partner's public key, starting with “-----BEGIN PGP PUBLIC KEY "
            "BLOCK-----”. Never a private key."
        ),
    )

    def __init__(self, *args: Any, key_required: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["countries"]).choices = reference.country_choices()
        cast(forms.ChoiceField, self.fields["regions"]).choices = reference.region_choices()
        cast(forms.ChoiceField, self.fields["measures"]).choices = _measure_choices()
        if not key_required:
            self.fields["certificate"].required = False
            self.fields["certificate"].help_text = _(
                "Leave empty to keep the current key. A different key must be confirmed again."
            )


class ConfirmKeyForm(forms.Form):
    typed = forms.CharField(
        label=_("Type the fingerprint as the partner reads it to you"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"dir": "ltr", "autocomplete": "off", "spellcheck": "false"}),
    )


class PrepareReferralForm(forms.Form):
    partner = forms.ChoiceField(label=_("Partner"))
    details = forms.MultipleChoiceField(
        label=_("Details to send"), widget=forms.CheckboxSelectMultiple
    )
    measure = forms.ChoiceField(label=_("The measure it serves (optional)"), required=False)
    cover_note = forms.CharField(
        label=_("Cover note to the partner"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=COVER_NOTE_MAX_CHARS,
        help_text=_("What you ask the partner to do. Stored encrypted; sent only in the package."),
    )

    def __init__(
        self,
        *args: Any,
        partners: list[Partner],
        details: list[Detail],
        measures: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["partner"]).choices = [
            ("", _("(choose a partner)")),
            *((p.public_id, f"{p.name} ({p.get_kind_display()})") for p in partners),
        ]
        cast(forms.ChoiceField, self.fields["details"]).choices = [
            (d.code, d.label) for d in details
        ]
        cast(forms.ChoiceField, self.fields["measure"]).choices = [("", _("(none)")), *measures]


class SendBackForm(forms.Form):
    reason = forms.CharField(
        label=_("Why it goes back (the preparer reads this)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=REASON_MAX_CHARS,
    )


class ApproveForm(forms.Form):
    by_email = forms.BooleanField(
        label=_("Also send it by e-mail to the partner's address (the e-mail says nothing of it)"),
        required=False,
        initial=True,
    )


class ResponseForm(forms.Form):
    acknowledged = forms.BooleanField(label=_("The partner acknowledged it"), required=False)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=ReferralOutcome.choices, required=False)
    reply = forms.CharField(
        label=_("Their reply, or what they said (stored encrypted)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=REPLY_MAX_CHARS,
        required=False,
    )
