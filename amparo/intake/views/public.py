"""The pages without forms: landing, danger, thanks, and the quick exit."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from amparo.intake import emergency, receipt_page, reporter_session
from amparo.intake.desk_texts import desk_texts


@require_safe
def landing(request: HttpRequest) -> HttpResponse:
    return render(request, "intake/landing.html", {"texts": desk_texts()})


@require_safe
def thanks(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "intake/thanks.html",
        {
            "texts": desk_texts(),
            "urgent": request.GET.get("urgent") == "1",
            "contacts": emergency.contacts_for(),
        },
    )


@never_cache
@require_safe
def quick_exit(request: HttpRequest) -> HttpResponse:
    """Leave for the neutral site, ending any follow-up session on the way."""
    response = HttpResponseRedirect(settings.AMPARO_QUICK_EXIT_URL)
    if reporter_session.active(request):
        reporter_session.end(request, response)
    if receipt_page.holds(request):
        receipt_page.forget(request, response)
    return response
