"""States Parties to the Rome Statute, with their treaty dates.

Source: UN Treaty Collection, chapter XVIII.10 (depositary: the UN
Secretary-General), and the Assembly of States Parties' list. Entry into
force follows article 126(2): the first day of the month after the 60th day
following the deposit; for the instruments deposited by 11 April 2002, the
Statute's own entry into force on 1 July 2002. Withdrawal takes effect one
year after the Secretary-General receives the notification (article 127(1)).

Every date here must be checked against the UN Treaty Collection before
production; docs/reference-data.md lists the ones to look at first.
"""

from __future__ import annotations

import datetime
from typing import NamedTuple

#: The facts below are those known on this date (the last one checked: the
#: Venezuelan National Assembly's law of 11 December 2025); see
#: docs/reference-data.md for what was checked against which source.
AS_OF = datetime.date(2025, 12, 11)
SOURCE = "UN Treaty Collection, chapter XVIII.10, Rome Statute of the International Criminal Court."


class PartyData(NamedTuple):
    country: str  # ISO 3166-1 alpha-2
    instrument_deposited: datetime.date
    entry_into_force: datetime.date
    withdrawal_notified: datetime.date | None = None
    withdrawal_effective: datetime.date | None = None
    note: str = ""
    as_of: datetime.date = AS_OF


# country, instrument deposited, entry into force.
_TABLE = """
AF 2003-02-10 2003-05-01
AL 2003-01-31 2003-05-01
AD 2001-04-30 2002-07-01
AG 2001-06-18 2002-07-01
AR 2001-02-08 2002-07-01
AM 2023-11-14 2024-02-01
AU 2002-07-01 2002-09-01
AT 2000-12-28 2002-07-01
BD 2010-03-23 2010-06-01
BB 2002-12-10 2003-03-01
BE 2000-06-28 2002-07-01
BZ 2000-04-05 2002-07-01
BJ 2002-01-22 2002-07-01
BO 2002-06-27 2002-09-01
BA 2002-04-11 2002-07-01
BW 2000-09-08 2002-07-01
BR 2002-06-20 2002-09-01
BG 2002-04-11 2002-07-01
BF 2004-04-16 2004-07-01
BI 2004-09-21 2004-12-01
CV 2011-10-11 2012-01-01
KH 2002-04-11 2002-07-01
CA 2000-07-07 2002-07-01
CF 2001-10-03 2002-07-01
TD 2006-11-01 2007-01-01
CL 2009-06-29 2009-09-01
CO 2002-08-05 2002-11-01
KM 2006-08-18 2006-11-01
CG 2004-05-03 2004-08-01
CK 2008-07-18 2008-10-01
CR 2001-06-07 2002-07-01
CI 2013-02-15 2013-05-01
HR 2001-05-21 2002-07-01
CY 2002-03-07 2002-07-01
CZ 2009-07-21 2009-10-01
CD 2002-04-11 2002-07-01
DK 2001-06-21 2002-07-01
DJ 2002-11-05 2003-02-01
DM 2001-02-12 2002-07-01
DO 2005-05-12 2005-08-01
EC 2002-02-05 2002-07-01
SV 2016-03-03 2016-06-01
EE 2002-01-30 2002-07-01
FJ 1999-11-29 2002-07-01
FI 2000-12-29 2002-07-01
FR 2000-06-09 2002-07-01
GA 2000-09-20 2002-07-01
GM 2002-06-28 2002-09-01
GE 2003-09-05 2003-12-01
DE 2000-12-11 2002-07-01
GH 1999-12-20 2002-07-01
GR 2002-05-15 2002-08-01
GD 2011-05-19 2011-08-01
GT 2012-04-02 2012-07-01
GN 2003-07-14 2003-10-01
GY 2004-09-24 2004-12-01
HN 2002-07-01 2002-09-01
HU 2001-11-30 2002-07-01
IS 2000-05-25 2002-07-01
IE 2002-04-11 2002-07-01
IT 1999-07-26 2002-07-01
JP 2007-07-17 2007-10-01
JO 2002-04-11 2002-07-01
KE 2005-03-15 2005-06-01
KI 2019-11-26 2020-02-01
LV 2002-06-28 2002-09-01
LS 2000-09-06 2002-07-01
LR 2004-09-22 2004-12-01
LI 2001-10-02 2002-07-01
LT 2003-05-12 2003-08-01
LU 2000-09-08 2002-07-01
MG 2008-03-14 2008-06-01
MW 2002-09-19 2002-12-01
MV 2011-09-21 2011-12-01
ML 2000-08-16 2002-07-01
MT 2002-11-29 2003-02-01
MH 2000-12-07 2002-07-01
MU 2002-03-05 2002-07-01
MX 2005-10-28 2006-01-01
MN 2002-04-11 2002-07-01
ME 2006-10-23 2006-06-03
NA 2002-06-25 2002-09-01
NR 2001-11-12 2002-07-01
NL 2001-07-17 2002-07-01
NZ 2000-09-07 2002-07-01
NE 2002-04-11 2002-07-01
NG 2001-09-27 2002-07-01
MK 2002-03-06 2002-07-01
NO 2000-02-16 2002-07-01
PA 2002-03-21 2002-07-01
PY 2001-05-14 2002-07-01
PE 2001-11-10 2002-07-01
PH 2011-08-30 2011-11-01
PL 2001-11-12 2002-07-01
PT 2002-02-05 2002-07-01
KR 2002-11-13 2003-02-01
MD 2010-10-12 2011-01-01
RO 2002-04-11 2002-07-01
KN 2006-08-22 2006-11-01
LC 2010-08-18 2010-11-01
VC 2002-12-03 2003-03-01
WS 2002-09-16 2002-12-01
SM 1999-05-13 2002-07-01
SN 1999-02-02 2002-07-01
RS 2001-09-06 2002-07-01
SC 2010-08-10 2010-11-01
SL 2000-09-15 2002-07-01
SK 2002-04-11 2002-07-01
SI 2001-12-31 2002-07-01
ZA 2000-11-27 2002-07-01
ES 2000-10-24 2002-07-01
PS 2015-01-02 2015-04-01
SR 2008-07-15 2008-10-01
SE 2001-06-28 2002-07-01
CH 2001-10-12 2002-07-01
TJ 2000-05-05 2002-07-01
TL 2002-09-06 2002-12-01
TT 1999-04-06 2002-07-01
TN 2011-06-24 2011-09-01
UG 2002-06-14 2002-09-01
UA 2024-10-25 2025-01-01
GB 2001-10-04 2002-07-01
TZ 2002-08-20 2002-11-01
UY 2002-06-28 2002-09-01
VU 2011-12-02 2012-02-01
VE 2000-06-07 2002-07-01
ZM 2002-11-13 2003-02-01
"""

_SAHEL = (
    "Announced its withdrawal on 22 September 2025, jointly with the other States of the "
    "Alliance of Sahel States, “with immediate effect”. Under article 127(1) a withdrawal "
    "takes effect only one year after the UN Secretary-General receives written "
    "notification; no notification is recorded here (as of 11 December 2025). Check the "
    "UN Treaty Collection and fill in both withdrawal dates once a notification is published."
)

WITHDRAWALS: dict[str, tuple[datetime.date | None, datetime.date | None, str]] = {
    "BI": (
        datetime.date(2016, 10, 27),
        datetime.date(2017, 10, 27),
        "Former State Party: withdrawal effective 27 October 2017.",
    ),
    "PH": (
        datetime.date(2018, 3, 17),
        datetime.date(2019, 3, 17),
        "Former State Party: withdrawal effective 17 March 2019.",
    ),
    "HU": (
        datetime.date(2025, 6, 2),
        datetime.date(2026, 6, 2),
        "Withdrawal notified on 2 June 2025, effective on 2 June 2026.",
    ),
    "BF": (None, None, _SAHEL),
    "ML": (None, None, _SAHEL),
    "NE": (None, None, _SAHEL),
}

NOTES: dict[str, str] = {
    "ME": (
        "Succession: Montenegro is bound from its independence on 3 June 2006; the "
        "notification of succession was deposited on 23 October 2006."
    ),
    "ZA": "Notified withdrawal on 19 October 2016 and revoked it on 7 March 2017.",
    "GM": "Notified withdrawal on 10 November 2016 and revoked it on 10 February 2017.",
    "UA": "Ukraine had accepted the Court's jurisdiction under article 12(3) since 2014.",
    "PS": "Accession; had lodged article 12(3) declarations in 2009 and 2015.",
    "VE": (
        "On 11 December 2025 the National Assembly passed a law repealing the law that "
        "approved the Rome Statute. No notification of withdrawal to the UN Secretary-General "
        "is recorded here (as of 11 December 2025); a withdrawal would take effect one year "
        "after one is received."
    ),
    "AF": (
        "On 20 February 2025 the de facto authorities declared that they recognise no "
        "obligation under the Rome Statute; this is not a notification of withdrawal."
    ),
}


def _parse() -> tuple[PartyData, ...]:
    parties = []
    for line in _TABLE.strip().splitlines():
        country, deposited, in_force = line.split()
        notified, effective, note = WITHDRAWALS.get(country, (None, None, ""))
        parties.append(
            PartyData(
                country,
                datetime.date.fromisoformat(deposited),
                datetime.date.fromisoformat(in_force),
                notified,
                effective,
                " ".join(part for part in (note, NOTES.get(country, "")) if part),
            )
        )
    return tuple(parties)


STATES_PARTIES: tuple[PartyData, ...] = _parse()
