"""Sharing one's cases with a coordinator: sealing copies of the case keys.

Only someone who already holds the keys can do this, while signed in: the
server cannot, by design. The pages sit among the People pages (/staff/share/,
/staff/people/<id>/share/; see ``sharing_urlpatterns`` in amparo/cases/urls.py).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from amparo.accounts import keyring
from amparo.accounts.forms import ShareWithForm
from amparo.accounts.models import User
from amparo.cases.access import live_keys
from amparo.cases.actions.keys import do_share_all_cases
from amparo.cases.people import references_only_held_by
from amparo.cases.views.common import user_of
from amparo.core.redirects import safe_next
from amparo.core.roles import Role
from amparo.core.staff import staff_required


def _shared(request: HttpRequest, granter: User, person: User) -> HttpResponse | None:
    """Share every case ``granter`` holds with ``person``; a redirect to sign in
    again when the session no longer holds the granter's key."""
    try:
        private_key = keyring.private_key(request)
    except keyring.KeyUnavailable:
        messages.error(request, _("Your session has expired. Please sign in again."))
        return redirect("accounts:login")
    count = do_share_all_cases(granter, private_key, person)
    messages.success(
        request,
        ngettext(
            "%(count)d case shared with %(name)s.",
            "%(count)d cases shared with %(name)s.",
            count,
        )
        % {"count": count, "name": person.username},
    )
    return None


@staff_required()
@never_cache
@require_http_methods(["GET", "POST"])
def share_mine(request: HttpRequest) -> HttpResponse:
    """Any staff member seals the cases they hold to a coordinator of their choice.

    This is how the last person able to open some cases hands them on before
    leaving: only they hold the keys, and only while signed in.
    """
    me = user_of(request)
    form = ShareWithForm(request.POST or None, sharer=me)
    if request.method == "POST" and form.is_valid():
        refused = _shared(request, me, form.cleaned_data["coordinator"])
        return refused or redirect(safe_next(request) or "sharing:mine")
    return render(
        request,
        "cases/share_mine.html",
        {
            "form": form,
            "only_mine": references_only_held_by(me),
            "held": live_keys().filter(user=me).count(),
        },
    )


@staff_required(Role.COORDINATOR)
@require_POST
def share_with(request: HttpRequest, user_id: int) -> HttpResponse:
    """Seal every case the signed-in coordinator holds to another coordinator."""
    me = user_of(request)
    person = User.objects.filter(pk=user_id, is_active=True, is_coordinator=True).first()
    if person is None or person.pk == me.pk:
        messages.error(request, _("Cases can be shared only with another active coordinator."))
        return redirect("accounts:people")
    return _shared(request, me, person) or redirect("accounts:people")
