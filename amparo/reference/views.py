"""The desk's pages for administrators to review and correct the reference data."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, Min
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from amparo.core.staff import Role, staff_required
from amparo.reference import actions, api
from amparo.reference.data import regions
from amparo.reference.forms import (
    ListForm,
    NewTermForm,
    SituationForm,
    StatePartyForm,
    TermForm,
)
from amparo.reference.models import LANGUAGE_CODES, ReferenceList, Situation, StateParty, Term

administrator_required = staff_required(Role.ADMINISTRATOR)


@administrator_required
def index(request: HttpRequest) -> HttpResponse:
    # Aggregation drops Meta.ordering: order explicitly.
    lists = ReferenceList.objects.annotate(term_count=Count("terms")).order_by("position", "code")
    situations = Situation.objects.all()
    today = timezone.localdate()
    return render(
        request,
        "reference/index.html",
        {
            "lists": lists,
            "situations": situations,
            "situations_as_of": situations.aggregate(as_of=Min("as_of"))["as_of"],
            "parties_today": StateParty.objects.parties_on(today).count(),
            "parties_as_of": StateParty.objects.aggregate(oldest=Min("as_of"))["oldest"],
            "today": today,
            "regions_as_of": regions.AS_OF,
            "regions_source": regions.SOURCE,
        },
    )


@administrator_required
def list_detail(request: HttpRequest, list_code: str) -> HttpResponse:
    reference_list = get_object_or_404(ReferenceList, code=list_code)
    terms = list(reference_list.terms.order_by("position", "code"))
    children: dict[int | None, list[Term]] = {}
    for term in terms:
        children.setdefault(term.parent_id, []).append(term)
    rows = []
    for term in children.get(None, []):
        rows.append((term, False))
        rows.extend((child, True) for child in children.get(term.pk, []))
    return render(
        request,
        "reference/list_detail.html",
        {"reference_list": reference_list, "rows": rows, "languages": LANGUAGE_CODES},
    )


@administrator_required
def list_edit(request: HttpRequest, list_code: str) -> HttpResponse:
    reference_list = get_object_or_404(ReferenceList, code=list_code)
    initial = {"as_of": reference_list.as_of, "source": reference_list.source}
    form = ListForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        changed = actions.do_update_list(
            request.user,  # type: ignore[arg-type]
            reference_list,
            as_of=form.cleaned_data["as_of"],
            source=form.cleaned_data["source"],
        )
        _saved(request, changed)
        return redirect("reference:list", list_code=reference_list.code)
    return render(
        request, "reference/list_form.html", {"reference_list": reference_list, "form": form}
    )


@administrator_required
def term_edit(request: HttpRequest, list_code: str, term_id: int) -> HttpResponse:
    term = get_object_or_404(
        Term.objects.select_related("reference_list", "parent"),
        pk=term_id,
        reference_list__code=list_code,
    )
    initial: dict[str, object] = {f"label_{c}": getattr(term, f"label_{c}") for c in LANGUAGE_CODES}
    initial.update(position=term.position, active=term.active)
    form = TermForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        changed = actions.do_update_term(
            request.user,  # type: ignore[arg-type]
            term,
            labels=form.labels(),
            position=form.cleaned_data["position"],
            active=form.cleaned_data["active"],
        )
        _saved(request, changed)
        return redirect("reference:list", list_code=list_code)
    return render(
        request,
        "reference/term_form.html",
        {"reference_list": term.reference_list, "term": term, "form": form},
    )


@administrator_required
def term_add(request: HttpRequest, list_code: str) -> HttpResponse:
    reference_list = get_object_or_404(ReferenceList, code=list_code)
    form = NewTermForm(reference_list, request.POST or None)
    if request.method == "POST" and form.is_valid():
        actions.do_add_term(
            request.user,  # type: ignore[arg-type]
            reference_list,
            code=form.cleaned_data["code"],
            parent=form.cleaned_data["parent"],
            labels=form.labels(),
            position=form.cleaned_data["position"],
            active=form.cleaned_data["active"],
        )
        messages.success(request, _("The term was added."))
        return redirect("reference:list", list_code=list_code)
    return render(
        request,
        "reference/term_form.html",
        {"reference_list": reference_list, "term": None, "form": form},
    )


@administrator_required
def situation_edit(request: HttpRequest, code: str) -> HttpResponse:
    situation = get_object_or_404(Situation, code=code)
    initial: dict[str, object] = {
        f"name_{c}": getattr(situation, f"name_{c}") for c in LANGUAGE_CODES
    }
    initial.update(
        status=situation.status,
        status_date=situation.status_date,
        countries=situation.countries,
        as_of=situation.as_of,
        note=situation.note,
    )
    form = SituationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        changed = actions.do_update_situation(
            request.user,  # type: ignore[arg-type]
            situation,
            names=form.names(),
            status=form.cleaned_data["status"],
            status_date=form.cleaned_data["status_date"],
            countries=form.cleaned_data["countries"],
            as_of=form.cleaned_data["as_of"],
            note=form.cleaned_data["note"],
        )
        _saved(request, changed)
        return redirect("reference:index")
    return render(request, "reference/situation_form.html", {"situation": situation, "form": form})


@administrator_required
def states_parties(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    parties = sorted(
        StateParty.objects.all(), key=lambda party: api.country_name(party.country.code)
    )
    return render(
        request,
        "reference/states_parties.html",
        {
            "parties": [(party, party.is_party_on(today)) for party in parties],
            "in_force": sum(1 for party in parties if party.is_party_on(today)),
            "today": today,
        },
    )


@administrator_required
def state_party_edit(request: HttpRequest, country: str) -> HttpResponse:
    party = get_object_or_404(StateParty, country=country.upper())
    initial = {
        "instrument_deposited": party.instrument_deposited,
        "entry_into_force": party.entry_into_force,
        "withdrawal_notified": party.withdrawal_notified,
        "withdrawal_effective": party.withdrawal_effective,
        "as_of": party.as_of,
        "note": party.note,
    }
    form = StatePartyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        changed = actions.do_update_state_party(
            request.user,  # type: ignore[arg-type]
            party,
            instrument_deposited=form.cleaned_data["instrument_deposited"],
            entry_into_force=form.cleaned_data["entry_into_force"],
            withdrawal_notified=form.cleaned_data["withdrawal_notified"],
            withdrawal_effective=form.cleaned_data["withdrawal_effective"],
            note=form.cleaned_data["note"],
            as_of=form.cleaned_data["as_of"],
        )
        _saved(request, changed)
        return redirect("reference:states_parties")
    return render(
        request,
        "reference/state_party_form.html",
        {"party": party, "country_name": api.country_name(party.country.code), "form": form},
    )


def _saved(request: HttpRequest, changed: list[str]) -> None:
    if changed:
        messages.success(request, _("Your changes were saved."))
    else:
        messages.info(request, _("Nothing was changed."))
