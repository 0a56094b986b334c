from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.urls import translate_url
from django.utils.translation import get_language_info


def desk(request: HttpRequest) -> dict[str, object]:
    """The desk's name and the language switcher, on every page.

    The switcher is a set of plain links to the same page under another
    language prefix, so it works without JavaScript and without a cookie.
    """
    # A page reached by POST can name the page to switch to instead (the
    # receipt, kept for a while, rather than an empty form).
    current = getattr(request, "amparo_switch_path", None) or request.get_full_path()
    languages = []
    for code, _name in settings.LANGUAGES:
        info = get_language_info(code)
        languages.append(
            {
                "code": code,
                "name_local": info["name_local"],
                "bidi": info["bidi"],
                "url": translate_url(current, code),
            }
        )
    return {
        "desk_name": settings.AMPARO_DESK_NAME,
        "quick_exit_url": settings.AMPARO_QUICK_EXIT_URL,
        "switch_languages": languages,
    }
