"""Administrators' pages: questionnaire versions and the desk's texts."""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib import messages
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from amparo.accounts.models import User
from amparo.cases.models import Case
from amparo.core.staff import staff_required
from amparo.intake import questionnaire as q
from amparo.intake.actions import (
    EMERGENCY_CONTACT_FIELDS,
    do_add_questionnaire,
    do_make_current,
    do_save_emergency_contact,
    do_set_desk_texts,
)
from amparo.intake.desk_texts import DEFAULTS, Key
from amparo.intake.forms import DeskTextsForm, EmergencyContactForm, QuestionnaireForm
from amparo.intake.models import DeskText, EmergencyContact, Questionnaire
from amparo.reference import api as reference


@staff_required("administrator")
@require_http_methods(["GET"])
def questionnaires(request: HttpRequest) -> HttpResponse:
    rows = list(Questionnaire.objects.all())
    counts = _report_counts()
    return render(
        request,
        "intake/staff/questionnaires.html",
        {"rows": [(row, counts.get(row.version, 0)) for row in rows]},
    )


def _report_counts() -> dict[str, int]:
    """Reports per questionnaire version: one query, counts only."""
    return dict(
        Case.objects.values("questionnaire_version")
        .annotate(n=Count("id"))
        .values_list("questionnaire_version", "n")
    )


@staff_required("administrator")
@require_http_methods(["GET", "POST"])
def questionnaire_new(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = QuestionnaireForm(request.POST)
        if form.is_valid():
            user: User = request.user  # type: ignore[assignment]
            row = do_add_questionnaire(
                user,
                form.cleaned_data["definition"],
                make_current=form.cleaned_data["make_current"],
            )
            messages.success(
                request, _("Version %(version)s has been saved.") % {"version": row.version}
            )
            return redirect("intake_staff:questionnaire", version=row.version)
    else:
        # Start from the current version: most changes are small.
        form = QuestionnaireForm(
            initial={"definition": json.dumps(q.current(), ensure_ascii=False, indent=2)}
        )
    return render(request, "intake/staff/questionnaire_new.html", {"form": form})


@staff_required("administrator")
@require_http_methods(["GET"])
def questionnaire(request: HttpRequest, version: str) -> HttpResponse:
    row = Questionnaire.objects.filter(version=version).first()
    if row is None:
        raise Http404
    return render(
        request,
        "intake/staff/questionnaire.html",
        {
            "row": row,
            "json": json.dumps(row.definition, ensure_ascii=False, indent=2),
            "reports": _report_counts().get(row.version, 0),
        },
    )


@staff_required("administrator")
@require_POST
def questionnaire_make_current(request: HttpRequest, version: str) -> HttpResponse:
    row = Questionnaire.objects.filter(version=version).first()
    if row is None:
        raise Http404
    user: User = request.user  # type: ignore[assignment]
    do_make_current(user, row)
    messages.success(
        request, _("New reports now use version %(version)s.") % {"version": row.version}
    )
    return redirect("intake_staff:questionnaire", version=row.version)


@staff_required("administrator")
@require_http_methods(["GET", "POST"])
def desk_texts(request: HttpRequest) -> HttpResponse:
    saved = {(t.key, t.language): t.text for t in DeskText.objects.all()}
    if request.method == "POST":
        form = DeskTextsForm(request.POST)
        if form.is_valid():
            user: User = request.user  # type: ignore[assignment]
            texts = {
                (key, code): form.cleaned_data[f"{key}_{code}"].strip()
                for key in Key.values
                for code, _name in settings.LANGUAGES
            }
            # A text left as the default is stored as "use the default", so
            # that improvements to the defaults still reach this desk.
            texts = {k: ("" if v == DEFAULTS[k[0]][k[1]] else v) for k, v in texts.items()}
            changed = do_set_desk_texts(user, texts)
            if changed:
                messages.success(request, _("The desk's texts have been saved."))
            else:
                messages.info(request, _("Nothing was changed."))
            return redirect("intake_staff:desk_texts")
    else:
        form = DeskTextsForm(
            initial={
                f"{key}_{code}": saved.get((key, code)) or DEFAULTS[key][code]
                for key in Key.values
                for code, _name in settings.LANGUAGES
            }
        )
    groups = [
        (label, [form[f"{key}_{code}"] for code, _name in settings.LANGUAGES])
        for key, label in Key.choices
    ]
    return render(request, "intake/staff/desk_texts.html", {"form": form, "groups": groups})


@staff_required("administrator")
@require_http_methods(["GET", "POST"])
def emergency_contacts(request: HttpRequest, contact_id: int | None = None) -> HttpResponse:
    """The contacts shown to reporters by country and profile; add one or change one."""
    contact = None
    if contact_id is not None:
        contact = EmergencyContact.objects.filter(pk=contact_id).first()
        if contact is None:
            raise Http404
    initial = {name: getattr(contact, name) for name in EMERGENCY_CONTACT_FIELDS} if contact else {}
    form = EmergencyContactForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        user: User = request.user  # type: ignore[assignment]
        do_save_emergency_contact(
            user, contact, {name: form.cleaned_data[name] for name in EMERGENCY_CONTACT_FIELDS}
        )
        messages.success(request, _("The emergency contact has been saved."))
        return redirect("intake_staff:emergency_contacts")
    profiles = dict(reference.choices("defender_profile", include_inactive=True))
    rows = [
        (
            row,
            [reference.country_name(code) for code in row.countries],
            [profiles.get(code, code) for code in row.profiles],
        )
        for row in EmergencyContact.objects.all()
    ]
    return render(
        request,
        "intake/staff/emergency_contacts.html",
        {"form": form, "rows": rows, "editing": contact},
    )
