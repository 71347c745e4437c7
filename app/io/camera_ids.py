"""Duplicate camera ids across a whole file (and against the store), for the camera validator (app.io.validate)."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from app.io.camera_columns import chunk_lines
from app.io.source import Chunk
from app.io.values import show
from app.store.cameras import any_external_ids, cameras_with_external_ids


class DuplicateIds:
    """The ids seen so far in a file, with the lines they were on; with a store, also the ids it already holds."""

    def __init__(self, conn: sqlite3.Connection | None = None) -> None:
        self.conn = conn
        self.seen: set[str] = set()
        self._chunks: list[tuple[Sequence[str | None], Sequence[int]]] = []  # (ids, lines) of every chunk
        self._store_ids = conn is not None and any_external_ids(conn)

    def check(self, ids: Sequence[str | None], chunk: Chunk, n: int, reasons: dict[int, list[str]],
              blank: set[int]) -> None:
        """Reject the second and later rows with an id (in the file, or already in the store).

        Fast path, one set insertion per id: if the set of ids seen so far grew by exactly n, this chunk has no
        duplicates. Only otherwise are earlier chunks searched for the line where an id first appeared.
        """
        seen = self.seen
        lines = chunk_lines(chunk, n)
        before = len(seen)
        seen.update(ids)
        fast = len(seen) - before == n and None not in ids
        self._chunks.append((ids, lines))
        if not fast:
            seen.discard(None)  # type: ignore[arg-type]
            self._mark(ids, lines, reasons, blank)
        if self._store_ids and self.conn is not None:
            found = cameras_with_external_ids(self.conn, [v for v in set(ids) if v is not None])
            if found:
                for i, v in enumerate(ids):
                    if v in found:
                        reasons.setdefault(i, []).append(f"id {show(v)} is already in the registry (camera "
                                                         f"{found[v]})")

    def _mark(self, ids: Sequence[str | None], lines: Sequence[int], reasons: dict[int, list[str]],
              blank: set[int]) -> None:
        first: dict[str, int] = {}
        candidates = {v for v in ids if v is not None}
        for old_ids, old_lines in self._chunks[:-1]:  # the first line of ids seen in earlier chunks
            if candidates.isdisjoint(old_ids):
                continue
            for v, line in zip(old_ids, old_lines, strict=True):
                if v in candidates and v not in first:
                    first[v] = line
        for i, v in enumerate(ids):
            if v is None or i in blank:
                continue
            line = first.get(v)
            if line is None:
                first[v] = lines[i]
            else:
                reasons.setdefault(i, []).append(f"duplicate id {show(v)} (also on line {line})")
