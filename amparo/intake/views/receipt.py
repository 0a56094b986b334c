"""The receipt page after a report, in any language, until the person
confirms they wrote the code down by typing its last four digits."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_http_methods

from amparo.intake import emergency, receipt_page
from amparo.intake.desk_texts import desk_texts


@sensitive_post_parameters()
@sensitive_variables()
@csrf_protect
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def received(request: HttpRequest) -> HttpResponse:
    page = receipt_page.read(request)
    if page is None:
        return render(
            request,
            "intake/receipt_gone.html",
            {"minutes": receipt_page.RECEIPT_PAGE_MINUTES},
            status=410,
        )
    problem = ""
    typed = ""
    if request.method == "POST":
        typed = request.POST.get("last4", "")
        digits = receipt_page.last_digits(typed)
        if digits is not None and page["receipt"].replace(" ", "").endswith(digits):
            response = redirect(reverse("intake:thanks") + ("?urgent=1" if page["urgent"] else ""))
            receipt_page.forget(request, response)
            return response
        problem = (
            _("Please type the last 4 digits of your follow-up code.")
            if digits is None
            else _(
                "These are not the last 4 digits of your follow-up code. Please check what "
                "you wrote down: a mistake there would lock you out of your report."
            )
        )
    return render(
        request,
        "intake/received.html",
        {
            **page,
            "texts": desk_texts(),
            "problem": problem,
            "contacts": emergency.contacts_for(page.get("country", "")),
        },
        status=400 if problem else 200,
    )
