"""Filtering the feed's arrays: category, time, moderation state, area. Pure numpy (no Qt)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app.core.fence import Fence


@dataclass(frozen=True)
class FeedFilter:
    category: int | None = None       # index into FeedArrays.categories
    since_s: int | None = None        # UTC epoch seconds
    moderation: int | None = None     # index into app.store.feed.MODERATION
    source: int | None = None
    fence: Fence | None = None        # only mapped posts inside it
    unmapped_only: bool = False


def filter_positions(arrays, f: FeedFilter) -> np.ndarray:  # noqa: ANN001 - app.store.feed.FeedArrays
    """Positions (into the arrays, newest first) of the posts the filter keeps."""
    n = len(arrays)
    mask = np.ones(n, dtype=bool)
    if f.category is not None:
        mask &= arrays.category == f.category
    if f.since_s is not None:
        mask &= arrays.occurred_s >= f.since_s
    if f.moderation is not None:
        mask &= arrays.moderation == f.moderation
    if f.source is not None:
        mask &= arrays.source == f.source
    if f.unmapped_only:
        mask &= np.isnan(arrays.lat)
    if f.fence is not None:
        cand = np.flatnonzero(mask & ~np.isnan(arrays.lat))
        inside = np.zeros(n, dtype=bool)
        if cand.size:
            inside[cand] = f.fence.contains(arrays.lat[cand], arrays.lon[cand])
        mask &= inside
    return np.flatnonzero(mask)
