"""The audit log at scale: verification throughput, viewer pages and filters, append cost, over N entries.

Run: .venv/bin/python tests/benchmarks/bench_audit.py [--entries 1000000] [--runs 5]

The log is built with the real chain function (bulk insert of correctly chained rows: what years of use would
leave behind). Figures are medians of --runs; verification is also given as a ratio against a reference
measured in the same run: a bare Python scan of the same rows in the same order (the floor any verifier that
reads every row through sqlite3 pays), and the same scan plus one SHA-256 per row over the row's text.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from app.store import audit  # noqa: E402
from app.store.db import open_store, transaction  # noqa: E402

ACTORS = ["ana", "sam", "sue", "audrey", "admin", "bo", "cy", "di"]
ACTIONS = ["registry_search", "owner_contact_viewed", "footage_viewed", "request_transition", "sign_in",
           "export", "import", "policy_limit_changed", "sign_in_failed"]


def build(path: Path, n: int) -> None:
    conn = open_store(path)
    rng = random.Random(7)
    prev = audit.GENESIS_HASH
    batch: list[tuple] = []
    t0 = time.perf_counter()
    with transaction(conn):
        for seq in range(1, n + 1):
            actor = "zed" if seq % 10_000 == 0 else rng.choice(ACTORS)  # a rare actor for the filter figures
            action = rng.choice(ACTIONS)
            at = f"2026-{1 + seq * 12 // (n + 1):02d}-{1 + seq % 28:02d}T{seq % 24:02d}:00:00Z"
            obj = f"fence:{seq}" if action == "registry_search" else f"owner:{rng.randrange(5000)}"
            details = audit.canonical_details({"radius_m": rng.randrange(50, 800), "n": seq})
            digest = audit.entry_hash(prev, seq, at, actor, action, obj, details)
            batch.append((seq, at, actor, action, obj, details, prev, digest))
            prev = digest
            if len(batch) == 50_000:
                conn.executemany("INSERT INTO audit_log VALUES (?, ?, ?, ?, ?, ?, ?, ?)", batch)
                batch.clear()
        if batch:
            conn.executemany("INSERT INTO audit_log VALUES (?, ?, ?, ?, ?, ?, ?, ?)", batch)
    conn.close()
    print(f"built {n:,} chained entries in {time.perf_counter() - t0:.1f} s")


def median_time(fn, runs: int) -> float:  # noqa: ANN001
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    n = args.entries
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "canvass.sqlite3"
        build(path, n)
        conn = open_store(path)

        def scan() -> None:
            for _row in conn.execute("SELECT seq, at, actor, action, object, details, prev_hash, hash FROM audit_log "
                                     "ORDER BY seq"):
                pass

        def scan_hash() -> None:
            for row in conn.execute("SELECT seq, at, actor, action, object, details, prev_hash, hash FROM audit_log "
                                    "ORDER BY seq"):
                hashlib.sha256(row[5].encode()).hexdigest()

        def verify() -> None:
            assert audit.verify(conn).ok

        verify_runs = max(1, min(args.runs, 3))
        t_scan = median_time(scan, verify_runs)
        t_scan_hash = median_time(scan_hash, verify_runs)
        t_verify = median_time(verify, verify_runs)
        print(f"verify {n:,} entries: {t_verify:.2f} s ({n / t_verify:,.0f} entries/s)")
        print(f"  reference bare scan {t_scan:.2f} s -> verify/scan {t_verify / t_scan:.1f}x; "
              f"scan+sha256 {t_scan_hash:.2f} s -> verify/(scan+sha256) {t_verify / t_scan_hash:.1f}x")

        page = 500
        cases = {
            "first page, no filter": audit.AuditFilter(),
            "first page, action filter": audit.AuditFilter(action="sign_in_failed"),
            "first page, common actor": audit.AuditFilter(actor="ana"),
            "first page, rare actor (1 in 10,000)": audit.AuditFilter(actor="zed"),
            "first page, text filter (LIKE)": audit.AuditFilter(text="owner:4999"),
            "first page, period filter": audit.AuditFilter(since="2026-06-01T00:00:00Z", until="2026-06-08T00:00:00Z"),
        }
        for label, flt in cases.items():
            t = median_time(lambda flt=flt: audit.page(conn, flt, None, page), args.runs)
            c = median_time(lambda flt=flt: audit.count(conn, flt), max(1, min(args.runs, 3)))
            print(f"{label}: page {t * 1000:.1f} ms, count {c * 1000:.1f} ms")
        t_deep = median_time(lambda: audit.page(conn, audit.AuditFilter(), 1_000, page), args.runs)
        print(f"deep page (keyset, oldest entries): {t_deep * 1000:.2f} ms")
        t_actions = median_time(lambda: audit.distinct(conn, "action"), max(1, min(args.runs, 3)))
        print(f"distinct actions (filter choices): {t_actions * 1000:.1f} ms")

        def append_some() -> None:
            with transaction(conn):
                for i in range(100):
                    audit.append(conn, "bench", "registry_search", f"fence:{i}")

        t_append = median_time(append_some, args.runs) / 100
        print(f"append at {n:,} entries: {t_append * 1e6:.0f} µs per entry (in one transaction)")

        def one_act() -> None:
            with transaction(conn):
                audit.append(conn, "bench", "registry_search", "fence:1")

        def one_write_unaudited() -> None:
            with transaction(conn):
                conn.execute("INSERT OR REPLACE INTO settings (key, value, changed_at) VALUES ('bench', '1', 'x')")

        t_act = median_time(one_act, max(args.runs, 9))
        t_plain = median_time(one_write_unaudited, max(args.runs, 9))
        print(f"one audited act (its own transaction: commit synced, then the audit head file written and fsynced): "
              f"{t_act * 1000:.2f} ms; reference, one unaudited write in its own transaction {t_plain * 1000:.2f} ms")
        print(f"check_store (pages, triggers, chain, head file) at {n:,} entries: "
              f"{median_time(lambda: audit.check_store(conn, audit.current_head(conn)), 1):.2f} s")
        conn.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
