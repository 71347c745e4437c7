"""Offline address search over a base map's street names and house numbers and the store's records. Pure Python
+ numpy, no Qt, no SQL (the service ``app.services.map.address_search`` builds one over a store).

What a query may be (case, accents and common abbreviations such as "St", "Ave", "Blvd" do not matter):

- a street: ``main st``, ``princesse grace`` (a word prefix of each word is enough: ``av prin gr``)
- a street and a house number: ``412 Main Street``, ``Main Street 412``, ``400 block of Main`` (block addresses
  as police reports write them); an exact house number first, else a number range of the block interpolated,
  else the nearest known number on that street
- an intersection: ``Main St & 4th Ave`` (also ``and``, ``at``, ``/``, ``@``)
- a case number: ``HF-2025-00123`` (or its beginning), or an incident: ``incident 42``, ``#42``

Results are ranked exact before partial: tier 0 = the whole text matches exactly, 1 = the name starts with it,
2 = every word of the text begins a word of the name; within a tier shorter names first. ``search`` answers in
well under 20 ms over 100,000 addresses (tests/benchmarks/bench_basemap.py).
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from app.core import geo
from app.core.basemap import BaseMap

ABBREVIATIONS = {
    "st": "street", "str": "street", "ave": "avenue", "av": "avenue", "avda": "avenue", "avinguda": "avenue",
    "rd": "road", "blvd": "boulevard", "bd": "boulevard", "bvd": "boulevard", "dr": "drive", "ln": "lane",
    "ct": "court", "pl": "place", "hwy": "highway", "pkwy": "parkway", "sq": "square", "ter": "terrace",
    "n": "north", "s": "south", "e": "east", "w": "west", "mt": "mount", "ste": "sainte",
}
_SPLIT_INTERSECTION = re.compile(r"\s*(?:&|/|@|\band\b|\bat\b|\bx\b)\s*")
_LEADING_NUMBER = re.compile(r"^(\d+[a-z]?)(?:\s*-\s*\d+[a-z]?)?\s+(?:block\s+(?:of\s+)?|blk\s+)?(.+)$")
_TRAILING_NUMBER = re.compile(r"^(.+?)[\s,]+(\d+[a-z]?)$")
_INCIDENT = re.compile(r"^(?:incident|post|report)?\s*#\s*(\d+)$|^(?:incident|post|report)\s+(\d+)$")
KIND_ORDER = {"address": 0, "intersection": 1, "street": 2, "case": 3, "incident": 4}


def normalize(text: str) -> str:
    """Lower case, no accents, punctuation as spaces, abbreviations spelled out."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    words = re.sub(r"[^\w#&/@-]+|(?<!\d)-|-(?!\d)", " ", plain).split()
    return " ".join(ABBREVIATIONS.get(w, w) for w in words)


def _number_value(number: str) -> int:
    m = re.match(r"\d+", number)
    return int(m.group()) if m else -1


@dataclass(frozen=True)
class Match:
    """One search result. ``x``/``y`` are Web Mercator metres of the point to centre on."""

    kind: str     # 'address', 'intersection', 'street', 'case' or 'incident'
    label: str
    lat: float
    lon: float
    x: float
    y: float
    tier: int     # 0 exact, 1 prefix, 2 word prefixes; 3 approximate (a nearby number)
    object_id: int | None = None   # incident id for 'case' and 'incident'


@dataclass(frozen=True)
class RecordPoint:
    """A store record that can be searched for: an incident by its case number and its number."""

    incident_id: int
    case_number: str
    label: str
    lat: float
    lon: float


def _match(kind: str, label: str, x: float, y: float, tier: int, object_id: int | None = None) -> Match:
    lon, lat = geo.xy_to_lonlat(x, y)
    return Match(kind, label, round(float(lat), 7), round(float(lon), 7), float(x), float(y), tier, object_id)


class AddressIndex:
    """Built once per base map (and set of records); ``search`` is cheap. See the module docstring."""

    def __init__(self, basemap: BaseMap | None, records: Iterable[RecordPoint] = ()) -> None:
        self.streets: list[str] = []
        self._norm_to_ids: dict[str, list[int]] = {}
        self._sorted_norms: list[str] = []
        self._token_streets: dict[str, set[int]] = {}
        self._sorted_tokens: list[str] = []
        self._segs = np.empty((0, 4))
        self._seg_start = np.zeros(1, np.int64)
        self._anchor = np.empty((0, 2))
        self._exact: dict[tuple[int, str], int] = {}
        self._addr_key = np.empty(0, np.int64)
        self._addr_order = np.empty(0, np.int64)
        self._addr_xy = np.empty((0, 2))
        self._addr_number: list[str] = []
        self._ranges = np.empty((0, 7))
        if basemap is not None:
            self._build_streets(basemap)
            self._build_addresses(basemap)
        self._build_records(list(records))

    # --- building ------------------------------------------------------------------------------------------------
    def _street_id(self, name: str) -> int:
        sid = self._ids.get(name)
        if sid is None:
            sid = self._ids[name] = len(self.streets)
            self.streets.append(name)
        return sid

    def _build_streets(self, bm: BaseMap) -> None:
        self._ids: dict[str, int] = {}
        roads = bm.roads
        named = np.flatnonzero(roads.name >= 0)
        # Map base-map name ids onto street ids (only names that some road carries, plus address streets).
        name_to_street = np.full(len(bm.names) + 1, -1, np.int64)
        for nid in np.unique(roads.name[named]).tolist():
            name_to_street[nid] = self._street_id(bm.names[nid])
        self._name_to_street = name_to_street
        # Segments of every named road, grouped by street id.
        fov = roads.feature_of_vertex()
        seg_ok = np.ones(roads.x.shape[0], bool)
        seg_ok[roads.start[1:] - 1] = False  # the last vertex of each feature starts no segment
        seg_ok &= roads.name[fov] >= 0 if fov.size else seg_ok
        idx = np.flatnonzero(seg_ok)
        street_of_seg = name_to_street[roads.name[fov[idx]]] if idx.size else np.empty(0, np.int64)
        order = np.argsort(street_of_seg, kind="stable")
        idx, street_of_seg = idx[order], street_of_seg[order]
        self._segs = np.column_stack([roads.x[idx], roads.y[idx], roads.x[idx + 1], roads.y[idx + 1]])
        self._seg_start = np.searchsorted(street_of_seg, np.arange(len(self.streets) + 1)).astype(np.int64)
        # Anchor of a street: the vertex closest to the middle of its extent (a point on the street itself).
        anchors = np.zeros((len(self.streets), 2))
        for sid in range(len(self.streets)):
            s = self._segs[self._seg_start[sid]:self._seg_start[sid + 1]]
            if s.shape[0] == 0:
                continue
            px, py = s[:, 0], s[:, 1]
            cx = (min(px.min(), s[:, 2].min()) + max(px.max(), s[:, 2].max())) / 2
            cy = (min(py.min(), s[:, 3].min()) + max(py.max(), s[:, 3].max())) / 2
            k = int(np.argmin((px - cx) ** 2 + (py - cy) ** 2))
            anchors[sid] = (px[k], py[k])
        self._anchor = anchors
        self._n_road_streets = len(self.streets)

    def _build_addresses(self, bm: BaseMap) -> None:
        a = bm.addresses
        for nid in np.unique(np.concatenate([a.street, a.r_street])).tolist():
            if 0 <= nid < len(bm.names) and self._name_to_street[nid] < 0:
                self._name_to_street[nid] = self._street_id(bm.names[nid])
        n_streets = len(self.streets)
        if self._anchor.shape[0] < n_streets:  # streets known only from addresses: anchored at their first address
            self._anchor = np.vstack([self._anchor, np.full((n_streets - self._anchor.shape[0], 2), np.nan)])
            self._seg_start = np.concatenate([self._seg_start, np.full(n_streets - self._seg_start.shape[0] + 1,
                                                                           self._seg_start[-1])])
        if len(a):
            sid = self._name_to_street[a.street]
            values = np.array([_number_value(n) for n in a.number], np.int64)
            self._addr_number = [n.lower().replace(" ", "") for n in a.number]
            self._addr_xy = np.column_stack([a.x, a.y])
            self._exact = {(int(s), n): k for k, (s, n) in enumerate(zip(sid.tolist(), self._addr_number,
                                                                          strict=True))}
            key = sid * 1_000_000_000 + np.clip(values, 0, 999_999_999)
            self._addr_order = np.argsort(key, kind="stable")
            self._addr_key = key[self._addr_order]
            missing = np.isnan(self._anchor[:, 0])
            for s in np.flatnonzero(missing).tolist():
                k = int(np.flatnonzero(sid == s)[0])
                self._anchor[s] = self._addr_xy[k]
        if a.r_lo.size:
            self._ranges = np.column_stack([self._name_to_street[a.r_street], a.r_lo, a.r_hi, a.r_xy]).astype(float)
            anchor_missing = np.isnan(self._anchor[:, 0])
            for s in np.flatnonzero(anchor_missing).tolist():
                r = self._ranges[self._ranges[:, 0] == s]
                if r.size:
                    self._anchor[s] = r[0, 3:5]
        self._anchor = np.nan_to_num(self._anchor)
        norms = [normalize(s) for s in self.streets]
        for sid, norm in enumerate(norms):
            self._norm_to_ids.setdefault(norm, []).append(sid)
            for token in norm.split():
                self._token_streets.setdefault(token, set()).add(sid)
        self._norms = norms
        self._sorted_norms = sorted(self._norm_to_ids)
        self._sorted_tokens = sorted(self._token_streets)

    def _build_records(self, records: list[RecordPoint]) -> None:
        self._records = records
        self._by_case = sorted((normalize(r.case_number), k) for k, r in enumerate(records) if r.case_number)
        self._case_keys = [c for c, _ in self._by_case]
        self._by_id = {r.incident_id: k for k, r in enumerate(records)}

    # --- streets ---------------------------------------------------------------------------------------------------
    def street_matches(self, query: str, limit: int = 10) -> list[tuple[int, int]]:
        """(tier, street id) of the streets whose name matches a normalized query, best first."""
        if not query or not self.streets:
            return []
        found: dict[int, int] = {}
        for sid in self._norm_to_ids.get(query, []):
            found[sid] = 0
        lo = bisect.bisect_left(self._sorted_norms, query)
        for norm in self._sorted_norms[lo:lo + 4 * limit]:
            if not norm.startswith(query):
                break
            for sid in self._norm_to_ids[norm]:
                found.setdefault(sid, 1)
        if len(found) < limit:
            candidates: set[int] | None = None
            for token in query.split():
                hit: set[int] = set()
                t_lo = bisect.bisect_left(self._sorted_tokens, token)
                for t in self._sorted_tokens[t_lo:]:
                    if not t.startswith(token):
                        break
                    hit |= self._token_streets[t]
                candidates = hit if candidates is None else candidates & hit
                if not candidates:
                    break
            for sid in sorted(candidates or (), key=lambda s: (len(self._norms[s]), self._norms[s])):
                found.setdefault(sid, 2)
                if len(found) >= 4 * limit:
                    break
        ranked = sorted(found.items(), key=lambda kv: (kv[1], len(self._norms[kv[0]]), self._norms[kv[0]]))
        return [(tier, sid) for sid, tier in ranked[:limit]]

    def _street_segments(self, sid: int) -> np.ndarray:
        return self._segs[self._seg_start[sid]:self._seg_start[sid + 1]]

    # --- house numbers -------------------------------------------------------------------------------------------
    def _house(self, sid: int, number: str) -> tuple[float, float, int, str] | None:
        """(x, y, tier, number as found) of a house number on a street: exact point, range, or nearest number."""
        k = self._exact.get((sid, number))
        if k is not None:
            return float(self._addr_xy[k, 0]), float(self._addr_xy[k, 1]), 0, number
        value = _number_value(number)
        if self._ranges.size:
            r = self._ranges
            m = (r[:, 0] == sid) & (r[:, 1] <= value) & (r[:, 2] >= value) & ((r[:, 1] - value) % 2 == 0)
            hits = np.flatnonzero(m)
            if hits.size:
                sid_, lo, hi, x0, y0, x1, y1 = r[hits[0]]
                t = 0.0 if hi == lo else (value - lo) / (hi - lo)
                return x0 + t * (x1 - x0), y0 + t * (y1 - y0), 0 if number.isdigit() else 1, str(value)
        if self._addr_key.size and value >= 0:
            base = sid * 1_000_000_000
            a = int(np.searchsorted(self._addr_key, base))
            b = int(np.searchsorted(self._addr_key, base + 1_000_000_000))
            if b > a:
                keys = self._addr_key[a:b] - base
                j = int(np.argmin(np.abs(keys - value)))
                k = int(self._addr_order[a + j])
                return float(self._addr_xy[k, 0]), float(self._addr_xy[k, 1]), 3, self._addr_number[k]
        return None

    # --- intersections -------------------------------------------------------------------------------------------
    def intersection(self, a: int, b: int, tolerance_m: float = 15.0) -> tuple[float, float] | None:
        """Where two streets cross or meet (within tolerance_m Mercator metres); the crossing nearest to both
        streets' middles when there are several."""
        sa, sb = self._street_segments(a), self._street_segments(b)
        if sa.shape[0] == 0 or sb.shape[0] == 0:
            return None
        # Bounding-box filter first, then exact segment crossing for the pairs that survive.
        ax0, ax1 = np.minimum(sa[:, 0], sa[:, 2]), np.maximum(sa[:, 0], sa[:, 2])
        ay0, ay1 = np.minimum(sa[:, 1], sa[:, 3]), np.maximum(sa[:, 1], sa[:, 3])
        bx0, bx1 = np.minimum(sb[:, 0], sb[:, 2]), np.maximum(sb[:, 0], sb[:, 2])
        by0, by1 = np.minimum(sb[:, 1], sb[:, 3]), np.maximum(sb[:, 1], sb[:, 3])
        tol = tolerance_m
        near = ((ax0[:, None] <= bx1[None, :] + tol) & (bx0[None, :] <= ax1[:, None] + tol)
                & (ay0[:, None] <= by1[None, :] + tol) & (by0[None, :] <= ay1[:, None] + tol))
        i, j = np.nonzero(near)
        if i.size == 0:
            return None
        p, r = sa[i, :2], sa[i, 2:] - sa[i, :2]
        q, s = sb[j, :2], sb[j, 2:] - sb[j, :2]
        denom = r[:, 0] * s[:, 1] - r[:, 1] * s[:, 0]
        qp = q - p
        with np.errstate(divide="ignore", invalid="ignore"):
            t = (qp[:, 0] * s[:, 1] - qp[:, 1] * s[:, 0]) / denom
            u = (qp[:, 0] * r[:, 1] - qp[:, 1] * r[:, 0]) / denom
        ok = np.isfinite(t) & (t >= 0) & (t <= 1) & (u >= 0) & (u <= 1)
        if ok.any():
            pts = p[ok] + t[ok, None] * r[ok]
        else:  # a T-junction drawn a little short, or two ways meeting at a shared end: closest endpoints
            ends_a = np.vstack([sa[:, :2], sa[:, 2:]])
            ends_b = np.vstack([sb[:, :2], sb[:, 2:]])
            d2 = ((ends_a[:, None, :] - ends_b[None, :, :]) ** 2).sum(axis=2)
            k = np.unravel_index(int(np.argmin(d2)), d2.shape)
            if d2[k] > tol * tol:
                return None
            pts = ((ends_a[k[0]] + ends_b[k[1]]) / 2)[None, :]
        mid = (self._anchor[a] + self._anchor[b]) / 2
        best = pts[int(np.argmin(((pts - mid) ** 2).sum(axis=1)))]
        return float(best[0]), float(best[1])

    # --- the search ----------------------------------------------------------------------------------------------
    def search(self, text: str, limit: int = 10) -> list[Match]:
        """Matches for what the user typed, best first (see the module docstring)."""
        q = normalize(text.strip())
        if q.startswith("the "):
            q = q[4:]
        if not q:
            return []
        out: list[Match] = []
        seen: set[tuple[str, str]] = set()

        def add(m: Match) -> None:
            if (m.kind, m.label) not in seen:
                seen.add((m.kind, m.label))
                out.append(m)

        self._search_records(q, add, limit)
        parts = [p for p in _SPLIT_INTERSECTION.split(q) if p]
        if len(parts) == 2 and self.streets:
            for ta, a in self.street_matches(parts[0], 3):
                for tb, b in self.street_matches(parts[1], 3):
                    if a == b:
                        continue
                    point = self.intersection(a, b)
                    if point is not None:
                        add(_match("intersection", f"{self.streets[a]} & {self.streets[b]}", *point, max(ta, tb)))
        number, street_q = None, None
        m = _LEADING_NUMBER.match(q)
        if m:
            number, street_q = m.group(1), m.group(2)
        else:
            m = _TRAILING_NUMBER.match(q)
            if m:
                street_q, number = m.group(1), m.group(2)
        if number is not None and street_q and self.streets:
            for tier, sid in self.street_matches(street_q, limit):
                house = self._house(sid, number)
                if house is not None:
                    x, y, htier, found = house
                    label = f"{found} {self.streets[sid]}" + (" (nearest number)" if htier == 3 else "")
                    add(_match("address", label, x, y, max(tier, htier)))
        for tier, sid in self.street_matches(q, limit):
            x, y = self._anchor[sid]
            add(_match("street", self.streets[sid], float(x), float(y), tier))
        out.sort(key=lambda r: (r.tier, KIND_ORDER[r.kind], len(r.label), r.label))
        return out[:limit]

    def _search_records(self, q: str, add: object, limit: int) -> None:
        m = _INCIDENT.match(q)
        if m:
            k = self._by_id.get(int(m.group(1) or m.group(2)))
            if k is not None:
                r = self._records[k]
                x, y = geo.lonlat_to_xy(r.lon, r.lat)
                add(_match("incident", r.label, float(x), float(y), 0, r.incident_id))  # type: ignore[operator]
        if not self._case_keys or len(q) < 3:
            return
        lo = bisect.bisect_left(self._case_keys, q)
        for case, k in self._by_case[lo:lo + limit]:
            if not case.startswith(q):
                break
            r = self._records[k]
            x, y = geo.lonlat_to_xy(r.lon, r.lat)
            add(_match("case", f"{r.case_number} — {r.label}", float(x), float(y),  # type: ignore[operator]
                       0 if case == q else 1, r.incident_id))

    def geocode(self, text: str) -> tuple[float, float, str] | None:
        """The best match as (lat, lon, matched name), or None. Approximate matches (nearest number) count."""
        results = self.search(text, 1)
        if not results:
            return None
        best = results[0]
        return best.lat, best.lon, best.label
