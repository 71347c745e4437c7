"""A base map as numpy arrays: roads by class, railways, waterways, water/park/building areas, street names and
addresses. Pure Python + numpy; the store keeps it (app.store.basemap), the map draws it (app.map.basemap_layer),
the address search reads its names and addresses (app.core.address_index).

Geometry is Web Mercator metres. Every family of features is a ``Features``: one flat coordinate array per axis
and ``start`` offsets (feature k is ``x[start[k]:start[k+1]]``), a class code and a name index per feature, so a
whole country is a handful of arrays and drawing never touches a Python object per feature.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

# Road classes in drawing order (minor first, so major roads are drawn on top). OSM `highway` values map onto them.
ROAD_CLASSES: list[str] = ["path", "service", "residential", "tertiary", "secondary", "primary", "trunk", "motorway"]
ROAD_CLASS_LABELS: dict[str, str] = {
    "path": "Path, footway, cycleway, track", "service": "Service road", "residential": "Residential street",
    "tertiary": "Tertiary road", "secondary": "Secondary road", "primary": "Primary road", "trunk": "Trunk road",
    "motorway": "Motorway",
}
_HIGHWAY_TO_CLASS: dict[str, str] = {
    "motorway": "motorway", "motorway_link": "motorway", "trunk": "trunk", "trunk_link": "trunk",
    "primary": "primary", "primary_link": "primary", "secondary": "secondary", "secondary_link": "secondary",
    "tertiary": "tertiary", "tertiary_link": "tertiary", "residential": "residential",
    "unclassified": "residential", "living_street": "residential", "road": "residential",
    "pedestrian": "path", "service": "service", "track": "path", "footway": "path", "path": "path",
    "cycleway": "path", "steps": "path", "bridleway": "path",
}
LINE_KINDS: list[str] = ["railway", "waterway"]
AREA_KINDS: list[str] = ["water", "park", "building"]


def road_class(highway: str) -> int | None:
    """Index into ROAD_CLASSES of an OSM highway value; None for values that are not roads (proposed, platform…)."""
    name = _HIGHWAY_TO_CLASS.get(highway)
    return None if name is None else ROAD_CLASSES.index(name)


@dataclass
class Features:
    x: np.ndarray       # float64 Mercator metres, all features end to end
    y: np.ndarray
    start: np.ndarray   # int64, len = n + 1
    code: np.ndarray    # int8 class per feature
    name: np.ndarray    # int32 index into BaseMap.names, -1 = unnamed

    def __len__(self) -> int:
        return int(self.start.shape[0]) - 1

    @property
    def segments(self) -> int:
        """Line segments (vertex pairs inside one feature)."""
        return int(self.x.shape[0]) - len(self)

    @staticmethod
    def empty() -> Features:
        return Features(np.empty(0), np.empty(0), np.zeros(1, np.int64), np.empty(0, np.int8), np.empty(0, np.int32))

    @staticmethod
    def from_parts(parts: list[tuple[np.ndarray, np.ndarray]], codes: list[int], names: list[int]) -> Features:
        """From per-feature (x, y) arrays; features with fewer than two vertices are dropped."""
        keep = [k for k, (px, _) in enumerate(parts) if len(px) >= 2]
        if not keep:
            return Features.empty()
        lengths = np.array([len(parts[k][0]) for k in keep], np.int64)
        start = np.zeros(len(keep) + 1, np.int64)
        np.cumsum(lengths, out=start[1:])
        x = np.concatenate([np.asarray(parts[k][0], np.float64) for k in keep])
        y = np.concatenate([np.asarray(parts[k][1], np.float64) for k in keep])
        return Features(x, y, start, np.array([codes[k] for k in keep], np.int8),
                        np.array([names[k] for k in keep], np.int32))

    def feature(self, k: int) -> tuple[np.ndarray, np.ndarray]:
        a, b = int(self.start[k]), int(self.start[k + 1])
        return self.x[a:b], self.y[a:b]

    def bounds(self) -> tuple[float, float, float, float] | None:
        if self.x.size == 0:
            return None
        return float(self.x.min()), float(self.y.min()), float(self.x.max()), float(self.y.max())

    def feature_of_vertex(self) -> np.ndarray:
        """Feature index of every vertex (int32)."""
        return np.repeat(np.arange(len(self), dtype=np.int32), np.diff(self.start))


@dataclass
class Addresses:
    """House numbers: points (OSM addr:*), and interpolation ranges (one side of a block, numbers from→to)."""

    x: np.ndarray = field(default_factory=lambda: np.empty(0))          # points, Mercator
    y: np.ndarray = field(default_factory=lambda: np.empty(0))
    street: np.ndarray = field(default_factory=lambda: np.empty(0, np.int32))  # index into BaseMap.names
    number: list[str] = field(default_factory=list)                     # as written ("12", "12a", "4-6")
    # ranges: numbers lo..hi of one parity along (x0, y0) → (x1, y1)
    r_street: np.ndarray = field(default_factory=lambda: np.empty(0, np.int32))
    r_lo: np.ndarray = field(default_factory=lambda: np.empty(0, np.int32))
    r_hi: np.ndarray = field(default_factory=lambda: np.empty(0, np.int32))
    r_xy: np.ndarray = field(default_factory=lambda: np.empty((0, 4)))  # x0, y0, x1, y1

    def __len__(self) -> int:
        return len(self.number)


@dataclass
class BaseMap:
    """Everything a base map holds. ``source`` names the file it came from; ``attribution`` is shown on the map."""

    source: str
    attribution: str
    names: list[str]
    roads: Features
    lines: Features        # code: index into LINE_KINDS
    areas: Features        # code: index into AREA_KINDS; rings closed
    addresses: Addresses

    def counts(self) -> dict[str, int]:
        return {
            "roads": len(self.roads), "road_segments": self.roads.segments,
            "named_roads": int((self.roads.name >= 0).sum()), "street_names": len(self.street_names()),
            "railways": int((self.lines.code == LINE_KINDS.index("railway")).sum()),
            "waterways": int((self.lines.code == LINE_KINDS.index("waterway")).sum()),
            **{f"{k}_areas": int((self.areas.code == i).sum()) for i, k in enumerate(AREA_KINDS)},
            "addresses": len(self.addresses), "address_ranges": int(self.addresses.r_lo.shape[0]),
        }

    def street_names(self) -> set[str]:
        return {self.names[i] for i in np.unique(self.roads.name[self.roads.name >= 0]).tolist()}

    def bounds(self) -> tuple[float, float, float, float] | None:
        boxes = [b for b in (self.roads.bounds(), self.lines.bounds(), self.areas.bounds()) if b is not None]
        if not boxes:
            return None
        return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes),
                max(b[3] for b in boxes))
