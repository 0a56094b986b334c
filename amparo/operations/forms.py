from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from amparo.operations.actions import REASON_MAX_CHARS, Rule
from amparo.operations.models import MAX_KEEP_DAYS, MIN_KEEP_DAYS, RetentionStage


class RetentionRulesForm(forms.Form):
    """One number of days per finished stage."""

    def __init__(self, *args: Any, rules: dict[str, Rule], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for stage in RetentionStage:
            rule = rules[stage.value]
            self.fields[stage.value] = forms.IntegerField(
                label=stage.label,
                min_value=MIN_KEEP_DAYS,
                max_value=MAX_KEEP_DAYS,
                initial=rule.keep_days,
                help_text=_("days after the case reached this stage")
                if rule.basis == "closing"
                else _("days after the case's last activity"),
            )


class KeepForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the team must keep this report"),
        max_length=REASON_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Kept encrypted with the case. The reporter is told only that the team keeps it."
        ),
    )


class RequestDeletionForm(forms.Form):
    understood = forms.BooleanField(
        label=_(
            "I understand that once the team deletes my report, it cannot be recovered and my "
            "code will no longer open it."
        ),
        required=True,
    )
