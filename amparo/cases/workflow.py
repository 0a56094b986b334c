"""The stage workflow of DESIGN.md: which moves are allowed, and what each needs.

    received → acknowledged → under assessment → (not a reprisal / duplicate | assessed)
             → response in progress → monitoring → closed (with a yearly follow-up flag)

A move not listed here is refused. Moves that end or undo work (closing,
"not a reprisal", re-opening) need a written reason, kept encrypted in the
stage history; "duplicate" needs the original case; "assessed" needs a
current risk assessment (checked by amparo.protection, registered below). Re-opening a closed case
is for coordinators, who supervise what the desk has finished.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from amparo.cases.models import Case, Stage

#: Stages in which a report is still an allegation: not yet assessed.
ALLEGATION_STAGES = frozenset({Stage.RECEIVED, Stage.ACKNOWLEDGED, Stage.UNDER_ASSESSMENT})
#: Stages the inbox leaves out unless asked: the desk's work there is done.
FINISHED_STAGES = frozenset({Stage.NOT_A_REPRISAL, Stage.DUPLICATE, Stage.CLOSED})


@dataclass(frozen=True)
class Transition:
    to: Stage
    needs_reason: bool = False
    needs_original: bool = False
    coordinator_only: bool = False
    #: Closing may set the yearly follow-up flag.
    offers_follow_up: bool = False
    #: The name of a registered requirement the case must meet (see register_requirement).
    requires: str = ""


#: Checks other apps register (in their AppConfig.ready) so that this module
#: need not import them: name -> function(case) -> bool.
_REQUIREMENTS: dict[str, Callable[[Case], bool]] = {}


def register_requirement(name: str, check: Callable[[Case], bool]) -> None:
    _REQUIREMENTS[name] = check


def meets_requirement(case: Case, name: str) -> bool:
    """Whether ``case`` meets the named requirement; an unregistered one is never met,
    so that a missing app refuses the move rather than letting it through."""
    if not name:
        return True
    check = _REQUIREMENTS.get(name)
    return check is not None and check(case)


def _reopen(to: Stage, *, coordinator_only: bool = False) -> Transition:
    return Transition(to, needs_reason=True, coordinator_only=coordinator_only)


TRANSITIONS: dict[Stage, tuple[Transition, ...]] = {
    Stage.RECEIVED: (
        Transition(Stage.ACKNOWLEDGED),
        Transition(Stage.DUPLICATE, needs_original=True),
    ),
    Stage.ACKNOWLEDGED: (
        Transition(Stage.UNDER_ASSESSMENT),
        Transition(Stage.DUPLICATE, needs_original=True),
    ),
    Stage.UNDER_ASSESSMENT: (
        Transition(Stage.ASSESSED, requires="current_assessment"),
        Transition(Stage.NOT_A_REPRISAL, needs_reason=True),
        Transition(Stage.DUPLICATE, needs_original=True),
    ),
    Stage.ASSESSED: (
        Transition(Stage.RESPONSE_IN_PROGRESS),
        Transition(Stage.MONITORING),
        Transition(Stage.CLOSED, needs_reason=True, offers_follow_up=True),
    ),
    Stage.RESPONSE_IN_PROGRESS: (
        Transition(Stage.MONITORING),
        Transition(Stage.CLOSED, needs_reason=True, offers_follow_up=True),
    ),
    Stage.MONITORING: (
        Transition(Stage.CLOSED, offers_follow_up=True),
        # The threat came back: act again.
        _reopen(Stage.RESPONSE_IN_PROGRESS),
    ),
    Stage.NOT_A_REPRISAL: (_reopen(Stage.UNDER_ASSESSMENT),),
    Stage.DUPLICATE: (_reopen(Stage.UNDER_ASSESSMENT),),
    Stage.CLOSED: (_reopen(Stage.UNDER_ASSESSMENT, coordinator_only=True),),
}


def transitions_from(stage: str, *, is_coordinator: bool) -> tuple[Transition, ...]:
    """The moves this person may make from ``stage``, in the order to offer them."""
    return tuple(
        t for t in TRANSITIONS.get(Stage(stage), ()) if is_coordinator or not t.coordinator_only
    )


def find_transition(stage: str, to: str, *, is_coordinator: bool) -> Transition | None:
    """The allowed move from ``stage`` to ``to``, or None when it is not allowed."""
    for transition in transitions_from(stage, is_coordinator=is_coordinator):
        if transition.to == to:
            return transition
    return None


def is_allegation(stage: str) -> bool:
    return stage in ALLEGATION_STAGES


# Shown next to each move, so a handler knows before submitting what it needs.
REQUIREMENT_HELP = {
    "reason": _("Give a reason: it is kept, encrypted, in the stage history."),
    "original": _("Give the reference of the original case, e.g. AMP-2026-0042."),
    "current_assessment": _("Record a risk assessment first."),
}
