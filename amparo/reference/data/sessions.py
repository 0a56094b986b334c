"""Sessions of the Assembly of States Parties, dated and sourced.

Each entry says where its facts come from and whether they were confirmed by
the Assembly's or the Court's own record of the session as held
(``verified``), or only by an announcement or a secondary source. Nothing is
guessed: a fact no source gave is left out and the note says so. Sources are
listed in docs/reference-data.md. Places are given in the four languages.
"""

from __future__ import annotations

import datetime
from typing import NamedTuple

#: When this list was last checked against its sources.
AS_OF = datetime.date(2026, 11, 30)

THE_HAGUE = ("The Hague", "La Haye", "La Haya", "لاهاي")
NEW_YORK = ("New York", "New York", "Nueva York", "نيويورك")
THE_HAGUE_NEW_YORK = (
    "The Hague and New York",
    "La Haye et New York",
    "La Haya y Nueva York",
    "لاهاي ونيويورك",
)


class SessionData(NamedTuple):
    code: str
    number: int | None  # None for a special session
    special: bool
    place: tuple[str, str, str, str]  # en, fr, es, ar
    start: datetime.date
    end: datetime.date
    verified: bool
    source: str
    note: str = ""


D = datetime.date

SESSIONS: tuple[SessionData, ...] = (
    SessionData(
        "asp19",
        19,
        False,
        THE_HAGUE_NEW_YORK,
        D(2020, 12, 14),
        D(2020, 12, 23),
        True,
        "Assembly press release of 24 December 2020 (PR1558), concluding the session.",
        "The Hague 14-16 December (partly remote), resumed in New York 18-23 December 2020.",
    ),
    SessionData(
        "asp20",
        20,
        False,
        THE_HAGUE,
        D(2021, 12, 6),
        D(2021, 12, 11),
        False,
        "Court press release at the opening, 6 December 2021 (as republished).",
        "Scheduled dates; partly remote. The closing date was not confirmed from a "
        "record of the session as held.",
    ),
    SessionData(
        "asp21",
        21,
        False,
        THE_HAGUE,
        D(2022, 12, 5),
        D(2022, 12, 10),
        False,
        "JURIST dispatch of 5 December 2022 (scheduled 5-10 December); Coalition for "
        "the ICC summary (held 5-9 December).",
        "Sources differ on the last day (9 or 10 December): the wider span is kept.",
    ),
    SessionData(
        "asp22",
        22,
        False,
        NEW_YORK,
        D(2023, 12, 4),
        D(2023, 12, 14),
        True,
        "Assembly press release concluding the twenty-second session "
        "(United Nations Headquarters, 4-14 December 2023).",
    ),
    SessionData(
        "asp23",
        23,
        False,
        THE_HAGUE,
        D(2024, 12, 2),
        D(2024, 12, 6),
        True,
        "Court press release of 6 December 2024 concluding the twenty-third session "
        "(World Forum, 2-6 December 2024; scheduled until 7 December).",
    ),
    SessionData(
        "asp-s1",
        None,
        True,
        NEW_YORK,
        D(2025, 7, 7),
        D(2025, 7, 9),
        True,
        "Assembly press release of 10 July 2025 (three-day special session at United "
        "Nations Headquarters); dates from the Nuremberg Academy's commentary.",
        "First special session: review of the amendments on the crime of aggression.",
    ),
    SessionData(
        "asp24",
        24,
        False,
        THE_HAGUE,
        D(2025, 12, 1),
        D(2025, 12, 5),
        False,
        "The Court's closing statement as relayed by Europe and Arabs, 8 December 2025 "
        "(held 1-5 December 2025, World Forum).",
        "The Court's own press release was not consulted; another secondary source "
        "announced 1-6 December.",
    ),
)
