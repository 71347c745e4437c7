"""Operations: the plan is stated before the start and locked after it; outcomes include null results."""

from __future__ import annotations

import pytest

from app.core.operations import OperationError, check_new, check_outcome, check_plan_change, is_started


def test_plan_must_be_stated_before_start() -> None:
    problems = check_new("", "", "Sting", "2026-12-10", None)
    assert any("goal" in p for p in problems) and any("success measure" in p for p in problems)
    assert check_new("Arrests", "3 arrests", "Sting", "2026-12-10", "2026-12-01") == [
        "The end date 2026-12-01 is before the start date 2026-12-10."]
    assert check_new("Arrests", "3 arrests", "Sting", "2026-12-10", None) == []


def test_edit_before_start_is_not_a_revision() -> None:
    c = check_plan_change({"goal": "a", "success_measure": "b"}, {"goal": "a2", "success_measure": "b"},
                          "2026-12-10", "2026-12-01T10:00:00Z")
    assert not c.locked and c.changed == ("goal",) and not c.needs_revision


def test_change_after_start_needs_a_reason() -> None:
    with pytest.raises(OperationError, match="locked"):
        check_plan_change({"goal": "a", "success_measure": "b"}, {"goal": "a", "success_measure": "c"},
                          "2026-12-01", "2026-12-01T10:00:00Z")
    c = check_plan_change({"goal": "a", "success_measure": "b"}, {"goal": "a", "success_measure": "c"},
                          "2026-12-01", "2026-12-05T10:00:00Z", reason="the decoys were moved")
    assert c.needs_revision and c.changed == ("success_measure",)


def test_plan_cannot_be_emptied() -> None:
    with pytest.raises(OperationError, match="cannot be made empty"):
        check_plan_change({"goal": "a", "success_measure": "b"}, {"goal": "", "success_measure": "b"},
                          "2026-12-10", "2026-12-01T00:00:00Z")


def test_started_and_outcome() -> None:
    assert is_started("2026-12-01", "2026-12-01T00:00:01Z") and not is_started("2026-12-02", "2026-12-01T23:59:59Z")
    check_outcome("null", 0, 0)
    with pytest.raises(OperationError):
        check_outcome("great", 0, 0)
    with pytest.raises(OperationError):
        check_outcome("success", -1, 0)
