"""The fr, es and ar catalogs of every app are complete, current and compiled.

The compiled .mo files are committed so that `make run` needs no gettext; these
tests fail when a string was added or changed without `make messages`, when a
translation is missing or fuzzy, or when a .mo lags behind its .po.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

AMPARO = Path(__file__).resolve().parents[2]
APPS = sorted(path.parent for path in AMPARO.glob("*/locale"))
LANGUAGES = ["fr", "es", "ar"]
CATALOGS = [(app, lang) for app in APPS for lang in LANGUAGES]


def catalog(app: Path, lang: str) -> Path:
    return app / "locale" / lang / "LC_MESSAGES" / "django.po"


def test_it_has_catalogs_for_the_apps_with_user_facing_text() -> None:
    names = {app.name for app in APPS}
    assert {"core", "accounts"} <= names


@pytest.mark.parametrize(("app", "lang"), CATALOGS, ids=lambda v: getattr(v, "name", v))
def test_it_translates_every_string(app: Path, lang: str) -> None:
    po = polib.pofile(str(catalog(app, lang)))
    missing = [entry.msgid for entry in po.untranslated_entries()]
    fuzzy = [entry.msgid for entry in po.fuzzy_entries()]
    assert not missing, f"untranslated in {app.name}/{lang}: {missing}"
    assert not fuzzy, f"fuzzy in {app.name}/{lang}: {fuzzy}"


@pytest.mark.parametrize(("app", "lang"), CATALOGS, ids=lambda v: getattr(v, "name", v))
def test_it_fills_every_plural_form_of_the_language(app: Path, lang: str) -> None:
    po = polib.pofile(str(catalog(app, lang)))
    header = po.metadata.get("Plural-Forms", "")
    match = re.search(r"nplurals=(\d+)", header)
    assert match, f"{app.name}/{lang} has no Plural-Forms header"
    nplurals = int(match.group(1))
    for entry in po:
        if entry.msgid_plural and not entry.obsolete:
            forms = [entry.msgstr_plural.get(i, "") for i in range(nplurals)]
            assert all(forms), f"{app.name}/{lang}: {entry.msgid!r} needs {nplurals} plural forms"


@pytest.mark.parametrize(("app", "lang"), CATALOGS, ids=lambda v: getattr(v, "name", v))
def test_it_has_compiled_the_catalog(app: Path, lang: str, tmp_path: Path) -> None:
    if not shutil.which("msgfmt"):
        pytest.skip("needs gettext's msgfmt (apt-get install gettext)")
    po = catalog(app, lang)
    fresh = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check-format", "-o", str(fresh), str(po)], check=True)
    assert fresh.read_bytes() == po.with_suffix(".mo").read_bytes(), (
        f"{po.with_suffix('.mo')} is stale: run `make messages`"
    )


@pytest.mark.parametrize("app", APPS, ids=lambda v: v.name)
def test_it_has_no_stale_catalog(app: Path, tmp_path: Path) -> None:
    if not shutil.which("xgettext"):
        pytest.skip("needs gettext's xgettext (apt-get install gettext)")
    copy = tmp_path / app.name
    shutil.copytree(app, copy, ignore=shutil.ignore_patterns("__pycache__"))
    django_admin = Path(sys.executable).with_name("django-admin")
    subprocess.run(
        [
            str(django_admin),
            "makemessages",
            "-l",
            "fr",
            "--no-obsolete",
            "--no-location",
            "-v",
            "0",
        ],
        cwd=copy,
        check=True,
    )
    extracted = {e.msgid for e in polib.pofile(str(catalog(copy, "fr"))) if not e.obsolete}
    committed = {e.msgid for e in polib.pofile(str(catalog(app, "fr"))) if not e.obsolete}
    assert extracted - committed == set(), f"new strings not in {app.name}: run `make messages`"
    assert committed - extracted == set(), f"obsolete strings in {app.name}: run `make messages`"
