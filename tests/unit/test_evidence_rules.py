"""Pure evidence rules with an injected clock: retention, purge eligibility, grace, holds, clock offset, names."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from app.core import evidence as rules

T0 = datetime(2026, 1, 10, 9, tzinfo=timezone.utc)


def test_retention_keeps_the_longest_period_and_waits_for_open_requests() -> None:
    assert rules.retention_due([T0], 90) == T0 + timedelta(days=90)
    assert rules.retention_due([T0, T0 + timedelta(days=30)], 90) == T0 + timedelta(days=120)
    assert rules.retention_due([T0, None], 90) is None
    assert rules.retention_due([], 90) is None


def state(**kw: object) -> rules.PurgeState:
    base = dict(item_id=1, retention_due=T0, consent_withdrawn=False, held=False, marked_at=None, purged=False)
    base.update(kw)
    return rules.PurgeState(**base)  # type: ignore[arg-type]


def test_purge_candidate_and_grace_period() -> None:
    assert rules.purge_candidate(state(), T0 - timedelta(seconds=1)) is None
    assert rules.purge_candidate(state(), T0) == "retention"
    assert rules.purge_candidate(state(held=True), T0 + timedelta(days=400)) is None
    assert rules.purge_candidate(state(retention_due=None, consent_withdrawn=True), T0) == "consent_withdrawn"
    assert rules.purge_candidate(state(retention_due=None, consent_withdrawn=True, held=True), T0) is None
    marked = state(marked_at=T0)
    assert rules.purge_candidate(marked, T0 + timedelta(days=1)) is None  # already marked
    assert not rules.may_remove(marked, T0 + timedelta(days=7) - timedelta(seconds=1))
    assert rules.may_remove(marked, T0 + timedelta(days=7))
    assert not rules.may_remove(state(marked_at=T0, held=True), T0 + timedelta(days=30))


def test_hold_review_and_weekly_verification() -> None:
    assert not rules.hold_overdue(date(2026, 1, 10), False, T0)
    assert rules.hold_overdue(date(2026, 1, 9), False, T0)
    assert not rules.hold_overdue(date(2026, 1, 9), True, T0)
    assert rules.verification_due(None, T0)
    assert not rules.verification_due(T0 - timedelta(days=6), T0)
    assert rules.verification_due(T0 - timedelta(days=7), T0)


def test_clock_offset_corrects_the_recorder_time() -> None:
    shown, true = T0 + timedelta(minutes=3, seconds=12), T0
    offset = rules.clock_offset_s(shown, true)
    assert offset == 192.0
    assert rules.corrected(shown, offset) == true
    assert rules.corrected(rules.recorder_time(shown, 10.0), offset) == true + timedelta(seconds=10)
    assert rules.describe_offset(192.0) == "recorder clock 3 min 12 s fast"
    assert rules.describe_offset(-3600) == "recorder clock 1 h 0 min 0 s slow"


@pytest.mark.parametrize(("name", "safe"), [
    ("../../etc/passwd", "passwd"), ("..\\..\\boot.ini", "boot.ini"), (".hidden", "hidden"),
    ("café clip (1).MP4", "cafe_clip_1_.MP4"), ("", "file"), ("...", "file"), ("a/b/c.mp4", "c.mp4"),
    ("x" * 200 + ".mp4", "x" * 76 + ".mp4"), ("nul\x00byte.mov", "nul_byte.mov"),
])
def test_safe_names(name: str, safe: str) -> None:
    assert rules.safe_name(name) == safe


def test_stored_path_is_the_hash_with_a_plain_extension() -> None:
    h = "ab" + "0" * 62
    assert rules.stored_relpath(h, "Front door.MP4") == f"ab/{h}.mp4"
    assert rules.stored_relpath(h, "evil.mp4/../../x") == f"ab/{h}"
    assert rules.stored_relpath(h, "noext") == f"ab/{h}"
    assert rules.stored_relpath(h, "weird.ex t") == f"ab/{h}"
    with pytest.raises(ValueError):
        rules.stored_relpath("../" + "0" * 61, "x.mp4")
