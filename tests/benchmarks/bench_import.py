"""Benchmark: import a 1,000,000-row camera CSV (validated) into the store, against the sqlite3 shell's .import.

Run as a script:  .venv/bin/python tests/benchmarks/bench_import.py [--rows N] [--runs 3]
(the reference needs the sqlite3 shell: apt-get install sqlite3)

Generates a seeded registry CSV (id,lat,lon,kind,heading_deg,fov_deg,range_m,retention_days,label) in a temporary
folder. Each of our runs is a child process on a fresh store (read + validate + write in one transaction, exactly
what `canvass import` does: app.io.pipeline.import_file, which forks a reading process for a file this large),
reporting its own time and peak RSS (VmHWM), and its reader's (ru_maxrss). The
references, measured in the same run and interleaved with ours: `sqlite3 FILE` with `.mode csv` and `.import` into
a plain table of a new file, and a bare Python csv.reader -> executemany loop. Figures: medians of the runs; the
ratios are rows/s over the shell's rows/s.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CHILD = r"""
import json, sys, time
sys.path.insert(0, sys.argv[3])
from app.io.camera_import import CAMERAS
from app.io.pipeline import import_file
from app.io.readers import open_source
from app.store.db import open_store

def peak_kb():  # VmHWM: this process's own peak since exec (ru_maxrss would include the forking parent's)
    with open("/proc/self/status") as fh:
        return int(next(line for line in fh if line.startswith("VmHWM:")).split()[1])

conn = open_store(sys.argv[2])
t0, c0 = time.perf_counter(), time.process_time()
source = open_source(sys.argv[1])
report, result = import_file(source, CAMERAS, CAMERAS.guess_mapping(source.columns), conn, "bench")
t2 = time.perf_counter()
count = conn.execute("SELECT count(*) FROM cameras").fetchone()[0]
conn.close()
import resource
reader_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # the forked reading process, if one ran
print(json.dumps({"total_s": t2 - t0, "cpu_s": time.process_time() - c0, "imported": result.imported,
                  "bad": report.bad_count, "count": count,
                  "maxrss_mb": peak_kb() / 1024, "reader_mb": reader_kb / 1024}))
"""

# A second reference: the floor of any pure-Python import (csv.reader straight into executemany, one plain
# table, nothing validated or converted), to show where the time goes.
FLOOR = r"""
import csv, sqlite3, sys, time
conn = sqlite3.connect(sys.argv[2], isolation_level=None)
t0, c0 = time.perf_counter(), time.process_time()
with open(sys.argv[1], newline="", encoding="utf-8") as fh:
    reader = csv.reader(fh)
    header = next(reader)
    conn.execute("CREATE TABLE plain (" + ", ".join(f'"{c}"' for c in header) + ")")
    conn.execute("BEGIN")
    conn.executemany(f"INSERT INTO plain VALUES ({','.join('?' * len(header))})", reader)
    conn.execute("COMMIT")
print(time.perf_counter() - t0, time.process_time() - c0)
"""


def make_csv(path: Path, rows: int) -> None:
    sys.path.insert(0, str(ROOT))
    from app.core.demo_registry import large_registry, write_registry_csv

    write_registry_csv(path, large_registry(rows, seed=2024))


def children_cpu() -> float:
    """CPU seconds (user + system) of the waited-for children so far: a figure the machine's load hardly moves."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run_ours(csv_path: Path, work: Path, i: int) -> dict:
    db = work / f"store-{i}.sqlite3"
    cpu0 = children_cpu()
    proc = subprocess.run([sys.executable, "-c", CHILD, str(csv_path), str(db), str(ROOT)], capture_output=True,
                          text=True, check=True)
    cpu = children_cpu() - cpu0  # with start-up; cpu_s (timed inside, both threads) is the import alone
    for suffix in ("", "-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    shutil.rmtree(work / "backups", ignore_errors=True)
    return {"process_cpu_s": cpu, **json.loads(proc.stdout.strip().splitlines()[-1])}


def run_cli(csv_path: Path, work: Path, i: int) -> tuple[float, float]:
    db = work / f"cli-{i}.sqlite3"
    script = f".mode csv\n.import '{csv_path}' cameras_plain\n"
    cpu0, t0 = children_cpu(), time.perf_counter()
    subprocess.run(["sqlite3", str(db)], input=script, text=True, check=True, capture_output=True)
    seconds, cpu = time.perf_counter() - t0, children_cpu() - cpu0
    db.unlink(missing_ok=True)
    return seconds, cpu


def run_floor(csv_path: Path, work: Path, i: int) -> tuple[float, float]:
    db = work / f"floor-{i}.sqlite3"
    proc = subprocess.run([sys.executable, "-c", FLOOR, str(csv_path), str(db)], capture_output=True, text=True,
                          check=True)
    db.unlink(missing_ok=True)
    seconds, cpu = proc.stdout.split()
    return float(seconds), float(cpu)  # both timed inside the child, start-up left out as for ours


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if shutil.which("sqlite3") is None:
        print("the sqlite3 command-line shell is needed for the reference (apt-get install sqlite3)")
        return 1
    with tempfile.TemporaryDirectory(prefix="canvass-bench-import-") as tmp:
        work = Path(tmp)
        csv_path = work / "registry.csv"
        t0 = time.perf_counter()
        make_csv(csv_path, args.rows)
        print(f"generated {args.rows:,} rows ({csv_path.stat().st_size / 1e6:.0f} MB) in "
              f"{time.perf_counter() - t0:.1f} s")
        ours, cli, floor, cli_cpu, floor_cpu = [], [], [], [], []
        for i in range(args.runs):
            seconds, cpu = run_cli(csv_path, work, i)
            cli.append(seconds)
            cli_cpu.append(cpu)
            seconds, cpu = run_floor(csv_path, work, i)
            floor.append(seconds)
            floor_cpu.append(cpu)
            result = run_ours(csv_path, work, i)
            assert result["imported"] == args.rows == result["count"] and result["bad"] == 0, result
            ours.append(result)
            print(f"run {i + 1}: sqlite3 .import {args.rows / cli[-1]:>9,.0f} rows/s | python floor "
                  f"{args.rows / floor[-1]:>9,.0f} rows/s | ours "
                  f"{args.rows / result['total_s']:>9,.0f} rows/s (read, validate and write overlapped), "
                  f"peak RSS {result['maxrss_mb']:.0f} MB + reader {result['reader_mb']:.0f} MB; "
                  f"CPU s: shell {cli_cpu[-1]:.2f}, floor {floor_cpu[-1]:.2f}, "
                  f"ours {result['cpu_s']:.2f}")
        cli_rate = args.rows / statistics.median(cli)
        our_total = statistics.median(r["total_s"] for r in ours)
        our_rate = args.rows / our_total
        print()
        print(f"sqlite3 shell .import (reference): {cli_rate:>10,.0f} rows/s  (median of {args.runs})")
        floor_rate = args.rows / statistics.median(floor)
        print(f"python csv -> executemany floor:   {floor_rate:>10,.0f} rows/s  (plain table, no validation)")
        print(f"canvass import, validated:         {our_rate:>10,.0f} rows/s  (median of {args.runs})")
        print(f"ratio ours / shell:                {our_rate / cli_rate:10.2f}x  (target >= 0.6x)")
        print(f"ratio python floor / shell:        {floor_rate / cli_rate:10.2f}x")
        peak = max(r["maxrss_mb"] + r["reader_mb"] for r in ours)
        print(f"peak RSS (max of runs):            {peak:10.0f} MB (target < 400 MB; the importing process plus its "
              "reading process, whose figure counts the pages it shared with its parent at the fork)")
        # On a machine shared with other work the wall clock mostly measures the scheduler; CPU time does not (the
        # shell's includes its tiny start-up; ours and the floor's are timed inside, start-up left out).
        shell_cpu, our_cpu = statistics.median(cli_cpu), statistics.median(r["cpu_s"] for r in ours)
        print(f"CPU seconds (medians):             shell {shell_cpu:.2f}, floor {statistics.median(floor_cpu):.2f}, "
              f"ours {our_cpu:.2f} in the importing process (ours / shell in CPU: {shell_cpu / our_cpu:.2f}x); "
              f"with its reader, {statistics.median(r['process_cpu_s'] for r in ours):.2f} (start-up included)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
