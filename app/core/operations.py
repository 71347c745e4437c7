"""Operations (e.g. a bait-package sting): the rules for their stated plan and their outcome. Pure Python.

The goal and the success measure must be stated before the operation starts, and are locked once it starts: a
change afterwards is not an edit but a revision, with a written reason, kept beside the original (pre-registration:
an operation cannot be declared a success by redefining success afterwards). The outcome — arrests, recoveries,
notes, and a verdict against the stated measure — may be a null result, recorded as plainly as a success.
"""

from __future__ import annotations

from dataclasses import dataclass

PLAN_FIELDS = ("goal", "success_measure")
RESULTS = ("success", "partial", "null", "inconclusive")
RESULT_LABELS = {"": "not recorded", "success": "success (measure met)", "partial": "partly met",
                 "null": "null result (measure not met)", "inconclusive": "inconclusive"}


class OperationError(ValueError):
    """An operation change that the rules do not allow; str() says why and what to do."""


@dataclass(frozen=True)
class PlanCheck:
    locked: bool
    changed: tuple[str, ...]

    @property
    def needs_revision(self) -> bool:
        return self.locked and bool(self.changed)


def is_started(started_on: str, now_iso: str) -> bool:
    """Started once its start date has come (dates compare as ISO text: 'YYYY-MM-DD' ≤ 'YYYY-MM-DDT…')."""
    return bool(started_on) and started_on[:10] <= now_iso[:10]


def check_new(goal: str, success_measure: str, name: str, started_on: str, ended_on: str | None) -> list[str]:
    problems = []
    if not name.strip():
        problems.append("An operation needs a name.")
    if not goal.strip():
        problems.append("State the goal before the operation starts (what it is meant to achieve).")
    if not success_measure.strip():
        problems.append("State the success measure before the operation starts (how you will know it worked, "
                        "e.g. 'arrests for package theft in the area' or 'fewer theft posts than the same weeks "
                        "last year').")
    if not started_on:
        problems.append("An operation needs a start date.")
    if ended_on and started_on and ended_on[:10] < started_on[:10]:
        problems.append(f"The end date {ended_on[:10]} is before the start date {started_on[:10]}.")
    return problems


def check_plan_change(old: dict[str, str], new: dict[str, str], started_on: str, now_iso: str,
                      reason: str = "") -> PlanCheck:
    """Whether a change of goal/success measure is a plain edit (before the start) or needs a revision."""
    changed = tuple(f for f in PLAN_FIELDS if (new.get(f) or "").strip() != (old.get(f) or "").strip())
    locked = is_started(started_on, now_iso)
    for f in changed:
        if not (new.get(f) or "").strip():
            raise OperationError(f"The {f.replace('_', ' ')} cannot be made empty.")
    if locked and changed and not reason.strip():
        raise OperationError("The operation has started: its goal and success measure are locked. A change is a "
                             "revision and needs a reason, which is kept beside the original wording.")
    return PlanCheck(locked, changed)


def check_outcome(result: str, arrests: int, recoveries: int) -> None:
    if result not in ("", *RESULTS):
        raise OperationError(f"Unknown result {result!r}: use one of {', '.join(RESULTS)}.")
    if arrests < 0 or recoveries < 0:
        raise OperationError("Arrests and recoveries cannot be negative.")
