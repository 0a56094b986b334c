"""What the apps above accounts add to the staff pages' navigation and to the
desk's home page.

The staff base template (staff_base.html) and the home page
(accounts/home.html) belong to accounts; the inbox and search (cases),
retention (operations), statistics (reports) and referrals (referrals) belong
to apps above it. Each registers its entries when Django starts (its
``AppConfig.ready``) and the accounts templates render what is registered
(``{% load staff_pages %}``), so accounts includes no template of an app
above it (amparo/tests/test_template_layers.py). The same shape as the case
page's sections (amparo/cases/page_sections.py).

An entry is a template rendered in the page's own context, as an
``{% include %}`` would be (``user`` and ``request`` are there): it shows
nothing to a person who may not use it. Entries show in ``order``, not in
the order the apps start, so the navigation stays in the order staff know.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

#: The staff navigation bar, or the list of links on the desk's home page.
Place = Literal["nav", "home"]
PLACES: tuple[Place, ...] = ("nav", "home")


@dataclass(frozen=True)
class Entry:
    name: str
    place: Place
    template: str
    order: int


_registered: dict[str, Entry] = {}


def register(*entries: Entry) -> None:
    for entry in entries:
        known = _registered.get(entry.name)
        if known is not None and known != entry:
            raise RuntimeError(f"two staff page entries are called {entry.name!r}")
        _registered[entry.name] = entry


def entries(place: Place) -> list[Entry]:
    """The entries of ``place``, by order."""
    found = [entry for entry in _registered.values() if entry.place == place]
    return sorted(found, key=lambda entry: (entry.order, entry.name))
