"""Month names that Django's own catalogs spell in a way the desk does not.

Django's Arabic catalog writes April «إبريل»; the United Nations and the
Court write «أبريل». The apps' catalogs take precedence over Django's, so
these entries (translated in amparo/core/locale) correct every date filter.
French and Spanish keep Django's words.
"""

from django.utils.translation import gettext_noop, pgettext_lazy

CORRECTED = (
    gettext_noop("April"),
    gettext_noop("apr"),
    pgettext_lazy("abbrev. month", "April"),
    pgettext_lazy("alt. month", "April"),
)
