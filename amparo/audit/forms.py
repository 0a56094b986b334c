from __future__ import annotations

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from amparo.audit.models import Action, AuditEvent


class TrailFilterForm(forms.Form):
    action = forms.ChoiceField(
        label=_("Action"),
        required=False,
        choices=[("", _("Any action")), *Action.choices],
    )
    actor = forms.CharField(
        label=_("Staff member"),
        required=False,
        max_length=150,
        help_text=_("Username, exactly as shown in the trail."),
    )
    target_type = forms.CharField(
        label=_("Target type"),
        required=False,
        max_length=32,
        help_text=_("The kind of record, as shown in the trail: for example “case”."),
    )
    target_id = forms.CharField(label=_("Target"), required=False, max_length=100)

    def filter(self, events: QuerySet[AuditEvent]) -> QuerySet[AuditEvent]:
        """Narrow ``events`` to what the valid form asks for."""
        data = self.cleaned_data
        if data["action"]:
            events = events.filter(action=data["action"])
        if data["actor"]:
            events = events.filter(actor_name=data["actor"])
        if data["target_type"]:
            events = events.filter(target_type=data["target_type"])
        if data["target_id"]:
            events = events.filter(target_id=data["target_id"])
        return events
