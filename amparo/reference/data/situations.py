"""Situations before the International Criminal Court, and preliminary examinations.

Names follow the Court's own wording in each language ("Situation in …").
Countries are ISO 3166-1 alpha-2 codes. Check this list against the Court's
"Situations under investigation" and the Office of the Prosecutor's
"Preliminary examinations" pages before relying on it; see
docs/reference-data.md for what needs verifying.
"""

from __future__ import annotations

import datetime
from typing import NamedTuple

#: The facts below are those known on this date: the Court's factsheet "The
#: Court Today" of 17 December 2024 (12 investigations, 3 preliminary
#: examinations), with later notes dated in their text.
AS_OF = datetime.date(2024, 12, 17)
SOURCE = (
    "International Criminal Court, “The Court Today”, ICC-PIOS-TCT-01-150/24_Eng, "
    "17 December 2024; Office of the Prosecutor, “Preliminary examinations”."
)

INVESTIGATION = "investigation"
INVESTIGATION_COMPLETED = "investigation_completed"
PRELIMINARY_EXAMINATION = "preliminary_examination"

# Not among the investigations of "The Court Today" (17 December 2024).
_COMPLETED = (
    "Investigation phase completed: not among the 12 investigations listed in the Court's "
    "“The Court Today” of 17 December 2024. The date the Office of the Prosecutor "
    "announced it is not recorded here (unverified)."
)
_CLOSED_2022 = (
    "The Prosecutor announced on 16 December 2022 that the investigation phase was "
    "completed; the cases already brought continue."
)


class SituationData(NamedTuple):
    code: str
    en: str
    fr: str
    es: str
    ar: str
    status: str
    countries: tuple[str, ...]
    note: str = ""
    as_of: datetime.date = AS_OF
    # When the status took effect, where a source gives it; None when unverified.
    status_date: datetime.date | None = None


SITUATIONS: tuple[SituationData, ...] = (
    SituationData(
        "uganda",
        "Situation in Uganda",
        "Situation en Ouganda",
        "Situación en Uganda",
        "الحالة في أوغندا",
        INVESTIGATION_COMPLETED,
        ("UG",),
        note=_COMPLETED,
    ),
    SituationData(
        "drc",
        "Situation in the Democratic Republic of the Congo",
        "Situation en République démocratique du Congo",
        "Situación en la República Democrática del Congo",
        "الحالة في جمهورية الكونغو الديمقراطية",
        INVESTIGATION,
        ("CD",),
    ),
    SituationData(
        "car_i",
        "Situation in the Central African Republic",
        "Situation en République centrafricaine",
        "Situación en la República Centroafricana",
        "الحالة في جمهورية أفريقيا الوسطى",
        INVESTIGATION_COMPLETED,
        ("CF",),
        note="Also called “Central African Republic I”. " + _COMPLETED,
    ),
    SituationData(
        "car_ii",
        "Situation in the Central African Republic II",
        "Situation en République centrafricaine II",
        "Situación en la República Centroafricana II",
        "الحالة في جمهورية أفريقيا الوسطى الثانية",
        INVESTIGATION_COMPLETED,
        ("CF",),
        note=_CLOSED_2022,
        status_date=datetime.date(2022, 12, 16),
    ),
    SituationData(
        "darfur",
        "Situation in Darfur, Sudan",
        "Situation au Darfour (Soudan)",
        "Situación en Darfur (Sudán)",
        "الحالة في دارفور، السودان",
        INVESTIGATION,
        ("SD",),
        "Referred by the UN Security Council (resolution 1593 (2005)).",
    ),
    SituationData(
        "kenya",
        "Situation in the Republic of Kenya",
        "Situation en République du Kenya",
        "Situación en la República de Kenya",
        "الحالة في جمهورية كينيا",
        INVESTIGATION_COMPLETED,
        ("KE",),
        note=_COMPLETED,
    ),
    SituationData(
        "libya",
        "Situation in Libya",
        "Situation en Libye",
        "Situación en Libia",
        "الحالة في ليبيا",
        INVESTIGATION,
        ("LY",),
        "Referred by the UN Security Council (resolution 1970 (2011)).",
    ),
    SituationData(
        "cote_d_ivoire",
        "Situation in the Republic of Côte d'Ivoire",
        "Situation en République de Côte d'Ivoire",
        "Situación en la República de Côte d'Ivoire",
        "الحالة في جمهورية كوت ديفوار",
        INVESTIGATION,
        ("CI",),
    ),
    SituationData(
        "mali",
        "Situation in the Republic of Mali",
        "Situation en République du Mali",
        "Situación en la República de Malí",
        "الحالة في جمهورية مالي",
        INVESTIGATION,
        ("ML",),
    ),
    SituationData(
        "georgia",
        "Situation in Georgia",
        "Situation en Géorgie",
        "Situación en Georgia",
        "الحالة في جورجيا",
        INVESTIGATION_COMPLETED,
        ("GE",),
        note=_CLOSED_2022,
        status_date=datetime.date(2022, 12, 16),
    ),
    SituationData(
        "burundi",
        "Situation in the Republic of Burundi",
        "Situation en République du Burundi",
        "Situación en la República de Burundi",
        "الحالة في جمهورية بوروندي",
        INVESTIGATION,
        ("BI",),
        "Burundi's withdrawal from the Rome Statute took effect on 27 October 2017; the "
        "Court keeps jurisdiction over crimes committed while it was a State Party.",
    ),
    SituationData(
        "bangladesh_myanmar",
        "Situation in the People's Republic of Bangladesh/Republic of the Union of Myanmar",
        "Situation en République populaire du Bangladesh/République de l'Union du Myanmar",
        "Situación en la República Popular de Bangladesh/República de la Unión de Myanmar",
        "الحالة في جمهورية بنغلاديش الشعبية/جمهورية اتحاد ميانمار",
        INVESTIGATION,
        ("BD", "MM"),
    ),
    SituationData(
        "afghanistan",
        "Situation in the Islamic Republic of Afghanistan",
        "Situation en République islamique d'Afghanistan",
        "Situación en la República Islámica del Afganistán",
        "الحالة في جمهورية أفغانستان الإسلامية",
        INVESTIGATION,
        ("AF",),
        note=(
            "On 20 February 2025 the de facto authorities declared that they recognise no "
            "obligation under the Rome Statute and that the 2003 accession has no legal "
            "validity. This is a statement, not a notification of withdrawal under article "
            "127: Afghanistan remains a State Party."
        ),
        as_of=datetime.date(2025, 2, 20),
    ),
    SituationData(
        "palestine",
        "Situation in the State of Palestine",
        "Situation dans l'État de Palestine",
        "Situación en el Estado de Palestina",
        "الحالة في دولة فلسطين",
        INVESTIGATION,
        ("PS",),
    ),
    SituationData(
        "philippines",
        "Situation in the Republic of the Philippines",
        "Situation en République des Philippines",
        "Situación en la República de Filipinas",
        "الحالة في جمهورية الفلبين",
        INVESTIGATION,
        ("PH",),
        "The Philippines' withdrawal took effect on 17 March 2019; the Court keeps "
        "jurisdiction over crimes committed while it was a State Party.",
    ),
    SituationData(
        "venezuela_i",
        "Situation in the Bolivarian Republic of Venezuela I",
        "Situation en République bolivarienne du Venezuela I",
        "Situación en la República Bolivariana de Venezuela I",
        "الحالة في جمهورية فنزويلا البوليفارية الأولى",
        INVESTIGATION,
        ("VE",),
        note=(
            "On 11 December 2025 the National Assembly passed a law repealing the law that "
            "approved the Rome Statute. No notification of withdrawal to the UN "
            "Secretary-General (article 127) is recorded here; until one is deposited and a "
            "year has passed, Venezuela remains a State Party."
        ),
        as_of=datetime.date(2025, 12, 11),
    ),
    SituationData(
        "ukraine",
        "Situation in Ukraine",
        "Situation en Ukraine",
        "Situación en Ucrania",
        "الحالة في أوكرانيا",
        INVESTIGATION,
        ("UA",),
    ),
    SituationData(
        "lithuania_belarus",
        "Republic of Lithuania/Republic of Belarus",
        "République de Lituanie/République du Bélarus",
        "República de Lituania/República de Belarús",
        "جمهورية ليتوانيا/جمهورية بيلاروس",
        PRELIMINARY_EXAMINATION,
        ("LT", "BY"),
        "Referred by Lithuania in September 2024.",
    ),
    SituationData(
        "nigeria",
        "Nigeria",
        "Nigéria",
        "Nigeria",
        "نيجيريا",
        PRELIMINARY_EXAMINATION,
        ("NG",),
        "The Office of the Prosecutor concluded in December 2020 that the criteria for "
        "opening an investigation were met; no investigation had been requested as of the "
        "list's date.",
    ),
    SituationData(
        "venezuela_ii",
        "Bolivarian Republic of Venezuela II",
        "République bolivarienne du Venezuela II",
        "República Bolivariana de Venezuela II",
        "جمهورية فنزويلا البوليفارية الثانية",
        PRELIMINARY_EXAMINATION,
        ("VE",),
        "Referred by Venezuela in February 2020.",
    ),
)
