"""Benchmark: creating a footage request over a fence holding 20,000 cameras (target: under 1 s).

Measured steps (median of several runs):
  plan       — recipient computation + ranking on in-memory arrays (containment, field of view, retention,
               owners grouped), over a 1,000,000-camera registry with 20,000 in the fence;
  create     — the service's create_draft on a real store (plan + 20,000 recipient rows + transition + audit);
  send       — submit, approve (other supervisor), send: policy re-checked, recipients re-planned, public number;
  notices    — read every owner's contact (audited) and write the mail-merge CSV.
Reference: one numpy haversine pass over the 1,000,000 coordinates, in the same run.

Run: .venv/bin/python tests/benchmarks/bench_requests.py
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from app.core import geo  # noqa: E402
from app.core.camera_arrays import CameraArrays
from app.core.fence import CircleFence  # noqa: E402
from app.core.recipients import plan_recipients  # noqa: E402
from app.core.records import Role  # noqa: E402
from app.services.requests import outreach  # noqa: E402
from app.services.requests import workflow as svc
from app.store.camera_arrays import load_arrays
from app.store.db import open_store, transaction  # noqa: E402
from tests.request_world import LAT, LON, NOW, add_agency, add_incident, add_user  # noqa: E402

N_TOTAL = 1_000_000
N_INSIDE = 20_000
N_STORE = 100_000     # cameras written to the SQLite store (20,000 of them in the fence)
RADIUS_M = 500.0      # 0.30 sq mi
RUNS = 5


def synthetic(n_total: int, n_inside: int, seed: int = 1) -> CameraArrays:
    rng = np.random.default_rng(seed)
    a = CameraArrays.allocate(n_total)
    a.ids[:] = np.arange(1, n_total + 1)
    # n_inside cameras uniformly in the fence's disc, the rest in a ring 1–40 km away.
    r_in = RADIUS_M * 0.999 * np.sqrt(rng.random(n_inside))
    r_out = rng.uniform(1_000, 40_000, n_total - n_inside)
    r = np.concatenate([r_in, r_out])
    theta = rng.uniform(0, 360, n_total)
    lat, lon = geo.destination(LAT, LON, theta, r)
    perm = rng.permutation(n_total)
    a.lat[:] = np.asarray(lat)[perm]
    a.lon[:] = np.asarray(lon)[perm]
    a.kind[:] = 0
    a.source[:] = 0
    a.owner_id[:] = (np.arange(n_total) * 2 // 3) + 1       # about 1.5 cameras per owner
    a.opted_out[:] = a.owner_id % 7 == 0
    a.heading_deg[:] = rng.uniform(0, 360, n_total)
    a.fov_deg[:] = rng.choice([90, 120, 160], n_total)
    a.range_m[:] = rng.uniform(10, 60, n_total)
    a.retention_days[:] = rng.choice([1, 7, 30, 60], n_total)
    a.active[:] = True
    return a


def median_time(fn, runs: int = RUNS) -> float:  # noqa: ANN001
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def fill_store(conn, arrays: CameraArrays) -> None:  # noqa: ANN001
    owners = np.unique(arrays.owner_id)
    with transaction(conn):
        conn.executemany("INSERT INTO owners (id, display_name, email, address, consent, anonymity_no, created_at) "
                         "VALUES (?, ?, ?, ?, ?, ?, '2024-01-01T00:00:00Z')",
                         ((int(o), f"Resident {o}", f"r{o}@example.org", f"{o} Main St",
                           "opt_out" if o % 7 == 0 else "opt_in", int(o)) for o in owners))
        conn.executemany("INSERT INTO cameras (id, owner_id, lat, lon, kind, heading_deg, fov_deg, range_m, "
                         "retention_days, source, registered_on) VALUES (?, ?, ?, ?, 'doorbell', ?, ?, ?, ?, "
                         "'self_registered', '2024-01-01T00:00:00Z')",
                         zip(arrays.ids.tolist(), arrays.owner_id.tolist(), arrays.lat.tolist(), arrays.lon.tolist(),
                             arrays.heading_deg.astype(float).tolist(), arrays.fov_deg.astype(float).tolist(),
                             arrays.range_m.astype(float).round(1).tolist(),
                             arrays.retention_days.astype(int).tolist(), strict=True))


def main() -> None:
    fence = CircleFence(LAT, LON, RADIUS_M)
    big = synthetic(N_TOTAL, N_INSIDE)
    inside = int(fence.contains(big.lat, big.lon).sum())
    ref = median_time(lambda: geo.haversine_m(LAT, LON, big.lat, big.lon))
    end = NOW - timedelta(days=3)
    t_plan = median_time(lambda: plan_recipients(big, fence, LAT, LON, end, NOW))
    plan = plan_recipients(big, fence, LAT, LON, end, NOW)
    print(f"registry {N_TOTAL:,} cameras, {inside:,} inside the fence ({fence.area_sq_mi():.2f} sq mi); "
          f"{plan.contacted_cameras:,} contacted cameras, {plan.owners_notified:,} owners, "
          f"{plan.opted_out_owners:,} opted-out owners, {int(plan.covers_incident.sum())} cameras see the incident")
    print(f"reference: one haversine pass over {N_TOTAL:,} points   {ref * 1e3:8.1f} ms")
    print(f"plan (containment, view, retention, rank, owners)     {t_plan * 1e3:8.1f} ms  ({t_plan / ref:.1f}x ref)")

    small = synthetic(N_STORE, N_INSIDE, seed=2)
    with tempfile.TemporaryDirectory() as tmp:
        conn = open_store(Path(tmp) / "bench.sqlite3")
        fill_store(conn, small)
        with transaction(conn):
            users = {n: add_user(conn, n, r) for n, r in (("ana", Role.ANALYST), ("sam", Role.SUPERVISOR))}
            agency = add_agency(conn)
        arrays = load_arrays(conn)
        from app.services.session import Session

        ana, sam = Session(conn, users["ana"]), Session(conn, users["sam"])
        creates, sends, notes = [], [], []
        for i in range(RUNS):
            with transaction(conn):
                incident = add_incident(conn, agency)
            d = svc.DraftInput(agency, f"BPD-14-{i:06d}", incident, "robbery", fence, end - timedelta(hours=2), end,
                               "benchmark", "Det. Bench")
            t0 = time.perf_counter()
            rid = svc.create_draft(ana, d, arrays=arrays, now=NOW)
            t1 = time.perf_counter()
            svc.submit(ana, rid, now=NOW)
            svc.approve(sam, rid, now=NOW)
            sent = svc.send(ana, rid, arrays=arrays, now=NOW)
            t2 = time.perf_counter()
            count = outreach.export_outreach_csv(ana, rid, Path(tmp) / f"notices-{i}.csv")
            t3 = time.perf_counter()
            creates.append(t1 - t0)
            sends.append(t2 - t1)
            notes.append(t3 - t2)
        conn.close()
    c, s, n = statistics.median(creates), statistics.median(sends), statistics.median(notes)
    print(f"store of {N_STORE:,} cameras: {sent.contacted_cameras:,} recipient rows, {count:,} notices per request")
    print(f"create_draft (plan + recipient rows + audit)          {c * 1e3:8.1f} ms")
    print(f"submit + approve + send (policy, re-plan, public no.) {s * 1e3:8.1f} ms")
    print(f"notices: contacts (audited) + mail-merge CSV          {n * 1e3:8.1f} ms")
    print(f"TOTAL create → CSV                                    {(c + s + n) * 1e3:8.1f} ms  (target < 1000 ms)")


if __name__ == "__main__":
    main()
