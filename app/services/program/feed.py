"""The community feed as acts of a signed-in user: posting (screened by app.core.moderation), the moderation queue
(approve / reject with a reason, both audited), edits of held posts, and placing unmapped posts. No Qt.

Nothing is published without a moderator: a new post is 'pending' (or 'held' by the anti-profiling rule until the
poster adds detail); a supervisor approves or rejects it. A refused post is not stored at all.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from app.core import moderation
from app.core.moderation import Screening
from app.core.permissions import Permission
from app.core.posts import Moderation, Post, validate_post
from app.core.records import to_iso, utc_now
from app.services.session import Session
from app.store import feed as store


class PostError(ValueError):
    """A post that cannot be stored or moderated now; reasons lists why (str() joins them)."""

    def __init__(self, reasons: list[str], screening: Screening | None = None) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = reasons
        self.screening = screening


def screen(post: Post, own_address: bool = False) -> Screening:
    return moderation.screen_post(post.text, post.block_address, own_address)


def submit_post(session: Session, post: Post, own_address: bool = False, notice_shown: bool = False) -> tuple[int,
                                                                                                             Screening]:
    """Store a new post for moderation. Refused posts raise PostError and are not stored; held posts are stored as
    'held' with the prompt. notice_shown: the poster was told the partner agency can read the feed (required)."""
    session.require(Permission.POST_FEED)
    if not notice_shown:
        raise PostError(["The poster must be shown the notice that the partner agency can read the feed."])
    # The caller's post is not trusted with who posted it or where it stands: a post is recorded as posted by the
    # signed-in user, and only the screening and a moderator decide its moderation.
    if post.posted_by and post.posted_by != session.actor:
        raise PostError([f"A post is recorded as posted by the signed-in user ({session.actor}), not by "
                         f"“{post.posted_by}”."])
    if post.moderation != Moderation.PENDING.value or post.moderation_reason:
        raise PostError(["A new post goes to the moderation queue: only a moderator publishes or rejects it."])
    now = to_iso(utc_now())
    p = dataclasses.replace(post, id=None, text=post.text.strip(), block_address=post.block_address.strip(),
                            posted_by=session.actor, created_at=now)
    errors = validate_post(p, now)
    if errors:
        raise PostError(list(errors.values()))
    verdict = screen(p, own_address)
    if verdict.verdict == moderation.REFUSED:
        session.audit("post_refused", "feed", {"reasons": verdict.reasons, "category": p.category})
        raise PostError(verdict.reasons, verdict)
    held = verdict.verdict == moderation.HELD
    p.moderation = Moderation.HELD.value if held else Moderation.PENDING.value
    p.moderation_reason = "; ".join(verdict.reasons)
    with session.atomic() as conn:
        pid = store.add_post(conn, p)
        conn.execute("INSERT INTO post_moderation (incident_id, action, reason, actor, at) VALUES (?, ?, ?, ?, ?)",
                     (pid, "held" if held else "submitted", p.moderation_reason, session.actor, now))
        session.audit("post_held" if held else "post_submitted", f"post:{pid}",
                      {"category": p.category, "source": p.source, "reasons": verdict.reasons})
    return pid, verdict


def revise_held(session: Session, post_id: int, text: str) -> Screening:
    """The poster adds detail to a held post; screened again, it goes to the queue (or stays held). Only its poster
    (or a moderator) revises it; the audit entry keeps the old and the new text."""
    session.require(Permission.POST_FEED)
    with session.atomic() as conn:
        post = store.get_post(conn, post_id)
        if post is None or post.moderation != Moderation.HELD.value:
            raise PostError([f"Post {post_id} is not held for more detail."])
        if post.posted_by and post.posted_by != session.actor and not session.can(Permission.MODERATE_FEED):
            raise PostError([f"Only {post.posted_by}, who wrote post {post_id}, or a moderator may revise it."])
        old_text = post.text
        post.text = text.strip()
        verdict = screen(post)
        if verdict.verdict == moderation.REFUSED:
            raise PostError(verdict.reasons, verdict)
        store.update_post(conn, post)
        now = to_iso(utc_now())
        if verdict.verdict == moderation.HELD:
            store.set_moderation(conn, post_id, Moderation.HELD.value, "; ".join(verdict.reasons), session.actor, now,
                                 "edited")
        else:
            store.set_moderation(conn, post_id, Moderation.PENDING.value, "", session.actor, now, "edited")
        session.audit("post_edited", f"post:{post_id}", {"now": verdict.verdict, "text": [old_text, post.text]})
    return verdict


def approve(session: Session, post_id: int) -> None:
    _moderate(session, post_id, Moderation.PUBLISHED, "", "approved")


def reject(session: Session, post_id: int, reason: str) -> None:
    if not reason.strip():
        raise PostError(["A rejection needs a reason (the poster is told it)."])
    _moderate(session, post_id, Moderation.REJECTED, reason.strip(), "rejected")


def _moderate(session: Session, post_id: int, to: Moderation, reason: str, action: str) -> None:
    session.require(Permission.MODERATE_FEED)
    with session.atomic() as conn:
        post = store.get_post(conn, post_id)
        if post is None:
            raise PostError([f"There is no post {post_id}."])
        if post.moderation != Moderation.PENDING.value:
            raise PostError([f"Post {post_id} is {post.moderation}, not awaiting moderation."])
        store.set_moderation(conn, post_id, to.value, reason, session.actor, to_iso(utc_now()), action)
        session.audit(f"post_{action}", f"post:{post_id}", {"reason": reason, "category": post.category})


def approve_many(session: Session, post_ids: list[int]) -> int:
    """Approve several queued posts in one transaction (e.g. an imported agency file); each is audited."""
    session.require(Permission.MODERATE_FEED)
    with session.atomic():
        for pid in post_ids:
            approve(session, pid)
    return len(post_ids)


Geocoder = Callable[[str], "tuple[float, float] | None"]


def place_unmapped(session: Session, geocode: Geocoder) -> tuple[int, int]:
    """Give unmapped posts a point from their block address (the base map's address search). Returns (placed,
    still unmapped)."""
    session.require(Permission.POST_FEED)
    rows = store.unmapped(session.conn)
    placed = []
    for pid, address in rows:
        hit = geocode(address)
        if hit is not None:
            placed.append((pid, float(hit[0]), float(hit[1])))
    if placed:
        with session.atomic() as conn:
            store.place(conn, placed, "address_search")
            session.audit("posts_placed", "feed", {"placed": len(placed), "unmapped": len(rows) - len(placed)})
    return len(placed), len(rows) - len(placed)


def place_with_base_map(session: Session) -> tuple[int, int] | None:
    """Place unmapped posts with the store's base map address search; None when no base map with addresses is
    loaded (the posts stay unmapped, and say so)."""
    from app.services.map.address_search import geocode, has_addresses

    if not store.unmapped(session.conn) or not has_addresses(session.conn):
        return None
    conn = session.conn
    return place_unmapped(session, lambda text: geocode(conn, text))
