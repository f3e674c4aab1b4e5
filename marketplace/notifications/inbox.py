"""The bell: what a person was told, what they have not read yet, and their mail preference.

Services flush, never commit; the view commits once.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort
from flask_sqlalchemy.pagination import Pagination

from ..extensions import db, rows_matched
from ..models import MailFrequency, Notification, User, utcnow

PER_PAGE = 30


def unread(user: User) -> sa.ScalarSelect[int]:
    """How many of `user`'s notifications are unread, as a subquery (one indexed COUNT; the
    bell's, asked with the nav's other counts)."""
    return (
        sa.select(sa.func.count(Notification.id))
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .scalar_subquery()
    )


def page_of(user: User, page: int) -> Pagination:
    """`user`'s notifications, newest first, 30 a page (past the end is a 404)."""
    return db.paginate(
        sa.select(Notification)
        .where(Notification.user_id == user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc()),
        page=page,
        per_page=PER_PAGE,
    )


def own_or_404(user: User, notification_id: int) -> Notification:
    """`user`'s notification, or 404 (someone else's id is not told apart from a missing one)."""
    note = db.session.get(Notification, notification_id)
    if note is None or note.user_id != user.id:
        abort(404)
    return note


def mark_read(note: Notification) -> None:
    """Mark one notification read (opening it twice keeps the first time)."""
    if note.read_at is None:
        note.read_at = utcnow()
        db.session.flush()


def mark_all_read(user: User) -> int:
    """Mark every unread notification of `user` read; returns how many were unread."""
    marked = rows_matched(
        sa.update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.expire_all()
    return marked or 0


def set_mail_frequency(user: User, frequency: MailFrequency) -> None:
    """Record how `user` wants notifications by e-mail; `notify()` reads it for the next ones."""
    user.mail_frequency = frequency
    db.session.flush()
