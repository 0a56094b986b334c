"""UN M49 regions, and the region of each ISO 3166-1 country.

Babel's copy of CLDR has no territory containment (``get_global(
"territory_containment")`` is empty in Babel 2.x), and CLDR names some
regions differently from the UN ("Latin America" for 419), so Amparo ships
this dated extract of the UN Statistics Division's "Standard country or area
codes for statistical use (M49)", with the UN's own region names.

The Americas are split the way the M49 intermediate level splits them: Latin
America and the Caribbean (419) and Northern America (021); ``region_for``
can fold both into the Americas (019).
"""

from __future__ import annotations

import datetime

#: When the M49 extract was last checked.
AS_OF = datetime.date(2025, 9, 30)
SOURCE = "UN Statistics Division, Standard country or area codes for statistical use (M49)."

AFRICA = "002"
AMERICAS = "019"
LATIN_AMERICA_CARIBBEAN = "419"
NORTHERN_AMERICA = "021"
ASIA = "142"
EUROPE = "150"
OCEANIA = "009"

#: Region names as the M49 standard gives them in each language.
REGION_NAMES: dict[str, dict[str, str]] = {
    AFRICA: {"en": "Africa", "fr": "Afrique", "es": "África", "ar": "أفريقيا"},
    AMERICAS: {"en": "Americas", "fr": "Amériques", "es": "Américas", "ar": "الأمريكتان"},
    LATIN_AMERICA_CARIBBEAN: {
        "en": "Latin America and the Caribbean",
        "fr": "Amérique latine et Caraïbes",
        "es": "América Latina y el Caribe",
        "ar": "أمريكا اللاتينية ومنطقة البحر الكاريبي",
    },
    NORTHERN_AMERICA: {
        "en": "Northern America",
        "fr": "Amérique septentrionale",
        "es": "América septentrional",
        "ar": "أمريكا الشمالية",
    },
    ASIA: {"en": "Asia", "fr": "Asie", "es": "Asia", "ar": "آسيا"},
    EUROPE: {"en": "Europe", "fr": "Europe", "es": "Europa", "ar": "أوروبا"},
    OCEANIA: {"en": "Oceania", "fr": "Océanie", "es": "Oceanía", "ar": "أوقيانوسيا"},
}

# Grouped by M49 sub-region, in the standard's order.
_MEMBERS: dict[str, str] = {
    AFRICA: """
        DZ EG LY MA SD TN EH
        IO BI KM DJ ER ET TF KE MG MW MU YT MZ RE RW SC SO SS UG TZ ZM ZW
        AO CM CF TD CG CD GQ GA ST
        BW SZ LS NA ZA
        BJ BF CV CI GM GH GN GW LR ML MR NE NG SH SN SL TG
    """,
    LATIN_AMERICA_CARIBBEAN: """
        AI AG AW BS BB BQ VG KY CU CW DM DO GD GP HT JM MQ MS PR BL KN LC MF VC SX TT TC VI
        BZ CR SV GT HN MX NI PA
        AR BO BV BR CL CO EC FK GF GY PY PE GS SR UY VE
    """,
    NORTHERN_AMERICA: "BM CA GL PM US",
    ASIA: """
        KZ KG TJ TM UZ
        CN HK MO KP JP MN KR TW
        BN KH ID LA MY MM PH SG TH TL VN
        AF BD BT IN IR MV NP PK LK
        AM AZ BH CY GE IQ IL JO KW LB OM QA SA PS SY TR AE YE
    """,
    EUROPE: """
        BY BG CZ HU PL MD RO RU SK UA
        AX DK EE FO FI GG IS IE IM JE LV LT NO SJ SE GB
        AL AD BA HR GI GR VA IT MT ME MK PT SM RS SI ES
        AT BE FR DE LI LU MC NL CH
    """,
    OCEANIA: """
        AU CX CC HM NZ NF
        FJ NC PG SB VU
        GU KI MH FM NR MP PW UM
        AS CK PF NU PN WS TK TO TV WF
    """,
}

#: ISO 3166-1 alpha-2 → M49 region, with the Americas split (419 / 021).
#: Taiwan is not listed separately in M49; it is placed in Asia. Antarctica
#: (AQ) belongs to no M49 region and is absent on purpose.
COUNTRY_REGION: dict[str, str] = {
    country: region for region, members in _MEMBERS.items() for country in members.split()
}
