"""Evidence intake of a 1 GiB file: copy + SHA-256 in one read, against `openssl dgst -sha256` and `cp` timed on the
same file in the same run (issue 13: at least 0.8x the slower of the two).

Prints, per round and as medians: openssl, cp, the intake's copy+hash pass (without and with the fsync that
intake does before the rename), the whole intake into a real store (probe, copy+hash, fsync, rename, one
transaction), and a plain Python read -> hash -> write loop for comparison. The file is in the page cache for every
contender (each reads it once before the rounds). Asserts nothing.

    .venv/bin/python tests/benchmarks/bench_intake.py [--size-mib 1024] [--rounds 3] [--dir DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from app.core.records import Role  # noqa: E402
from app.io.evidence_copy import copy_and_hash  # noqa: E402
from app.services.evidence import intake  # noqa: E402
from app.services.session import User  # noqa: E402
from tests.evidence_world import build_evidence_world  # noqa: E402


def timed(fn, *args, **kw):  # noqa: ANN001, ANN002, ANN003, ANN201
    """(seconds, result) of fn(*args, **kw)."""
    t = time.perf_counter()
    result = fn(*args, **kw)
    return time.perf_counter() - t, result


def plain_loop(src: Path, dst: Path) -> str:
    h = hashlib.sha256()
    with open(src, "rb") as f, open(dst, "wb") as g:
        while chunk := f.read(8 << 20):
            h.update(chunk)
            g.write(chunk)
    return h.hexdigest()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--size-mib", type=int, default=1024)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--dir", default=None, help="where to put the files (default: a temporary folder)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir, prefix="canvass-bench-intake-") as tmp:
        tmp_path = Path(tmp)
        src = tmp_path / "footage.bin"
        with open(src, "wb") as fh:
            for _ in range(args.size_mib):
                fh.write(os.urandom(1 << 20))
        size = src.stat().st_size
        expected = subprocess.run(["openssl", "dgst", "-sha256", "-r", str(src)], capture_output=True, text=True,
                                  check=True).stdout.split()[0]
        ew = build_evidence_world(tmp_path)
        user = User(ew.world.users["ana"].id, "ana", Role.ANALYST)
        rows: dict[str, list[float]] = {k: [] for k in ("openssl", "cp", "pass", "pass+fsync", "intake", "plain")}
        for r in range(args.rounds):
            out = tmp_path / f"out{r}"
            rows["openssl"].append(timed(subprocess.run, ["openssl", "dgst", "-sha256", str(src)],
                                         capture_output=True, check=True)[0])
            rows["cp"].append(timed(subprocess.run, ["cp", str(src), str(out)], check=True)[0])
            out.unlink()
            seconds, res = timed(copy_and_hash, src, out, fsync=False)
            assert res.sha256 == expected
            rows["pass"].append(seconds)
            out.unlink()
            rows["pass+fsync"].append(timed(copy_and_hash, src, out, fsync=True)[0])
            out.unlink()
            seconds, got = timed(intake.intake_file, ew.conn, ew.evidence_dir, src, user, ew.request_id,
                                 ew.recipients[0], accept_non_media=True)
            assert got.sha256 == expected and not got.linked
            rows["intake"].append(seconds)
            # The next round stores it again: remove the stored file and mark the record purged (the hash is free).
            stored = next(ew.evidence_dir.glob("??/*"))
            os.chmod(stored, 0o600)
            stored.unlink()
            ew.conn.execute("UPDATE evidence_items SET purged_at = '2000-01-01T00:00:00Z', stored_path = '' "
                            "WHERE id = ?", (got.item_id,))
            rows["plain"].append(timed(plain_loop, src, out)[0])
            out.unlink()
            print(f"round {r + 1}: " + ", ".join(f"{k} {v[-1]:.2f} s" for k, v in rows.items()), flush=True)
        med = {k: statistics.median(v) for k, v in rows.items()}
        slower = max(med["openssl"], med["cp"])
        gib = size / (1 << 30)
        print(f"\n{gib:.2f} GiB, medians of {args.rounds} rounds (same file, same run):")
        for k, v in med.items():
            print(f"  {k:11s} {v:6.2f} s  {size / v / 1e9:5.2f} GB/s  {slower / v:5.2f}x the slower reference")
        print(f"slower reference: {'cp' if med['cp'] >= med['openssl'] else 'openssl'} ({slower:.2f} s)")
        ew.conn.close()


if __name__ == "__main__":
    main()
