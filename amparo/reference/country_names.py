"""Country names that must read as the Court and the United Nations write them.

django-countries follows ISO 3166 and its translators: "Congo (the Democratic
Republic of the)", «Costa de Marfil», «ساحل العاج», «أسبانيا». A defender
who picks a country and then a situation must see the same name in both
lists, in every language, so these few names are the UN's short names
(settings.COUNTRIES_OVERRIDE; translated in amparo/reference/locale, whose
catalog takes precedence over django-countries'). A test checks that every
situation's name contains its countries' names.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

OVERRIDES = {
    "BD": _("Bangladesh"),
    "BY": _("Belarus"),
    "CD": _("Democratic Republic of the Congo"),
    "CF": _("Central African Republic"),
    "CI": _("Côte d'Ivoire"),
    "ES": _("Spain"),
    "KE": _("Kenya"),
    "MM": _("Myanmar"),
    "NG": _("Nigeria"),
    "PH": _("Philippines"),
    "PS": _("State of Palestine"),
}
