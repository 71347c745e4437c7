"""The transparency report, checked from its exported files: each figure against an independent store query, no
owner's details anywhere in the output, byte-identical CSV for the same store and head, and `canvass report`."""

from __future__ import annotations

import csv
import io
import shutil
import sqlite3
import subprocess
from datetime import date
from pathlib import Path

import pytest

from app.cli import main as cli_main
from app.io.report import build_report
from app.io.report_files import FIGURES_CSV, HTML_NAME, PDF_NAME, csv_files, write_report_files
from app.services.accountability.auth import ensure_demo_users
from app.services.requests.demo import ensure_demo_requests
from app.services.requests.policy_settings import get_limits
from app.store.db import open_store
from app.store.demo import ensure_demo_city

WIDE = (date(2000, 1, 1), date(2100, 12, 31))


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small demo city with its scripted requests, plus evidence (one purged, one on hold) and an override."""
    folder = tmp_path_factory.mktemp("report-store")
    conn = open_store(folder / "canvass.sqlite3")
    ensure_demo_city(conn, n_cameras=600, today=date(2026, 11, 10))
    ensure_demo_users(conn)
    assert ensure_demo_requests(conn) > 0
    req = conn.execute("SELECT id FROM footage_requests WHERE sent_at IS NOT NULL ORDER BY id").fetchall()
    sup = conn.execute("SELECT id FROM users WHERE role = 'supervisor' ORDER BY id").fetchone()[0]
    conn.execute("BEGIN")
    for k, (rid,) in enumerate(req[:3]):
        conn.execute("INSERT INTO evidence_items (request_id, original_name, stored_path, sha256, size_bytes, "
                     "received_at, legal_hold, purged_at) VALUES (?, ?, ?, ?, 10, '2026-06-01T10:00:00Z', ?, ?)",
                     (rid, f"clip{k}.mp4", f"/x/{k}", str(k) * 64, int(k == 1),
                      "2026-09-01T00:00:00Z" if k == 2 else None))
        if k == 1:  # a legal hold is a record of its own (the evidence feature's legal_holds)
            conn.execute("INSERT INTO legal_holds (evidence_id, reason, authority, placed_by, placed_at, review_on) "
                         "SELECT id, 'Open homicide case', 'BPD-14-000123', ?, '2026-06-02T00:00:00Z', '2027-01-01' "
                         "FROM evidence_items WHERE original_name = 'clip1.mp4'", (sup,))
    conn.execute("INSERT INTO policy_overrides (request_id, rule, reason, supervisor_id, at) VALUES "
                 "(?, 'area', 'Large parking lot: the whole lot is the scene', ?, '2026-06-02T00:00:00Z')",
                 (req[0][0], sup))
    conn.execute("COMMIT")
    conn.close()
    return folder


@pytest.fixture
def conn(store: Path):
    c = sqlite3.connect(store / "canvass.sqlite3")
    yield c
    c.close()


def figures(folder: Path) -> dict[tuple[str, str], str]:
    with (folder / FIGURES_CSV).open(encoding="utf-8", newline="") as fh:
        return {(r["section"], r["key"]): r["value"] for r in csv.DictReader(fh)}


def run_cli(store: Path, out: Path, *extra: str) -> int:
    return cli_main(["report", "--from", "2000-01-01", "--to", "2100-12-31", "--data-dir", str(store),
                     "--out", str(out), *extra])


@pytest.fixture(scope="module")
def exported(store: Path, tmp_path_factory: pytest.TempPathFactory, qapp) -> Path:  # noqa: ANN001
    out = tmp_path_factory.mktemp("report-out")
    assert run_cli(store, out) == 0
    return out


def test_cli_writes_pdf_html_csv(exported: Path) -> None:
    names = {p.name for p in exported.iterdir()}
    assert {FIGURES_CSV, HTML_NAME, PDF_NAME, "transparency-public-log.csv", "transparency-districts.csv",
            "transparency-overrides.csv", "transparency-coverage-public.csv"} <= names
    assert not any(n.startswith(".report-") for n in names)           # the staging folder is gone
    assert (exported / PDF_NAME).read_bytes().startswith(b"%PDF")
    html = (exported / HTML_NAME).read_text(encoding="utf-8")
    assert html.count("data:image/png;base64,") == 4                   # the plots are in the page
    empty = sum(1 for p in exported.glob("transparency-*.csv") if p.name != FIGURES_CSV
                and len(p.read_text(encoding="utf-8").splitlines()) == 1)
    assert html.count("None in this period.") == empty                 # said only of tables with no rows
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-r", "30", "-png", str(exported / PDF_NAME), str(exported / "page")],
                       check=True)
        assert len(list(exported.glob("page*.png"))) >= 3


def test_each_figure_equals_an_independent_query(exported: Path, conn: sqlite3.Connection) -> None:
    f = figures(exported)
    one = lambda sql: conn.execute(sql).fetchone()[0]  # noqa: E731
    assert int(f["requests", "requests_sent"]) == one("SELECT count(*) FROM footage_requests WHERE sent_at IS NOT NULL")
    # Drafts have planned recipients too: only notices of sent requests count.
    sent_only = "request_id IN (SELECT id FROM footage_requests WHERE sent_at IS NOT NULL)"
    pairs = f"SELECT DISTINCT request_id, owner_id, state FROM recipients WHERE owner_id IS NOT NULL AND {sent_only}"
    assert int(f["requests", "owners_notified"]) == one(f"SELECT count(*) FROM ({pairs})")
    for state in ("shared", "declined", "no_footage", "no_response", "pending"):
        assert int(f["requests", f"answers_{state}"]) == one(f"SELECT count(*) FROM ({pairs}) WHERE state = '{state}'")
    assert int(f["requests", "distinct_owners_notified"]) == one(
        f"SELECT count(DISTINCT owner_id) FROM recipients WHERE {sent_only}")
    assert int(f["requests", "policy_overrides"]) == one("SELECT count(*) FROM policy_overrides") == 1
    assert int(f["program", "units_shipped"]) == one("SELECT sum(units) FROM device_shipments")
    assert int(f["program", "units_distributed"]) == one("SELECT sum(units) FROM distributions")
    assert int(f["program", "conditional_handouts"]) == one(
        "SELECT count(*) FROM distributions WHERE sharing_condition = 1")
    assert int(f["program", "units_earned"]) == one("SELECT sum(units_earned) FROM download_credits")
    assert int(f["footage", "items_received"]) == one("SELECT count(*) FROM evidence_items") == 3
    assert int(f["footage", "items_purged"]) == one("SELECT count(*) FROM evidence_items WHERE purged_at IS NOT NULL")
    assert int(f["footage", "items_on_legal_hold"]) == one("SELECT count(*) FROM evidence_items WHERE legal_hold = 1")
    assert int(f["footage", "items_retained"]) == 2
    assert int(f["effectiveness", "footage_useful"]) == one(
        "SELECT count(*) FROM request_outcomes WHERE footage_useful = 1")
    assert int(f["effectiveness", "arrests"]) == one("SELECT count(*) FROM request_outcomes WHERE led_to_arrest = 1")
    available = one(f"SELECT count(DISTINCT request_id) FROM recipients WHERE state = 'shared' AND {sent_only}")
    sent = one("SELECT count(*) FROM footage_requests WHERE sent_at IS NOT NULL")
    assert f["effectiveness", "footage_available_rate"] == f"{100 * available / sent:.1f} %"
    assert int(f["operations", "operations"]) == one("SELECT count(*) FROM operations")
    assert int(f["coverage", "cameras"]) == one("SELECT count(*) FROM cameras WHERE active = 1")
    head = conn.execute("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
    assert (int(f["report", "audit_head_seq"]), f["report", "audit_head_hash"]) == head
    assert f["biometrics", "biometric_identification_used"] == "no"
    # The evidence feature's onward-sharing register is counted (no package was shared onward here).
    assert int(f["footage", "shared_onward"]) == one("SELECT count(*) FROM onward_shares") == 0
    with (exported / "transparency-public-log.csv").open(encoding="utf-8", newline="") as fh:
        log = list(csv.DictReader(fh))
    assert [int(r["No."]) for r in log] == [r[0] for r in conn.execute(
        "SELECT public_no FROM footage_requests WHERE public_no IS NOT NULL ORDER BY public_no")]
    with (exported / "transparency-overrides.csv").open(encoding="utf-8", newline="") as fh:
        assert [r["Reason"] for r in csv.DictReader(fh)] == ["Large parking lot: the whole lot is the scene"]
    with (exported / "transparency-districts.csv").open(encoding="utf-8", newline="") as fh:
        districts = list(csv.DictReader(fh))
    assert sum(int(r["Requests"]) for r in districts) == sent
    assert sum(int(r["Owners notified"]) for r in districts) == int(f["requests", "owners_notified"])


def test_no_owner_details_anywhere(exported: Path, conn: sqlite3.Connection) -> None:
    text = "\n".join(p.read_text(encoding="utf-8") for p in exported.iterdir() if p.suffix in (".csv", ".html"))
    if shutil.which("pdftotext"):
        subprocess.run(["pdftotext", str(exported / PDF_NAME), str(exported / "pdf.txt")], check=True)
        text += (exported / "pdf.txt").read_text(encoding="utf-8")
    owners = conn.execute("SELECT display_name, email, phone, address FROM owners").fetchall()
    assert len(owners) > 100
    checked = 0
    for row in owners:
        for value in row:
            if value and len(value) >= 5:
                assert value not in text, f"owner detail {value!r} is in the report"
                checked += 1
    assert checked > 300
    for (contact,) in conn.execute("SELECT investigator_contact FROM footage_requests "
                                   "WHERE investigator_contact != ''"):
        assert contact not in text
    # Exact camera positions never appear: coordinates are generalised to 3 decimals or district corners.
    for lat, lon in conn.execute("SELECT lat, lon FROM cameras LIMIT 200"):
        assert f"{lat:.5f}" not in text or f"{lon:.5f}" not in text


def test_csv_is_byte_identical_for_the_same_store_and_head(store: Path, exported: Path, tmp_path: Path,
                                                           qapp) -> None:  # noqa: ANN001
    assert run_cli(store, tmp_path) == 0
    for p in exported.glob("*.csv"):
        assert (tmp_path / p.name).read_bytes() == p.read_bytes(), p.name


def test_empty_period_and_agency(conn: sqlite3.Connection, store: Path) -> None:
    c = open_store(store / "canvass.sqlite3")
    try:
        r = build_report(c, date(1990, 1, 1), date(1990, 12, 31), get_limits(c))
        assert r.figure("requests", "requests_sent") == "0"
        assert r.figure("effectiveness", "footage_available_rate") == "n/a (none sent)"
        agency = c.execute("SELECT id FROM agencies").fetchone()[0]
        ra = build_report(c, *WIDE, get_limits(c), agency_id=agency)
        assert ra.figure("requests", "requests_sent") == build_report(c, *WIDE, get_limits(c)).figure(
            "requests", "requests_sent")
        text = csv_files(r)[FIGURES_CSV]
        assert next(csv.reader(io.StringIO(text))) == ["section", "key", "label", "value"]
        with pytest.raises(ValueError):
            build_report(c, date(2020, 2, 1), date(2020, 1, 1), get_limits(c))
    finally:
        c.close()


def test_cli_usage_errors(store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["report", "--from", "2026-13-01", "--to", "2026-12-31", "--data-dir", str(store),
                     "--out", str(tmp_path / "o")]) == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err
    assert cli_main(["report", "--from", "2026-02-01", "--to", "2026-01-01", "--data-dir", str(store),
                     "--out", str(tmp_path / "o")]) == 2
    assert cli_main(["report", "--from", "2026-01-01", "--to", "2026-01-31", "--data-dir", str(tmp_path / "none"),
                     "--out", str(tmp_path / "o")]) == 1
    assert "no store" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_write_is_all_or_nothing(store: Path, tmp_path: Path) -> None:
    c = open_store(store / "canvass.sqlite3")
    try:
        r = build_report(c, *WIDE, get_limits(c))
    finally:
        c.close()

    def broken_pdf(*_args: object) -> None:
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError):
        write_report_files(tmp_path, r, {}, "", pdf=broken_pdf)
    assert list(tmp_path.iterdir()) == []
