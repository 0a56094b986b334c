"""Searching the cases a person may see, decrypted in the request."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from amparo.accounts import keyring
from amparo.cases import forms as desk_forms
from amparo.cases.actions.reads import audit_search
from amparo.cases.search import search_cases
from amparo.cases.views.common import DESK, sign_in_again, user_of


@DESK
@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
def search(request: HttpRequest) -> HttpResponse:
    """The search form (GET) and its results (POST).

    The words travel only in the body of a POST: a URL would put them in the server's
    and the proxy's access logs, the browser's history and any Referer. A query string
    on a GET is ignored, never searched.
    """
    form = desk_forms.SearchForm(request.POST if request.method == "POST" else None)
    outcome = None
    if form.is_bound and form.is_valid():
        try:
            private_key = keyring.private_key(request)
        except keyring.KeyUnavailable:
            return sign_in_again(request)
        user = user_of(request)
        outcome = search_cases(user, private_key, form.cleaned_data["q"])
        audit_search(user, searched=outcome.searched, found=outcome.found)
    return render(request, "cases/search.html", {"form": form, "outcome": outcome})
