"""Request files: the responses CSV (validated whole, line errors), the mail-merge CSV and letter text, the public
log exports; and the service import writing all or nothing."""

from __future__ import annotations

import csv
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from app.core.public_log import PublicLogEntry
from app.core.records import RecipientState
from app.io.outreach_csv import COLUMNS, RequestFacts, letter_paragraphs, write_outreach_csv
from app.io.public_log_export import public_log_html, write_public_log_csv
from app.io.responses_csv import parse_responses
from app.services.requests import outreach
from app.services.requests import workflow as svc
from app.services.requests.recipients import Notice
from app.store import requests as store
from app.store.db import open_store
from tests.request_world import GOOD_FENCE, NOW, build_world

RECIPIENTS = {101: 1, 102: 2, 103: 3}


def write(tmp_path: Path, text: str, name: str = "answers.csv") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_good_file_with_aliases_and_times(tmp_path: Path) -> None:
    p = write(tmp_path, "Neighbor_No,Response,opt_out,responded_at\n"
                        "101,Shared,,2026-05-31\n"
                        "Neighbor #102,no footage,no,2026-05-31T10:00:00Z\n"
                        "R7-N103,NO  RESPONSE,yes,\n")
    f = parse_responses(p, RECIPIENTS, NOW)
    assert f.ok and f.errors == []
    assert [(r.line, r.owner_id, r.state, r.opt_out) for r in f.rows] == [
        (2, 1, RecipientState.SHARED, False), (3, 2, RecipientState.NO_FOOTAGE, False),
        (4, 3, RecipientState.NO_RESPONSE, True)]
    assert f.rows[0].responded_at == datetime(2026, 5, 31, tzinfo=timezone.utc)
    assert f.rows[2].responded_at is None   # "no response" has no answer time


def test_every_bad_row_is_reported_with_its_line(tmp_path: Path) -> None:
    p = write(tmp_path, "neighbor_no,response,opt_out,responded_at\n"
                        "101,shared,,\n"
                        "abc,declined,,\n"
                        "999,declined,,\n"
                        "101,declined,,\n"
                        "102,perhaps,maybe,\n"
                        "\n"
                        "103,declined,,2099-01-01\n"
                        "103,declined,,yesterday\n"
                        "103,declined\n")
    f = parse_responses(p, RECIPIENTS, NOW)
    assert not f.ok
    by_line = {e.line: e.reason for e in f.errors}
    assert sorted(by_line) == [3, 4, 5, 6, 8, 9, 10]
    assert "not a neighbor number" in by_line[3]
    assert "was not sent this request" in by_line[4]
    assert "already answered on line 2" in by_line[5]
    assert "not an answer" in by_line[6] and "must be yes or no" in by_line[6]
    assert "in the future" in by_line[8]
    assert "not a date" in by_line[9]
    assert "2 fields" in by_line[10]


@pytest.mark.parametrize(("text", "reason"), [
    ("", "empty"), ("owner,answer\n1,shared\n", "no “neighbor_no” column"), ("neighbor_no,response\n", "no answers"),
])
def test_unusable_files(tmp_path: Path, text: str, reason: str) -> None:
    f = parse_responses(write(tmp_path, text), RECIPIENTS, NOW)
    assert not f.ok and reason in f.errors[0].reason


def test_non_utf8_file_is_refused_with_advice(tmp_path: Path) -> None:
    p = tmp_path / "latin1.csv"
    p.write_bytes("neighbor_no,response\n101,déclined\n".encode("latin-1"))
    f = parse_responses(p, RECIPIENTS, NOW)
    assert not f.ok and "UTF-8" in f.errors[0].reason


FACTS = RequestFacts(4, "BPD-14-000123", "Baltimore Police Department", "robbery", "A robbery on the corner",
                     "2026-06-01 07:00 UTC", "2026-06-01 09:00 UTC", "2026-06-08 12:00 UTC", "Det. Smith")


def test_letter_says_what_why_window_voluntary_decline_and_opt_out() -> None:
    text = " ".join(letter_paragraphs(FACTS, "Alice Adams", 17, 2))
    for needed in ("Dear Alice Adams", "your 2 cameras", "2026-06-01 07:00 UTC", "2026-06-01 09:00 UTC",
                   "BPD-14-000123", "A robbery on the corner", "voluntary", "decline R4-N17", "opt out R4-N17",
                   "future requests", "public request log"):
        assert needed in text, needed


def test_outreach_csv_one_row_per_notice(tmp_path: Path) -> None:
    notices = [Notice(1, 17, "Alice Adams", "a@example.org", "555", "1 Main St", "email", 2),
               Notice(2, 18, "Bob, Jr.", "", "", "2 \"Main\" St", "mail", 1)]
    path = tmp_path / "n.csv"
    assert write_outreach_csv(path, FACTS, notices) == 2
    rows = list(csv.DictReader(path.read_text(encoding="utf-8").splitlines()))
    assert list(rows[0]) == COLUMNS
    assert rows[1]["display_name"] == "Bob, Jr." and rows[1]["address"] == '2 "Main" St'
    assert rows[0]["reply_code"] == "R4-N17" and "opt out R4-N17" in rows[0]["how_to_opt_out"]
    assert not list(tmp_path.glob("*.part"))


def test_public_log_exports_escape_and_carry_no_names(tmp_path: Path) -> None:
    e = PublicLogEntry(1, "<script>", "Agency & Co", "robbery", 39.29, -76.61, 300.0, "2026-06-01T07:00:00Z",
                       "2026-06-01T09:00:00Z", "2026-06-01T12:00:00Z", "2026-06-08T12:00:00Z", "", "sent", 4, 1, 2, 0)
    page = public_log_html([e])
    assert "&lt;script&gt;" in page and "<script>" not in page and "Agency &amp; Co" in page
    path = tmp_path / "log.csv"
    write_public_log_csv(path, [e])
    row = next(csv.DictReader(path.read_text(encoding="utf-8").splitlines()))
    assert row["case_number"] == "<script>" and row["radius_m"] == "300.0" and row["declined"] == "2"


def test_import_writes_all_or_nothing(tmp_path: Path) -> None:
    conn = open_store(tmp_path / "s.sqlite3")
    try:
        w = build_world(conn)
        ana, sam = w.session("ana"), w.session("sam")
        d = svc.DraftInput(w.agency_id, "BPD-14-000123", w.incident_id, "robbery", GOOD_FENCE,
                           NOW - timedelta(hours=5), NOW - timedelta(hours=3))
        rid = svc.create_draft(ana, d, now=NOW)
        with pytest.raises(svc.RequestError, match="sent"):
            outreach.export_outreach_csv(ana, rid, tmp_path / "early.csv")
        svc.submit(ana, rid, now=NOW)
        svc.approve(sam, rid, now=NOW)
        svc.send(ana, rid, now=NOW)
        nos = [r.anonymity_no for r in store.recipients(conn, rid)]
        bad = write(tmp_path, f"neighbor_no,response\n{nos[0]},shared\n{nos[1]},sometimes\n", "bad.csv")
        result = outreach.import_responses(ana, rid, bad, NOW)
        assert [e.line for e in result.errors] == [3]
        assert {r.state for r in store.recipients(conn, rid)} == {RecipientState.PENDING}
        good = write(tmp_path, f"neighbor_no,response,opt_out\n{nos[0]},shared,no\n{nos[1]},declined,yes\n",
                     "good.csv")
        assert outreach.import_responses(ana, rid, good, NOW + timedelta(hours=1)).ok
        states = [r.state for r in store.recipients(conn, rid)]
        assert states[:2] == [RecipientState.SHARED, RecipientState.DECLINED]
        actions = [r[0] for r in conn.execute("SELECT action FROM audit_log ORDER BY seq")]
        assert "responses_import_refused" in actions and "responses_imported" in actions
        assert "owner_opted_out" in actions
    finally:
        conn.close()
