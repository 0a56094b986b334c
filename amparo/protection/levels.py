"""The risk level: likelihood x impact, with the two ways a person may depart from it.

Method (docs/protection.md): risk = threats x vulnerabilities / capacities
(Protection International). The handler weighs the threats against the
vulnerabilities and capacities and judges two things: how likely the threat
is to be carried out (likelihood) and how grave it would be (impact). The
table below turns those two judgements into a level, so that the same
judgement always gives the same level and the page can show how it was reached.

- "Clear and present danger" makes the level critical whatever the table says.
- Any other departure from the table needs a written reason.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


class Likelihood(models.IntegerChoices):
    UNLIKELY = 1, _("Unlikely")
    POSSIBLE = 2, _("Possible")
    LIKELY = 3, _("Likely")
    ALMOST_CERTAIN = 4, _("Almost certain")


class Impact(models.IntegerChoices):
    MINOR = 1, _("Minor")
    MODERATE = 2, _("Moderate")
    SERIOUS = 3, _("Serious")
    GRAVE = 4, _("Grave (life, liberty or physical integrity)")


class Basis(models.TextChoices):
    """How the level was reached."""

    COMPUTED = "computed", _("From likelihood and impact")
    CLEAR_AND_PRESENT = "clear_and_present", _("Clear and present danger")
    OVERRIDE = "override", _("Set by the person assessing, with a reason")


L, M, H, C = Level.LOW, Level.MEDIUM, Level.HIGH, Level.CRITICAL

#: LEVEL_TABLE[likelihood][impact]. A grave impact is never below high once it
#: is possible; an almost certain serious harm is critical.
LEVEL_TABLE: dict[int, dict[int, Level]] = {
    Likelihood.UNLIKELY: {Impact.MINOR: L, Impact.MODERATE: L, Impact.SERIOUS: M, Impact.GRAVE: M},
    Likelihood.POSSIBLE: {Impact.MINOR: L, Impact.MODERATE: M, Impact.SERIOUS: M, Impact.GRAVE: H},
    Likelihood.LIKELY: {Impact.MINOR: M, Impact.MODERATE: M, Impact.SERIOUS: H, Impact.GRAVE: C},
    Likelihood.ALMOST_CERTAIN: {
        Impact.MINOR: M,
        Impact.MODERATE: H,
        Impact.SERIOUS: C,
        Impact.GRAVE: C,
    },
}

#: Order for sorting and comparing ("at least high").
RANK = {L: 1, M: 2, H: 3, C: 4}


class LevelError(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Decision:
    level: Level
    computed: Level
    basis: Basis


def computed_level(likelihood: int, impact: int) -> Level:
    try:
        return LEVEL_TABLE[Likelihood(likelihood)][Impact(impact)]
    except ValueError:
        raise LevelError("bad_scale") from None


def decide(
    likelihood: int,
    impact: int,
    *,
    clear_and_present: bool = False,
    chosen: str | None = None,
    reason: str = "",
) -> Decision:
    """The level and how it was reached; raises LevelError when the rules refuse.

    ``chosen`` is the level the person set, or None/"" to take the table's.
    """
    computed = computed_level(likelihood, impact)
    chosen_level = Level(chosen) if chosen else None
    if clear_and_present:
        if chosen_level not in (None, Level.CRITICAL):
            raise LevelError("clear_and_present_is_critical")
        return Decision(Level.CRITICAL, computed, Basis.CLEAR_AND_PRESENT)
    if chosen_level is None or chosen_level == computed:
        return Decision(computed, computed, Basis.COMPUTED)
    if not reason.strip():
        raise LevelError("override_reason_required")
    return Decision(chosen_level, computed, Basis.OVERRIDE)


def review_days(level: str) -> int:
    """Days until the re-assessment is due by default (AMPARO_REASSESSMENT_DAYS)."""
    return int(settings.AMPARO_REASSESSMENT_DAYS[Level(level)])


def default_review_on(level: str, today: datetime.date) -> datetime.date:
    return today + datetime.timedelta(days=review_days(level))
