"""A request on real data: Baltimore's CitiWatch CCTV registry (592 cameras) as the registry and a real 2014
violent-crime location as the incident. The cameras chosen must be exactly those a brute-force haversine puts
within the fence, and the request must pass the whole lifecycle into the public log.

CitiWatch cameras are the city's own, so they belong to one owner here (the city): one notice for all of them.
The case-number format and the jurisdiction box are stand-ins (the open data has neither).
"""

from __future__ import annotations

import csv
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from app.core import geo, policy
from app.core.fence import CircleFence
from app.core.records import Role, to_iso
from app.services.requests import public_log as public_log_svc
from app.services.requests import workflow as svc
from app.services.session import Session
from app.store import requests as store
from app.store.db import open_store, transaction
from tests.request_world import add_user

WKT = re.compile(r"POINT \((-?\d+(?:\.\d+)?) (-?\d+(?:\.\d+)?)\)")
RADIUS_M = 300.0
# Baltimore City's bounding box, roughly: a stand-in for the agency's jurisdiction polygon.
JURISDICTION = ('{"type": "Polygon", "coordinates": [[[-76.712, 39.197], [-76.529, 39.197], [-76.529, 39.372], '
                '[-76.712, 39.372], [-76.712, 39.197]]]}')


def read_cameras(path: Path) -> list[tuple[float, float, str]]:
    out = []
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            m = WKT.fullmatch(row["the_geom"].strip())
            assert m, row["the_geom"]
            out.append((float(m.group(2)), float(m.group(1)), row["Name"].strip()))
    return out


def read_incidents(path: Path) -> list[tuple[datetime, float, float, str]]:
    local = ZoneInfo("America/New_York")
    out = []
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            when = datetime.strptime(f"{row['crime_date']} {row['crime_time']}", "%m/%d/%y %H:%M:%S")
            out.append((when.replace(tzinfo=local).astimezone(timezone.utc), float(row["latitude"]),
                        float(row["longitude"]), row["description"].strip().lower()))
    return out


@pytest.fixture
def baltimore(shared_data: Path, tmp_path: Path):  # noqa: ANN201
    cams = read_cameras(shared_data / "baltimore-citiwatch" / "BPD_Cameras.csv")
    incidents = read_incidents(shared_data / "baltimore-citiwatch" / "violent_crime_2014_geocoded_subset_clean.csv")
    assert len(cams) == 592 and len(incidents) == 300
    conn = open_store(tmp_path / "baltimore.sqlite3")
    with transaction(conn):
        users = {"ana": add_user(conn, "ana", Role.ANALYST), "sam": add_user(conn, "sam", Role.SUPERVISOR)}
        conn.execute("INSERT INTO owners (id, display_name, email, consent, anonymity_no, created_at) VALUES (1, "
                     "'City of Baltimore (CitiWatch)', 'citiwatch@example.org', 'opt_in', 1, '2014-01-01T00:00:00Z')")
        conn.executemany("INSERT INTO cameras (owner_id, lat, lon, kind, source, registered_on, label) "
                         "VALUES (1, ?, ?, 'city_cctv', 'imported', '2014-01-01T00:00:00Z', ?)", cams)
        agency = conn.execute("INSERT INTO agencies (name, kind, city, state, jurisdiction_geojson, "
                              "case_number_pattern) VALUES ('Baltimore Police Department', 'police', 'Baltimore', "
                              "'MD', ?, ?)", (JURISDICTION, r"^\d{2}[A-Z]\d{5}$")).lastrowid
    yield conn, users, agency, cams, incidents
    conn.close()


def test_citiwatch_request_for_a_real_2014_incident(baltimore) -> None:  # noqa: ANN001
    conn, users, agency, cams, incidents = baltimore
    lat = np.array([c[0] for c in cams])
    lon = np.array([c[1] for c in cams])
    # The incident with the most cameras within the radius (brute force, independent of the fence code).
    counts = [int(np.count_nonzero(geo.haversine_m(i_lat, i_lon, lat, lon) <= RADIUS_M))
              for _, i_lat, i_lon, _ in incidents]
    best = int(np.argmax(counts))
    when, i_lat, i_lon, category = incidents[best]
    expected_ids = set((np.flatnonzero(geo.haversine_m(i_lat, i_lon, lat, lon) <= RADIUS_M) + 1).tolist())
    assert counts[best] >= 3, counts[best]
    print(f'incident {best}: {counts[best]} CitiWatch cameras within {RADIUS_M:.0f} m')

    ana, sam = Session(conn, users["ana"]), Session(conn, users["sam"])
    now = when + timedelta(days=1)
    incident = svc.create_incident(ana, when, i_lat, i_lon, category, "14A00001", agency, now=now)
    fence = CircleFence(i_lat, i_lon, RADIUS_M)
    draft = svc.DraftInput(agency, "14A00001", incident, category, fence, when - timedelta(minutes=30),
                           when + timedelta(minutes=30), "Real 2014 incident location (test)", "Det. Test")
    assert all(r.ok for r in svc.check_draft(conn, draft, now)), svc.check_draft(conn, draft, now)
    rid = svc.create_draft(ana, draft, now=now)
    svc.submit(ana, rid, now=now)
    svc.approve(sam, rid, now=now)
    plan = svc.send(ana, rid, now=now)

    assert set(plan.camera_ids.tolist()) == expected_ids
    assert plan.cameras_inside == len(expected_ids) == plan.contacted_cameras
    assert plan.owners_notified == 1 and len(store.recipients(conn, rid)) == 1   # one notice for the city
    assert not plan.covers_incident.any()      # CitiWatch publishes no headings: nobody is ranked as covering
    assert not plan.likely_overwritten.any()   # …nor retention: nothing flagged
    ranked = geo.haversine_m(i_lat, i_lon, *np.array([[lat[i - 1], lon[i - 1]] for i in plan.camera_ids]).T)
    assert np.all(np.diff(ranked) >= 0)        # then nearest first

    entry = public_log_svc.public_log_entries(conn)[0]
    assert entry.notified == 1 and entry.state == "sent" and entry.window_start == to_iso(when - timedelta(minutes=30))
    far = geo.haversine_m(entry.center_lat, entry.center_lon, *np.asarray(fence.ring()).T)
    assert np.all(far <= entry.radius_m)

    # A second request for the same incident is allowed; a third needs an override.
    second = svc.create_draft(ana, draft, now=now)
    svc.submit(ana, second, now=now)
    svc.approve(sam, second, now=now)
    svc.send(ana, second, now=now)
    third = svc.check_draft(conn, draft, now)
    assert [r.rule for r in third if not r.ok] == [policy.INCIDENT_LIMIT]
