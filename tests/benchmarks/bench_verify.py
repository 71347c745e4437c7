"""Verify throughput: 10,000 small items and one 4 GiB item re-hashed by the evidence service, against
`openssl dgst -sha256` over the same files in the same run. Files are in the page cache for both. Asserts nothing.

    .venv/bin/python tests/benchmarks/bench_verify.py [--small 10000] [--small-kib 64] [--big-mib 4096] [--rounds 3]
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

from app.core.evidence import stored_relpath  # noqa: E402
from app.services.evidence.verify import items_to_verify, verify_items  # noqa: E402
from app.store import evidence as store  # noqa: E402
from app.store.db import transaction  # noqa: E402
from tests.evidence_world import build_evidence_world  # noqa: E402


def add_file(ew, data_fn, name: str) -> int:  # noqa: ANN001
    """Write a stored file and its record directly (the intake path is measured by bench_intake)."""
    tmp = ew.evidence_dir / "tmp.bin"
    h = hashlib.sha256()
    size = 0
    with open(tmp, "wb") as fh:
        for chunk in data_fn():
            h.update(chunk)
            fh.write(chunk)
            size += len(chunk)
    rel = stored_relpath(h.hexdigest(), name)
    (ew.evidence_dir / rel).parent.mkdir(parents=True, exist_ok=True)
    os.replace(tmp, ew.evidence_dir / rel)
    item = store.insert_item(ew.conn, request_id=ew.request_id, recipient_id=ew.recipients[0], original_name=name,
                             stored_path=rel, sha256=h.hexdigest(), size_bytes=size, media_info=None,
                             received_at="2026-06-01T12:00:00Z", received_by=None)
    store.add_link(ew.conn, item, ew.request_id, ew.recipients[0], "2026-06-01T12:00:00Z", None)
    return item


def openssl_files(paths: list[Path]) -> float:
    t = time.perf_counter()
    for start in range(0, len(paths), 2000):  # argument lists stay short
        subprocess.run(["openssl", "dgst", "-sha256", *map(str, paths[start:start + 2000])], capture_output=True,
                       check=True)
    return time.perf_counter() - t


def run(label: str, ew, ids: list[int], rounds: int) -> None:  # noqa: ANN001
    items = [i for i in items_to_verify(ew.conn) if i.id in set(ids)]
    paths = [ew.evidence_dir / i.stored_path for i in items]
    total = sum(i.size_bytes for i in items)
    for p in paths:  # warm the page cache for both
        with open(p, "rb") as fh:
            while fh.read(8 << 20):
                pass
    ours, ref = [], []
    for r in range(rounds):
        ref.append(openssl_files(paths))
        report = verify_items(ew.evidence_dir, items)
        assert report.ok
        ours.append(report.seconds)
        print(f"  {label} round {r + 1}: verify {ours[-1]:.2f} s, openssl {ref[-1]:.2f} s", flush=True)
    o, s = statistics.median(ours), statistics.median(ref)
    print(f"{label}: {len(items):,} items, {total / 1e6:,.0f} MB: verify {o:.2f} s ({total / o / 1e9:.2f} GB/s, "
          f"{len(items) / o:,.0f} items/s) vs openssl dgst -sha256 {s:.2f} s ({total / s / 1e9:.2f} GB/s) = "
          f"{s / o:.2f}x\n", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--small", type=int, default=10_000)
    ap.add_argument("--small-kib", type=int, default=64)
    ap.add_argument("--big-mib", type=int, default=4096)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--dir", default=None)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir, prefix="canvass-bench-verify-") as tmp:
        ew = build_evidence_world(Path(tmp))
        ew.evidence_dir.mkdir(parents=True, exist_ok=True)
        with transaction(ew.conn):
            small = [add_file(ew, lambda: [os.urandom(args.small_kib * 1024)], f"clip{i}.mp4")
                     for i in range(args.small)]
        run("small", ew, small, args.rounds)
        if args.big_mib:
            with transaction(ew.conn):
                big = [add_file(ew, lambda: (os.urandom(1 << 20) for _ in range(args.big_mib)), "big.mp4")]
            run("big", ew, big, args.rounds)
        ew.conn.close()


if __name__ == "__main__":
    main()
