"""The ledger's arithmetic and refusals, on the pure core (no Qt, no store)."""

from __future__ import annotations

import pytest

from app.core.ledger import (
    CREDIT,
    DISTRIBUTION,
    SHIPMENT,
    Entry,
    LedgerRefused,
    balances,
    check_ledger,
    period_of,
    require_consistent,
    units_earned,
)


def ship(i: int, on: str, units: int) -> Entry:
    return Entry(SHIPMENT, i, on, units)


def give(i: int, on: str, units: int = 1, shipment: int | None = None, installed: str | None = None,
         conditional: bool = False) -> Entry:
    return Entry(DISTRIBUTION, i, on, units, shipment, installed, conditional=conditional)


def credit(i: int, on: str, units: int, downloads: int = 0) -> Entry:
    return Entry(CREDIT, i, on, units, downloads=downloads)


def test_running_balances_in_date_order() -> None:
    entries = [give(1, "2024-02-03", 2, 1, installed="2024-02-10"), ship(1, "2024-02-01", 10),
               credit(1, "2024-02-05", 3, 60), give(2, "2024-03-01", 5, 1), ship(2, "2024-03-01T09:00:00Z", 4)]
    b = balances(entries)
    assert [(e.kind, e.id) for e in b.entries] == [(SHIPMENT, 1), (DISTRIBUTION, 1), (CREDIT, 1), (SHIPMENT, 2),
                                                   (DISTRIBUTION, 2)]
    assert b.received.tolist() == [10, 10, 10, 14, 14]
    assert b.earned.tolist() == [0, 0, 3, 3, 3]
    assert b.distributed.tolist() == [0, 2, 2, 2, 7]
    assert b.installed.tolist() == [0, 2, 2, 2, 2]
    assert b.on_hand.tolist() == [10, 8, 8, 12, 7]
    assert b.final() == {"received": 14, "earned": 3, "distributed": 7, "installed": 2, "on_hand": 7}
    assert check_ledger(entries) == []


def test_empty_ledger() -> None:
    assert balances([]).final()["on_hand"] == 0 and check_ledger([]) == []


def test_distributing_more_than_on_hand_is_refused() -> None:
    problems = check_ledger([ship(1, "2024-01-01", 3), give(0, "2024-01-02", 4)])
    assert problems == ["the new distribution of 2024-01-02 hands out 4 units, but only 3 are on hand on 2024-01-02: "
                        "record the shipment first, or correct the count."]
    with pytest.raises(LedgerRefused, match="only 3 are on hand"):
        require_consistent([ship(1, "2024-01-01", 3), give(0, "2024-01-02", 4)])


def test_a_backdated_handout_that_starves_a_later_one_is_refused() -> None:
    base = [ship(1, "2024-01-01", 2), ship(2, "2024-03-01", 1), give(1, "2024-01-10", 2), give(2, "2024-03-02", 1)]
    assert check_ledger(base) == []
    problems = check_ledger([*base, give(0, "2024-02-01", 1)])
    assert len(problems) == 1 and "the new distribution of 2024-02-01" in problems[0] and "only 0 are on hand" in \
        problems[0]


def test_distribution_before_its_shipment_is_refused() -> None:
    problems = check_ledger([ship(1, "2024-05-01", 10), give(0, "2024-04-30", 1, shipment=1)])
    assert any("dated before its shipment arrived (shipment 1 of 2024-05-01)" in p for p in problems)


def test_more_from_one_shipment_than_it_held() -> None:
    problems = check_ledger([ship(1, "2024-01-01", 2), ship(2, "2024-01-01", 10), give(1, "2024-01-05", 3, 1)])
    assert problems == ["Shipment 1 of 2024-01-01 held 2 units, but 3 are recorded as handed out from it."]


def test_same_day_shipment_can_be_handed_out() -> None:
    assert check_ledger([give(1, "2024-01-01", 1, 1), ship(1, "2024-01-01", 1)]) == []


def test_other_refusals() -> None:
    assert "at least 1" in check_ledger([ship(1, "2024-01-01", 0)])[0]
    assert "unknown" not in check_ledger([give(1, "2024-01-01", 1, 9)])[0]
    assert "not in the ledger" in check_ledger([give(1, "2024-01-01", 1, 9)])[0]
    assert "before it was handed out" in check_ledger([ship(1, "2024-01-01", 1),
                                                       give(1, "2024-01-05", 1, 1, installed="2024-01-04")])[0]
    assert "in the future" in check_ledger([ship(1, "2030-01-01", 1)], today="2026-01-01")[0]
    assert "negative" in check_ledger([credit(1, "2024-01-01", 0, -5)])[0]


def test_units_earned_carry_remainders() -> None:
    assert units_earned([25, 25, 30], 20) == [1, 1, 2]
    assert sum(units_earned([19] * 20, 20)) == 19
    assert units_earned([100], None) == [0]
    with pytest.raises(ValueError):
        units_earned([-1], 10)


def test_period_of() -> None:
    assert period_of("2024-03") == "2024-03"
    assert period_of("2024-03-17") == "2024-03"
    with pytest.raises(ValueError, match="not a month"):
        period_of("March")


def test_conditional_flag_kept() -> None:
    b = balances([ship(1, "2024-01-01", 5), give(1, "2024-01-02", 1, 1, conditional=True)])
    assert [e.conditional for e in b.entries] == [False, True]
