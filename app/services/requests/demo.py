"""Footage requests for the Harbor Falls demo city, so a first launch shows the workflow in use.

Seven requests, replayed through the real services (app.services.requests.workflow) by the demo users: ana writes each
one, sam approves (two-person rule). Their states cover the lifecycle: two resolved with outcomes, one expired,
one withdrawn, one sent with some answers in, one awaiting approval, and one draft whose checklist shows a broken
rule. The transitions, public log numbers, recipients and audit entries are the services' own.

No policy override is scripted (overrides now take the services' `now`, so one could be added on the demo's
timeline; the transparency report would then count it).

The services take a `now`; the script runs on the demo city's clock (its "today", from the demo_city_created
audit entry), oldest act first, so a request sent weeks ago has been resolved or has expired, and the public
log is numbered in sending order. Audit entries are stamped when they are really written (at generation);
a closing "demo_requests_created" entry says so.

Deterministic for a given store: incidents are chosen from the city's own agency reports by age and category.
"""

from __future__ import annotations

import logging
import math
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta, timezone
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.core.camera_arrays import CameraArrays
    from app.core.fence import Fence
    from app.services.requests.workflow import DraftInput
    from app.services.session import Session

log = logging.getLogger(__name__)

# Everything heavy (numpy, the request services) is imported only when there is something to create: opening
# an existing demo store happens before the window's first paint.

_M_PER_DEG_LAT = 111_195.0
CONTACT = "Det. R. Alvarez, Property Crimes Unit, 541-555-0142, r.alvarez@harborfalls-pd.example"
DESCRIPTIONS = {  # the demo city's report categories (app.core.demo_text.REPORT_CATEGORIES)
    "burglary": "Residential burglary ({case}): entry forced while the residents were out. Asking for footage of "
                "the street and alleys in the window.",
    "vehicle break-in": "Vehicle break-in ({case}): a window smashed on a car parked on the street and items "
                        "taken from it.",
    "package theft": "Package theft ({case}): parcels taken from porches on the block after a delivery round.",
    "vandalism": "Vandalism ({case}): paint sprayed on shutters and fences along the block.",
    "hit and run": "Hit and run ({case}): a parked car struck; the driver left without stopping.",
}


@dataclass(frozen=True)
class _Incident:
    id: int
    at: datetime
    category: str
    case_number: str
    lat: float
    lon: float


@dataclass(frozen=True)
class _Spec:
    """What one scripted request looks like; the incident is chosen to fit it."""

    key: str
    age_days: tuple[float, float]     # the incident happened between this many days before the demo's today
    categories: tuple[str, ...]       # preferred offense categories, best first (any other will do)
    shape: str                        # circle | rect | polygon (see _fence)
    size_m: float
    window_h: tuple[float, float]     # hours before and after the incident
    min_owners: int = 6
    seeing: bool = False              # prefer an incident that a contacted camera looks at
    written_days: float | None = None  # written no earlier than this many days before today (a later canvass)
    expect_fail: frozenset[str] = frozenset()
    note: str = ""


@dataclass
class _Req:
    """One scripted request; id is known once its create step has run."""

    key: str
    created: datetime
    id: int = 0
    steps: list[tuple[datetime, Callable[[], None]]] = field(default_factory=list)


def _demo_today(conn: sqlite3.Connection) -> datetime:
    """Midnight UTC of the demo city's "today" (what its incidents are dated against); else of today's date."""
    import json

    row = conn.execute("SELECT details FROM audit_log WHERE action = 'demo_city_created' ORDER BY seq DESC "
                       "LIMIT 1").fetchone()
    day = None
    if row:
        try:
            day = datetime.fromisoformat(str(json.loads(row[0])["today"])).date()
        except (ValueError, KeyError, TypeError):
            day = None
    if day is None:
        day = datetime.now(timezone.utc).date()
    return datetime.combine(day, time(0, 0), tzinfo=timezone.utc)


def _offset(lat: float, lon: float, north_m: float, east_m: float) -> tuple[float, float]:
    return lat + north_m / _M_PER_DEG_LAT, lon + east_m / (_M_PER_DEG_LAT * math.cos(math.radians(lat)))


def _fence(shape: str, lat: float, lon: float, size_m: float) -> Fence:
    """A fence round the incident: a circle of radius size_m, a square of half-side size_m, or a hexagon stretched
    east-west along the street (a corridor 4.4 × size_m long, 1.6 × size_m wide)."""
    from app.core.fence import CircleFence, PolygonFence, RectFence

    if shape == "circle":
        return CircleFence(lat, lon, size_m)
    if shape == "rect":
        s, w = _offset(lat, lon, -size_m, -size_m)
        n, e = _offset(lat, lon, size_m, size_m)
        return RectFence(s, w, n, e)
    # A hexagon stretched along the street: 4.4 × size_m east-west, 1.6 × size_m north-south.
    pts = [(0.0, -2.2), (0.8, -1.6), (0.8, 1.6), (0.0, 2.2), (-0.8, 1.6), (-0.8, -1.6)]
    return PolygonFence(tuple(_offset(lat, lon, a * size_m, b * size_m) for a, b in pts))


class _Script:
    def __init__(self, conn: sqlite3.Connection, ana: Session, sam: Session, arrays: CameraArrays,
                 today: datetime, agency_id: int) -> None:
        self.conn, self.ana, self.sam = conn, ana, sam
        self.arrays, self.today, self.agency_id = arrays, today, agency_id
        self.used: set[int] = set()
        self.requests: list[_Req] = []

    # --- choosing incidents ---------------------------------------------------------------------------------------
    def incident(self, spec: _Spec) -> tuple[_Incident, Fence] | None:
        """The agency report between spec.age_days old, of the most preferred category there is (newest first),
        whose request would break exactly the rules in spec.expect_fail and reach at least spec.min_owners; with
        spec.seeing, one that a contacted camera looks at if there is such."""
        from app.core import policy
        from app.core.recipients import plan_recipients
        from app.core.records import from_iso, to_iso
        from app.services.requests import workflow as svc

        youngest, oldest = (self.today - timedelta(days=d) for d in spec.age_days)
        rows = self.conn.execute(
            "SELECT id, occurred_at, category, case_number, lat, lon FROM incidents WHERE source = 'agency_report' "
            "AND agency_id = ? AND case_number != '' AND lat IS NOT NULL AND occurred_at BETWEEN ? AND ? "
            "ORDER BY occurred_at DESC, id DESC", (self.agency_id, to_iso(oldest), to_iso(youngest))).fetchall()
        rank = {c: i for i, c in enumerate(spec.categories)}
        rows.sort(key=lambda r: rank.get(r[2], len(rank)))  # stable: newest first within a category
        fitting: list[tuple[_Incident, Fence, bool]] = []
        for row in rows:
            if row[0] in self.used or row[2] not in DESCRIPTIONS:
                continue
            inc = _Incident(row[0], from_iso(row[1]), row[2], row[3], row[4], row[5])
            fence = _fence(spec.shape, inc.lat, inc.lon, spec.size_m)
            draft = self.draft(inc, fence, spec)
            written = self.written(inc, spec)
            failed = {r.rule for r in policy.failures(svc.check_draft(self.conn, draft, written))}
            if failed != set(spec.expect_fail):
                continue
            plan = plan_recipients(self.arrays, fence, inc.lat, inc.lon, draft.window_end, written)
            if plan.owners_notified < spec.min_owners:
                continue
            seen = bool(plan.covers_incident.any())
            fitting.append((inc, fence, seen))
            if seen or not spec.seeing:
                break
        if not fitting:
            return None
        inc, fence, _seen = next((f for f in fitting if f[2]), fitting[0])
        self.used.add(inc.id)
        return inc, fence

    def draft(self, inc: _Incident, fence: Fence, spec: _Spec) -> DraftInput:
        from app.services.requests.workflow import DraftInput

        text = DESCRIPTIONS[inc.category].format(case=inc.case_number) + spec.note
        return DraftInput(self.agency_id, inc.case_number, inc.id, inc.category, fence,
                          inc.at - timedelta(hours=spec.window_h[0]), inc.at + timedelta(hours=spec.window_h[1]),
                          text, CONTACT)

    # --- scripting --------------------------------------------------------------------------------------------------
    def request(self, spec: _Spec) -> tuple[_Req, _Incident] | None:
        """Schedule the creation of one draft by ana, the working day after the incident."""
        from app.services.requests import workflow as svc

        found = self.incident(spec)
        if found is None:
            log.warning("demo requests: no incident fits %r; that request is left out", spec.key)
            return None
        inc, fence = found
        req = _Req(spec.key, self.written(inc, spec))
        draft = self.draft(inc, fence, spec)

        def create() -> None:
            req.id = svc.create_draft(self.ana, draft, self.arrays, now=req.created)

        req.steps.append((req.created, create))
        self.requests.append(req)
        return req, inc

    def written(self, inc: _Incident, spec: _Spec) -> datetime:
        """When ana writes the request: 14 hours after the incident, or spec.written_days before today if later."""
        at = inc.at + timedelta(hours=14)
        if spec.written_days is not None:
            at = max(at, self.today - timedelta(days=spec.written_days))
        return at.replace(microsecond=0)

    def then(self, req: _Req, when: datetime, act: Callable[..., object], session: Session, *args: object,
             **kwargs: object) -> None:
        """Schedule act(session, req.id, *args, now=when, **kwargs): a service call at a moment of the demo's clock.
        req.id is read when the step runs (after the step creating it)."""
        req.steps.append((when, lambda: act(session, req.id, *args, now=when, **kwargs)))

    def through_sending(self, req: _Req, inc: _Incident) -> datetime:
        """Submitted by ana, approved by sam, sent by ana. Returns the sending time."""
        from app.services.requests import workflow as svc

        t = req.created
        self.then(req, t + timedelta(minutes=20), svc.submit, self.ana)
        self.then(req, t + timedelta(hours=2, minutes=30), svc.approve, self.sam)
        sent = t + timedelta(hours=3)
        self.then(req, sent, svc.send, self.ana, self.arrays)
        return sent

    def answers(self, req: _Req, sent: datetime, answers: list[tuple[float, int, str, bool]]) -> None:
        """(hours after sending, position of the owner in rank order, state, opts out of all future requests)."""
        for hours, pos, state, opt_out in answers:
            self.then(req, sent + timedelta(hours=hours), self.answer, self.ana, pos, state, opt_out=opt_out)

    def answer(self, session: Session, request_id: int, pos: int, state: str, now: datetime, opt_out: bool) -> None:
        """The answer of the owner at rank position pos (if the request reached that many owners)."""
        from app.core.records import RecipientState
        from app.services.requests import responses as responses_svc
        from app.store import requests as store

        owners = [r.owner_id for r in store.recipients(self.conn, request_id)]
        if pos < len(owners):
            responses_svc.record_response(session, request_id, owners[pos], RecipientState(state), now=now,
                                          opt_out=opt_out)

    def run(self) -> None:
        """Every scheduled step of every request, oldest first (so public numbers follow the sending order)."""
        steps = [(when, i, j, fn) for i, req in enumerate(self.requests) for j, (when, fn) in enumerate(req.steps)]
        for _when, _i, _j, fn in sorted(steps, key=lambda s: s[:3]):
            fn()


def _script(s: _Script) -> _Req | None:
    """Write the seven requests; returns the one that is to expire (expiry runs after the others are stored)."""
    from app.core import policy
    from app.services.requests import workflow as svc

    sh, dc, nf = "shared", "declined", "no_footage"
    day = timedelta(days=1)

    # 1. Resolved: footage useful, and an arrest.
    found = s.request(_Spec("resolved_arrest", (60, 120), ("burglary",), "circle", 330, (3, 1), seeing=True))
    if found:
        req, inc = found
        sent = s.through_sending(req, inc)
        s.answers(req, sent, [(4, 0, sh, False), (9, 2, dc, False), (20, 1, sh, False), (27, 4, nf, False),
                              (31, 3, dc, False), (52, 6, sh, False)])
        s.then(req, sent + 4 * day, svc.resolve, s.ana, True, True,
               "Two shared clips showed the vehicle leaving; its plate led to an arrest.")

    # 2. Resolved: nothing useful. One owner declines and opts out of all future requests.
    found = s.request(_Spec("resolved_no_result", (44, 60), ("package theft",), "rect", 230, (2, 1)))
    if found:
        req, inc = found
        sent = s.through_sending(req, inc)
        s.answers(req, sent, [(3, 0, nf, False), (8, 1, dc, True), (14, 3, sh, False), (40, 2, dc, False)])
        s.then(req, sent + 6 * day, svc.resolve, s.ana, False, False,
               "The shared clip did not show the porch; closed without a suspect.")

    # 3. Expired: few answers before the week ran out, and nobody resolved it.
    expiring: _Req | None = None
    found = s.request(_Spec("expired", (26, 40), ("vehicle break-in", "hit and run"), "circle", 380, (8, 2),
                            note=" The car was parked overnight, so the window covers the evening and night."))
    if found:
        req, inc = found
        sent = s.through_sending(req, inc)
        s.answers(req, sent, [(6, 0, nf, False), (30, 2, dc, False)])
        expiring = req

    # 4. Withdrawn after sending: solved by other means, so owners are not asked needlessly.
    found = s.request(_Spec("withdrawn", (12, 22), ("vehicle break-in", "vandalism"), "polygon", 150, (2, 1)))
    if found:
        req, inc = found
        sent = s.through_sending(req, inc)
        s.answers(req, sent, [(5, 1, dc, False)])
        s.then(req, sent + 2 * day, svc.withdraw, s.ana,
               "A suspect was identified from a witness statement; the footage is no longer needed.")

    # 5. Sent about two days ago (young enough not to have expired): some answers in, the rest pending.
    found = s.request(_Spec("sent", (2.2, 16), ("burglary", "vehicle break-in", "package theft"), "circle", 300,
                            (2, 1), seeing=True, written_days=2.6))
    if found:
        req, inc = found
        sent = s.through_sending(req, inc)
        s.answers(req, sent, [(3, 0, sh, False), (7, 1, dc, False), (19, 3, nf, False)])

    # 6. Awaiting a supervisor's approval.
    found = s.request(_Spec("awaiting_approval", (1.5, 21), ("vandalism", "package theft"), "circle", 260, (3, 1),
                            min_owners=3, written_days=1.4))
    if found:
        req, inc = found
        s.then(req, req.created + timedelta(hours=1), svc.submit, s.ana)

    # 7. A draft that breaks a rule: the area is too large (its checklist says so; it cannot be sent as it is).
    s.request(_Spec("draft", (0.6, 25), ("package theft", "burglary"), "circle", 760, (2, 1), min_owners=3,
                    written_days=0.5, expect_fail=frozenset({policy.AREA}),
                    note=" Draft: the area still needs narrowing."))
    return expiring


def ensure_demo_requests(conn: sqlite3.Connection) -> int:
    """Create the demo's footage requests once, on a demo store with its city and users. Returns how many.

    Does nothing (returns 0) when any footage request exists, or when the demo city's agency or the demo users ana
    and sam are missing."""
    if conn.execute("SELECT EXISTS (SELECT 1 FROM footage_requests)").fetchone()[0]:
        return 0
    from app.core.records import from_iso, to_iso
    from app.services.requests import workflow as svc
    from app.services.session import Session, User
    from app.store import audit
    from app.store import requests as request_store
    from app.store import users as user_store
    from app.store.camera_arrays import load_arrays
    from app.store.db import transaction

    sessions = {}
    for name in ("ana", "sam"):
        rec = user_store.get_by_name(conn, name)
        if rec is None or not rec.active:
            log.info("demo requests: no active demo user %r; none created", name)
            return 0
        # The users never signed in: these sessions only carry who acted (no sign-in entry is faked).
        sessions[name] = Session(conn, User(rec.id, rec.name, rec.role))
    agency = conn.execute("SELECT id FROM agencies WHERE case_number_pattern != '' AND jurisdiction_geojson IS NOT "
                          "NULL ORDER BY id LIMIT 1").fetchone()
    if agency is None:
        return 0
    today = _demo_today(conn)
    script = _Script(conn, sessions["ana"], sessions["sam"], load_arrays(conn), today, agency[0])
    with transaction(conn):
        if conn.execute("SELECT EXISTS (SELECT 1 FROM footage_requests)").fetchone()[0]:
            return 0  # another writer got there first
        expiring = _script(script)
        script.run()
        made = {r.key: r.id for r in script.requests}
        audit.append(conn, "system", "demo_requests_created", "city:demo", {
            "today": to_iso(today), "requests": made,
            "note": "replayed through the request services on the demo city's clock; entries are stamped when "
                    "they were written"})
    if expiring is not None:
        # expire_due runs its own transaction, as it does at launch; its clock is the request's own expiry.
        rec = request_store.get_request(conn, expiring.id)
        if rec is not None and rec.expires_at:
            svc.expire_due(conn, from_iso(rec.expires_at))
    return len(script.requests)
