"""Community-feed posts (the incidents table) in the store: single posts, moderation, and the feed as arrays.

sqlite3 only; no permission checks (app.services.program.feed). The feed view works over FeedArrays — one numpy array
per column, newest first — so filtering 200,000 posts is a few vectorised comparisons; the text of a row is read only
when the row is shown (post_texts).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import astuple, dataclass
from datetime import datetime

import numpy as np

from app.core.posts import Post

POST_FIELDS = ("occurred_at", "category", "text", "source", "lat", "lon", "block_address", "media_url", "case_number",
               "agency_id", "posted_by", "moderation", "moderation_reason", "created_at")
_COLUMNS = "id, " + ", ".join(POST_FIELDS)
SOURCES = ["resident_post", "agency_report"]
MODERATION = ["pending", "held", "published", "rejected"]


def _post(row: tuple) -> Post:
    return Post(*row)


def get_post(conn: sqlite3.Connection, post_id: int) -> Post | None:
    row = conn.execute(f"SELECT {_COLUMNS} FROM incidents WHERE id = ?", (post_id,)).fetchone()
    return _post(row) if row else None


def add_post(conn: sqlite3.Connection, post: Post, import_id: int | None = None) -> int:
    values = astuple(post)[1:]
    cur = conn.execute(f"INSERT INTO incidents ({', '.join(POST_FIELDS)}, import_id) VALUES "
                       f"({', '.join('?' * len(POST_FIELDS))}, ?)", (*values, import_id))
    return int(cur.lastrowid)


def add_posts(conn: sqlite3.Connection, posts: Iterable[Post], import_id: int | None = None) -> int:
    cur = conn.executemany(f"INSERT INTO incidents ({', '.join(POST_FIELDS)}, import_id) VALUES "
                           f"({', '.join('?' * len(POST_FIELDS))}, ?)", ((*astuple(p)[1:], import_id) for p in posts))
    return int(cur.rowcount)


def update_post(conn: sqlite3.Connection, post: Post) -> None:
    sets = ", ".join(f"{f} = ?" for f in POST_FIELDS)
    conn.execute(f"UPDATE incidents SET {sets} WHERE id = ?", (*astuple(post)[1:], post.id))


def set_moderation(conn: sqlite3.Connection, post_id: int, state: str, reason: str, actor: str, at: str,
                   action: str) -> None:
    conn.execute("UPDATE incidents SET moderation = ?, moderation_reason = ? WHERE id = ?", (state, reason, post_id))
    conn.execute("INSERT INTO post_moderation (incident_id, action, reason, actor, at) VALUES (?, ?, ?, ?, ?)",
                 (post_id, action, reason, actor, at))


def moderation_history(conn: sqlite3.Connection, post_id: int) -> list[tuple[str, str, str, str]]:
    """(at, action, actor, reason), oldest first."""
    return conn.execute("SELECT at, action, actor, reason FROM post_moderation WHERE incident_id = ? "
                        "ORDER BY id", (post_id,)).fetchall()


def queue(conn: sqlite3.Connection, limit: int = 1000) -> list[tuple[int, str, str, str, str, str]]:
    """Posts waiting for a moderator, oldest first: (id, created_at, category, text, block_address, posted_by)."""
    return conn.execute("SELECT id, created_at, category, text, block_address, posted_by FROM incidents "
                        "WHERE moderation = 'pending' ORDER BY created_at, id LIMIT ?", (limit,)).fetchall()


def queue_count(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT count(*) FROM incidents WHERE moderation = 'pending'").fetchone()[0])


def unmapped(conn: sqlite3.Connection) -> list[tuple[int, str]]:
    """(id, block_address) of posts without coordinates that have an address to look up."""
    return conn.execute("SELECT id, block_address FROM incidents WHERE (lat IS NULL OR lon IS NULL) "
                        "AND block_address != '' ORDER BY id").fetchall()


def place(conn: sqlite3.Connection, placed: Sequence[tuple[int, float, float]], how: str) -> None:
    conn.executemany("UPDATE incidents SET lat = ?, lon = ?, placed_by = ? WHERE id = ?",
                     ((lat, lon, how, pid) for pid, lat, lon in placed))


def categories(conn: sqlite3.Connection) -> list[str]:
    return [r[0] for r in conn.execute("SELECT DISTINCT category FROM incidents ORDER BY category")]


@dataclass
class FeedArrays:
    """Every post as columns, newest first (occurred_at descending, then id descending)."""

    ids: np.ndarray          # int64
    occurred_s: np.ndarray   # int64 UTC epoch seconds
    category: np.ndarray     # int32 index into categories
    source: np.ndarray       # int8 index into SOURCES
    moderation: np.ndarray   # int8 index into MODERATION
    lat: np.ndarray          # float64, NaN = unmapped
    lon: np.ndarray
    categories: list[str]

    def __len__(self) -> int:
        return int(self.ids.shape[0])


def _epoch(iso: str) -> int:
    return int(datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp())


def load_feed(conn: sqlite3.Connection) -> FeedArrays:
    cats = categories(conn)
    code = {c: i for i, c in enumerate(cats)}
    rows = conn.execute(
        "SELECT id, CAST(strftime('%s', occurred_at) AS INTEGER), category, "
        "CASE source WHEN 'resident_post' THEN 0 ELSE 1 END, "
        "CASE moderation WHEN 'pending' THEN 0 WHEN 'held' THEN 1 WHEN 'published' THEN 2 ELSE 3 END, lat, lon "
        "FROM incidents ORDER BY occurred_at DESC, id DESC").fetchall()
    n = len(rows)
    if n == 0:
        e = np.empty(0)
        return FeedArrays(e.astype(np.int64), e.astype(np.int64), e.astype(np.int32), e.astype(np.int8),
                          e.astype(np.int8), e, e.copy(), cats)
    ids, occ, cat, src, mod, lat, lon = zip(*rows, strict=True)
    return FeedArrays(np.array(ids, dtype=np.int64), np.array([o or 0 for o in occ], dtype=np.int64),
                      np.array([code[c] for c in cat], dtype=np.int32), np.array(src, dtype=np.int8),
                      np.array(mod, dtype=np.int8), np.array(lat, dtype=np.float64),
                      np.array(lon, dtype=np.float64), cats)


def post_texts(conn: sqlite3.Connection, ids: Sequence[int]) -> dict[int, tuple[str, str, str, str, str]]:
    """id -> (occurred_at, text, block_address, posted_by, moderation_reason) for the rows on screen."""
    if not len(ids):
        return {}
    marks = ",".join("?" * len(ids))
    return {r[0]: r[1:] for r in conn.execute(
        f"SELECT id, occurred_at, text, block_address, posted_by, moderation_reason FROM incidents "
        f"WHERE id IN ({marks})", [int(i) for i in ids])}
