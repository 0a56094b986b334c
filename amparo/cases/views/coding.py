"""The case's coding: the only case data kept in clear, for statistics."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from amparo.cases import forms as desk_forms
from amparo.cases.access import access_case_by_public_id
from amparo.cases.actions.coding import CodingValues, do_code_case
from amparo.cases.actions.common import CaseError
from amparo.cases.models import Coding
from amparo.cases.views.case import coding_summary
from amparo.cases.views.common import DESK, user_of
from amparo.reference import api as reference


def _coding_current(coding: Coding | None) -> dict[str, Any]:
    if coding is None:
        return {}
    derived = reference.region_for(coding.country) if coding.country else ""
    return {
        "reprisal_types": coding.reprisal_types,
        "target": coding.target,
        "defender_profiles": coding.defender_profiles,
        "engagement": coding.engagement,
        "situation": coding.situation,
        "country": coding.country,
        # Shown as "from the country" unless it was overridden.
        "region": "" if coding.region == derived else coding.region,
        "month": coding.month.strftime("%Y-%m") if coding.month else "",
        "assembly_session": coding.assembly_session,
        "assembly_timing": coding.assembly_timing,
        "assembly_mode": coding.assembly_mode,
        "version": coding.version,
    }


def _saved_rows(coding: Coding | None) -> list[dict[str, str]]:
    if coding is None:
        return []
    return [
        {"perpetrator": p.perpetrator, "involvement": p.involvement, "confidence": p.confidence}
        for p in coding.perpetrators.all()
    ]


@DESK
@require_http_methods(["GET", "POST"])
@never_cache
def coding(request: HttpRequest, public_id: str) -> HttpResponse:
    """The case's coding: the only case data kept in clear, for statistics."""
    case = access_case_by_public_id(request.user, public_id)
    current = Coding.objects.filter(case=case).prefetch_related("perpetrators").first()
    initial = _coding_current(current)
    status = 200
    meanwhile: list[tuple[str, str]] | None = None
    if request.method != "POST":
        form = desk_forms.CodingForm(initial=initial, current=initial)
        rows = desk_forms.perpetrator_formset(initial=_saved_rows(current))
    else:
        form = desk_forms.CodingForm(request.POST, current=initial)
        add_row = "add_perpetrator" in request.POST
        rows = desk_forms.perpetrator_formset(request.POST, add_row=add_row)
        if not add_row and form.is_valid() and rows.is_valid():
            data = form.cleaned_data
            values = CodingValues(
                reprisal_types=data["reprisal_types"],
                target=data["target"],
                defender_profiles=data["defender_profiles"],
                situation=data["situation"],
                engagement=data["engagement"],
                country=data["country"],
                region=data["region"],
                month=data["month"],
                assembly_session=data["assembly_session"],
                assembly_timing=data["assembly_timing"],
                assembly_mode=data["assembly_mode"],
                perpetrators=[
                    (row["perpetrator"], row["involvement"], row["confidence"])
                    for row in rows.cleaned_data
                    if row.get("perpetrator")
                ],
            )
            try:
                do_code_case(user_of(request), case, values, expected_version=data["version"])
            except CaseError:
                # Never overwrite silently: show what was saved meanwhile next
                # to this person's own choices, which now carry the new version,
                # so saving again is a deliberate decision.
                messages.error(
                    request,
                    _(
                        "Someone else saved this coding while you were editing it. Nothing "
                        "was saved. Compare their coding (shown first) with your choices "
                        "below, then save again if yours should replace it."
                    ),
                )
                current = Coding.objects.filter(case=case).prefetch_related("perpetrators").first()
                meanwhile = coding_summary(current)
                data_copy = request.POST.copy()
                data_copy["version"] = str(current.version) if current else ""
                form = desk_forms.CodingForm(data_copy, current=_coding_current(current))
                rows = desk_forms.perpetrator_formset(data_copy)
                status = 409
            else:
                messages.success(request, _("The coding is saved."))
                return redirect("cases:coding", public_id=case.public_id)
        elif not add_row:
            status = 400
    return render(
        request,
        "cases/coding.html",
        {"case": case, "form": form, "rows": rows, "meanwhile": meanwhile},
        status=status,
    )
