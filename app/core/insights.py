"""The dashboards' series, computed from the loaded facts under one filter (period, agency, area). Numpy only.

Each function returns plain arrays that a plot hands to ``setData``; nothing here knows about Qt. Days are days
since 1970-01-01 UTC (floats); the plots multiply by 86,400 for pyqtgraph's DateAxisItem.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

import numpy as np

from app.core.districts import NO_DISTRICT
from app.core.insight_facts import ANSWER_STATES, REQUEST_STATES, Facts

# Studies of CCTV in investigations (Ashby 2017, 251,195 crimes, British Transport Police): footage was
# available in 45 % of cases and useful in 29 %.
PUBLISHED_AVAILABLE = 0.45
PUBLISHED_USEFUL = 0.29
WEEK = 7.0
ANSWER_LABELS = {"shared": "Shared", "declined": "Declined", "no_footage": "No footage", "no_response": "No response",
                 "pending": "Pending"}
STATE_LABELS = {"draft": "Draft", "awaiting_approval": "Awaiting approval", "sent": "Sent", "resolved": "Resolved",
                "expired": "Expired", "withdrawn": "Withdrawn"}


@dataclass(frozen=True)
class Filters:
    start_day: float | None = None     # inclusive
    end_day: float | None = None       # exclusive
    agency_id: int | None = None
    district: int | None = None


@dataclass
class Series:
    """One plot's data: x values and named y series (or bar labels and values)."""

    x: np.ndarray
    ys: dict[str, np.ndarray] = field(default_factory=dict)
    labels: list[str] = field(default_factory=list)
    note: str = ""


def _in_period(day: np.ndarray, f: Filters) -> np.ndarray:
    m = np.isfinite(day)
    if f.start_day is not None:
        m &= day >= f.start_day
    if f.end_day is not None:
        m &= day < f.end_day
    return m


class InsightData:
    """The facts plus the per-agency jurisdiction masks (computed once per agency, then reused)."""

    def __init__(self, facts: Facts) -> None:
        self.facts = facts
        self._juris: dict[int, np.ndarray] = {}

    def camera_mask(self, f: Filters) -> np.ndarray:
        c = self.facts.cameras
        m = np.ones(c.day.shape[0], dtype=bool)
        if f.district is not None:
            m &= c.district == f.district
        if f.agency_id is not None:
            m &= self._jurisdiction_mask(f.agency_id)
        return m

    def _jurisdiction_mask(self, agency_id: int) -> np.ndarray:
        if agency_id not in self._juris:
            c = self.facts.cameras
            text = self.facts.jurisdictions.get(agency_id)
            if not text:
                self._juris[agency_id] = np.ones(c.day.shape[0], dtype=bool)
            else:
                import shapely

                geom = shapely.geometry.shape(json.loads(text))
                shapely.prepare(geom)
                self._juris[agency_id] = shapely.contains_xy(geom, c.lon, c.lat)
        return self._juris[agency_id]

    def request_mask(self, f: Filters, sent: bool = True) -> np.ndarray:
        r = self.facts.requests
        m = _in_period(r.sent_day if sent else r.created_day, f)
        if f.agency_id is not None:
            m &= r.agency == f.agency_id
        if f.district is not None:
            m &= r.district == f.district
        return m

    # --- the plots' series -------------------------------------------------------------------------------
    def week_bins(self, f: Filters, days: np.ndarray) -> np.ndarray:
        """Week starts (days) spanning the period, or the data when the period is open."""
        finite = days[np.isfinite(days)]
        lo = f.start_day if f.start_day is not None else (float(finite.min()) if finite.size else 0.0)
        hi = f.end_day if f.end_day is not None else (float(finite.max()) + 1 if finite.size else lo + WEEK)
        lo = math.floor(lo)
        n = max(1, math.ceil((hi - lo) / WEEK))
        return lo + WEEK * np.arange(n + 1, dtype=np.float64)

    def cameras_over_time(self, f: Filters, sources: list[str]) -> Series:
        """Cameras registered up to each week's end, per source (cumulative)."""
        c = self.facts.cameras
        m = self.camera_mask(f)
        edges = self.week_bins(f, c.day[m])
        out = Series(edges[1:])
        for k, name in enumerate(sources):
            d = c.day[m & (c.source == k)]
            before = np.count_nonzero(d < edges[0])
            idx = np.floor((d - edges[0]) / WEEK).astype(np.int64)
            idx = idx[(idx >= 0) & (idx < edges.size - 1)]
            out.ys[name] = before + np.cumsum(np.bincount(idx, minlength=edges.size - 1)).astype(np.float64)
        return out

    def requests_per_week(self, f: Filters) -> Series:
        """Requests created each week, by their state now."""
        r = self.facts.requests
        m = self.request_mask(f, sent=False)
        edges = self.week_bins(f, r.created_day[m])
        out = Series(edges[:-1])
        idx = np.floor((r.created_day[m] - edges[0]) / WEEK).astype(np.int64)
        state = r.state[m]
        ok = (idx >= 0) & (idx < edges.size - 1)
        for k, name in enumerate(REQUEST_STATES):
            sel = ok & (state == k)
            out.ys[name] = np.bincount(idx[sel], minlength=edges.size - 1).astype(np.float64)
        return out

    def answers(self, f: Filters) -> Series:
        r = self.facts.requests
        totals = r.answers[self.request_mask(f)].sum(axis=0)
        return Series(np.arange(len(ANSWER_STATES), dtype=np.float64), {"owners": totals.astype(np.float64)},
                      [ANSWER_LABELS[s] for s in ANSWER_STATES])

    def district_rates(self, f: Filters, top: int = 12) -> Series:
        """Share and decline rates (of owners notified) for the districts with most notices."""
        from app.core.districts import district_label

        r = self.facts.requests
        m = self.request_mask(f) & (r.district != NO_DISTRICT)
        d = r.district[m]
        notified = r.answers[m].sum(axis=1)
        if d.size == 0:
            return Series(np.empty(0), {"shared": np.empty(0), "declined": np.empty(0)}, [])
        codes, inv = np.unique(d, return_inverse=True)
        n = np.bincount(inv, weights=notified)
        shared = np.bincount(inv, weights=r.answers[m][:, ANSWER_STATES.index("shared")])
        declined = np.bincount(inv, weights=r.answers[m][:, ANSWER_STATES.index("declined")])
        order = np.lexsort((codes, -n))[:top]
        order = order[n[order] > 0]
        with np.errstate(invalid="ignore", divide="ignore"):
            return Series(np.arange(order.size, dtype=np.float64),
                          {"shared": shared[order] / n[order], "declined": declined[order] / n[order],
                           "notified": n[order]}, [district_label(int(c)) for c in codes[order]])

    def first_answer_histogram(self, f: Filters, bin_h: float = 6.0, max_h: float = 168.0) -> Series:
        r = self.facts.requests
        h = r.first_answer_h[self.request_mask(f)]
        h = h[np.isfinite(h)]
        edges = np.arange(0.0, max_h + bin_h, bin_h)
        counts = np.bincount(np.minimum((np.maximum(h, 0) // bin_h).astype(np.int64), edges.size - 2),
                             minlength=edges.size - 1).astype(np.float64)
        return Series(edges, {"requests": counts}, note=f"{h.size} requests answered; the last bin holds "
                                                         f"{max_h - bin_h:g} h and more")

    def effectiveness(self, f: Filters) -> Series:
        r = self.facts.requests
        m = self.request_mask(f)
        sent = int(m.sum())
        notified = int(r.answers[m].sum())
        shared_owners = int(r.answers[m][:, ANSWER_STATES.index("shared")].sum())
        available = int(np.count_nonzero(r.answers[m][:, ANSWER_STATES.index("shared")] > 0))
        useful = int(np.count_nonzero(r.useful[m] == 1))
        arrests = int(np.count_nonzero(r.arrest[m] == 1))
        values = np.array([sent, notified, shared_owners, useful, arrests], dtype=np.float64)
        rates = np.array([available / sent if sent else 0.0, useful / sent if sent else 0.0])
        return Series(np.arange(5, dtype=np.float64), {"count": values, "rates": rates,
                                                       "published": np.array([PUBLISHED_AVAILABLE, PUBLISHED_USEFUL])},
                      ["Requests", "Owners notified", "Owners shared", "Useful footage", "Arrests"])

    def program_funnel(self, f: Filters) -> Series:
        p = self.facts.program
        ship = _in_period(p.shipment_day, f)
        cred = _in_period(p.credit_day, f)
        dist = _in_period(p.distribution_day, f)
        if f.agency_id is not None:
            ship &= p.shipment_agency == f.agency_id
            cred &= p.credit_agency == f.agency_id
            dist &= p.distribution_agency == f.agency_id
        if f.district is not None:
            dist &= p.distribution_district == f.district
        conditional = (np.nan if p.distribution_conditional is None
                       else float(np.count_nonzero(p.distribution_conditional[dist])))
        handed = dist.sum() if p.distribution_units is None else p.distribution_units[dist].sum()
        values = np.array([p.shipment_units[ship].sum(), p.credit_units[cred].sum(), handed,
                           np.count_nonzero(p.distribution_registered[dist]), conditional], dtype=np.float64)
        note = "" if p.distribution_conditional is not None else "conditional handouts: not recorded in this store"
        return Series(np.arange(5, dtype=np.float64), {"units": values},
                      ["Units received", "Units earned", "Distributed", "Installed and registered",
                       "Conditional handouts"], note)

    def partnership_growth(self, f: Filters) -> Series:
        p = self.facts.program
        d = p.partnered_day
        sel = np.isfinite(d)
        if f.agency_id is not None:
            sel &= p.agency_ids == f.agency_id
        days = np.sort(d[sel])
        if f.end_day is not None:
            days = days[days < f.end_day]
        return Series(days, {"agencies": np.arange(1, days.size + 1, dtype=np.float64)})

    def evidence(self, f: Filters) -> Series:
        e = self.facts.evidence
        agency = np.ones(e.received_day.shape[0], dtype=bool) if f.agency_id is None else e.agency == f.agency_id
        received = _in_period(e.received_day, f) & agency
        end = f.end_day if f.end_day is not None else np.inf
        held = agency & (e.received_day < end) & ~(e.purged_day < end)
        purged = _in_period(e.purged_day, f) & agency
        hold = agency & e.legal_hold & ~np.isfinite(e.purged_day)
        onward = np.nan
        orgs: dict[str, int] = {}
        if e.shared_onward is not None:
            for day, ag, org in e.shared_onward:
                if (f.agency_id is None or ag == f.agency_id) and _in_period(np.array([day]), f)[0]:
                    orgs[org] = orgs.get(org, 0) + 1
            onward = float(sum(orgs.values()))
        values = np.array([received.sum(), held.sum(), purged.sum(), hold.sum(), onward], dtype=np.float64)
        note = "" if e.shared_onward is not None else "onward sharing: not recorded in this store"
        out = Series(np.arange(5, dtype=np.float64), {"items": values},
                     ["Received", "Held", "Purged", "On legal hold", "Shared onward"], note)
        out.ys["by_org"] = np.array([orgs[k] for k in sorted(orgs)], dtype=np.float64)
        out.note = note
        self.onward_orgs = sorted(orgs)
        return out
