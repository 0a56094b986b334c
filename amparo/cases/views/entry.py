"""Entering a report on someone's behalf."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from amparo.cases import answers as answer_text
from amparo.cases import forms as desk_forms
from amparo.cases.actions.common import CaseError
from amparo.cases.actions.create import ConsentChoice, do_enter_on_behalf
from amparo.cases.views.common import DESK, ERRORS, user_of


@DESK
@require_http_methods(["GET", "POST"])
@never_cache
def enter(request: HttpRequest) -> HttpResponse:
    """A report taken by phone or in person, entered by the handler who took it."""
    version, questions = answer_text.answer_fields(answer_text.current_definition())
    form = desk_forms.EnterCaseForm(request.POST or None, questions=questions)
    if request.method == "POST" and form.is_valid():
        user = user_of(request)
        data = form.cleaned_data
        wording = f"desk-entry/{version}"
        consents = [ConsentChoice("store", True, wording)]
        consents += [
            ConsentChoice(scope, bool(data[f"consent_{scope}"]), wording)
            for scope in ("contact", "statistics")
        ]
        try:
            created = do_enter_on_behalf(
                user,
                answers=form.answers(),
                language=data["language"],
                questionnaire_version=version,
                urgency=data["urgency"],
                consents=consents,
                with_receipt=data["wants_receipt"],
            )
        except CaseError as error:
            form.add_error(None, ERRORS[error.code]())
        else:
            if created.receipt:
                # Shown on this response only, never stored or sent anywhere.
                return render(
                    request,
                    "cases/entered.html",
                    {"case": created.case, "receipt": created.receipt},
                )
            messages.success(
                request,
                _("Case %(reference)s was entered.") % {"reference": created.case.reference},
            )
            return redirect("cases:detail", public_id=created.case.public_id)
    return render(request, "cases/enter.html", {"form": form}, status=400 if form.errors else 200)
