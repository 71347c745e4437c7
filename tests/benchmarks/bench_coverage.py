"""Benchmark: coverage of 100,000 cameras over 20 km × 20 km at 10 m cells (4,000,000 cells).

Targets (issue 14): under 2 s and under 1 GB without buildings; under 10 s with 50,000 building outlines.
Cases, each in a fresh subprocess so its peak RSS is its own (median time of RUNS runs):
  nominal     — one pass: the registered headings and ranges only;
  band        — the full band: nominal, best, worst and 4 random draws (7 scenarios in one geometric pass);
  buildings   — the full band with 50,000 building outlines (rasterised, rays walked); cameras mounted on the
                buildings' walls like doorbells, the rest in the open;
Reference, in the same run: one numpy pass that writes every cell of the grid once (np.ones over 4M cells, cast
to uint16 and summed) — the least any full-grid analysis costs.

Run: .venv/bin/python tests/benchmarks/bench_coverage.py
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

N_CAMERAS = 100_000
N_BUILDINGS = 50_000
SIZE_M = 20_000.0
RUNS = 3


def world(buildings: bool):  # noqa: ANN201
    import numpy as np

    from app.core import coverage_grid as cg
    from app.core import coverage_views as cw
    from app.core.demo_registry import large_registry

    rng = np.random.default_rng(1)
    a = large_registry(N_CAMERAS)
    x, y = rng.uniform(0, SIZE_M, N_CAMERAS), rng.uniform(0, SIZE_M, N_CAMERAS)
    rings = None
    if buildings:
        bx, by = rng.uniform(0, SIZE_M - 30, N_BUILDINGS), rng.uniform(0, SIZE_M - 30, N_BUILDINGS)
        size = rng.uniform(8, 25, N_BUILDINGS)
        square = np.array([[0, 0], [1, 0], [1, 1], [0, 1]], dtype=np.float64)
        xy = (np.stack([bx, by], 1)[:, None, :] + square[None] * size[:, None, None]).reshape(-1, 2)
        rings = cg.Rings(xy, np.arange(0, 4 * N_BUILDINGS + 1, 4, dtype=np.int64))
        # Half the cameras on a building's front wall (the south side, looking out), as doorbells are.
        on = rng.random(N_CAMERAS) < 0.5
        k = rng.integers(0, N_BUILDINGS, N_CAMERAS)
        x = np.where(on, bx[k] + size[k] * rng.uniform(0.2, 0.8, N_CAMERAS), x)
        y = np.where(on, by[k] + 0.2, y)
    w = cw.Wedges(x, y, a["heading_deg"].astype(np.float64), a["fov_deg"].astype(np.float64),
                  a["range_m"].astype(np.float64))
    return cg.grid_for_extent(SIZE_M, SIZE_M, 10.0), w, rings


def child(case: str) -> None:
    import resource

    import numpy as np

    from app.core import coverage as cv
    from app.core import coverage_views as cw

    if case == "reference":
        g, _, _ = world(False)
        t = time.perf_counter()
        grid = np.ones(g.shape, dtype=np.uint16)
        int(grid.sum())
        elapsed = time.perf_counter() - t
    else:
        g, w, rings = world(case == "buildings")
        t = time.perf_counter()
        if case == "nominal":
            cw.count_views(g, w, cw.scenarios_for(w, samples=0)[:1])
            figure = ""
        else:
            r = cv.analyse(g, w, buildings=rings)
            figure = f"seen≥1 {r.seen1.as_text()}; building cells {r.building_cells:,}"
        elapsed = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"s": elapsed, "peak_mb": peak, "figure": "" if case == "reference" else figure}))


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        child(sys.argv[2])
        return
    results: dict[str, list[dict]] = {}
    for _ in range(RUNS):
        for case in ("reference", "nominal", "band", "buildings"):
            out = subprocess.run([sys.executable, __file__, "--child", case], capture_output=True, text=True,
                                 check=True, cwd=ROOT)
            results.setdefault(case, []).append(json.loads(out.stdout.strip().splitlines()[-1]))
    ref = statistics.median(r["s"] for r in results["reference"])
    print(f"coverage: {N_CAMERAS:,} cameras, {SIZE_M / 1000:g} km × {SIZE_M / 1000:g} km at 10 m "
          f"(4,000,000 cells); median of {RUNS} runs, each case in its own process")
    print(f"  reference (one write of every cell)  {ref * 1000:7.1f} ms")
    for case, label in (("nominal", "nominal (1 pass)"), ("band", "band (7 scenarios)"),
                        ("buildings", f"band + {N_BUILDINGS:,} buildings")):
        s = statistics.median(r["s"] for r in results[case])
        peak = max(r["peak_mb"] for r in results[case])
        print(f"  {label:36s} {s:7.2f} s  peak RSS {peak:6.0f} MB  ({s / ref:,.0f}× reference)  "
              f"{results[case][-1]['figure']}")


if __name__ == "__main__":
    main()
