"""Emergency contacts for a country and a defender profile (administrators list them)."""

from __future__ import annotations

from amparo.intake.models import EmergencyContact
from amparo.intake.templatetags.desk_text import tel_href
from amparo.lib import process_cache


def contacts_for(country: str = "", profile: str = "") -> list[EmergencyContact]:
    """The active contacts that serve this country and profile, the most specific first.

    A contact without countries serves every country, one without profiles
    every profile; with no country given, only those are shown.
    """
    chosen = []
    for contact in active_contacts():
        if contact.countries and country not in contact.countries:
            continue
        if contact.profiles and profile not in contact.profiles:
            continue
        chosen.append(contact)
    return sorted(
        chosen, key=lambda c: (not c.countries, not c.profiles, c.position, c.name.casefold())
    )


def active_contacts() -> list[EmergencyContact]:
    """Every active contact: one query, then kept per process until a contact changes
    (amparo.lib.process_cache). Shared between requests: not to be changed."""
    return process_cache.remember(
        ("emergency_contacts",), lambda: list(EmergencyContact.objects.filter(active=True))
    )


def link(contact: EmergencyContact) -> str:
    return tel_href(contact.phone) if contact.phone else ""


def filter_choices(
    language: str | None = None,
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The countries and profiles that have contacts of their own, for the danger page's
    small filter (a short list, not all 250 countries)."""
    from amparo.reference import api as reference

    countries: set[str] = set()
    profiles: set[str] = set()
    for contact in active_contacts():
        countries.update(contact.countries)
        profiles.update(contact.profiles)
    country_list = [(c, n) for c, n in reference.country_choices(language) if c in countries]
    profile_list = [
        (c, n) for c, n in reference.choices("defender_profile", language=language) if c in profiles
    ]
    return country_list, profile_list
