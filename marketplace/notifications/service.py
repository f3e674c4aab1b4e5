"""`notify()`: the one way to tell someone something. It writes the notification (the bell) and,
per the person's e-mail preference, queues its mail in the same transaction."""

from __future__ import annotations

from dataclasses import replace

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..mail import compose, enqueue
from ..models import MailFrequency, Notification, NotificationMail, User, utcnow
from ..web import base_url

_SALT = "mail-preferences"


def preferences_token(user: User) -> str:
    """A signed token naming `user`, for the preferences link in every mail (no log-in needed).
    It does not expire: an unsubscribe link must keep working."""
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT).dumps(user.id)


def user_for_preferences_token(token: str) -> User | None:
    """The user a preferences token names, or None when it is not one of ours."""
    try:
        user_id = URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT).loads(token)
    except BadSignature:
        return None
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    return user if user is not None and user.active else None


def preferences_url(user: User) -> str:
    """The absolute link to `user`'s e-mail preferences page, which works without logging in."""
    return f"{base_url()}/notifications/preferences/{preferences_token(user)}"


def mail_headers(user: User) -> tuple[tuple[str, str], ...]:
    """List-Unsubscribe (RFC 2369) and one-click unsubscribe (RFC 8058) for `user`."""
    return (
        ("List-Unsubscribe", f"<{preferences_url(user)}/unsubscribe>"),
        ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
    )


def _mail_route(person: User) -> NotificationMail:
    if not person.email or person.mail_frequency is MailFrequency.OFF:
        return NotificationMail.NONE
    if person.mail_frequency is MailFrequency.DAILY:
        return NotificationMail.DIGEST
    return NotificationMail.QUEUED


def notify(
    person: User,
    *,
    kind: str,
    subject: str,
    key: str,
    body: str = "",
    link: str = "",
    event_id: int | None = None,
) -> Notification:
    """Tell `person`: a notification under the bell, and its mail now, in a digest, or not at
    all, per their preference. `key` is unique per thing told and person (idempotency)."""
    route = _mail_route(person)
    note = Notification(
        user_id=person.id,
        kind=kind[:40],
        subject=subject[:200],
        body=body,
        link=link,
        event_id=event_id,
        idempotency_key=key,
        mail_state=route.value,
        created_at=utcnow(),
    )
    db.session.add(note)
    if route is NotificationMail.QUEUED:
        base = base_url()
        mail = compose(
            person.email or "",
            subject,
            "notification",
            person=person,
            body=body,
            link=base + link if link.startswith("/") else link,
            preferences_link=preferences_url(person),
        )
        enqueue(
            replace(mail, headers=mail_headers(person)),
            key=f"notification-{key}",
            user_id=person.id,
            kind=kind[:40],
        )
    return note


def notify_once(person: User, *, key: str, **fields: object) -> Notification | None:
    """`notify()` unless a notification with `key` exists (a scheduled job run twice, or two
    schedulers at once): then nothing is written and None is returned."""
    if db.session.query(Notification.id).filter_by(idempotency_key=key).first() is not None:
        return None
    try:
        with db.session.begin_nested():
            note = notify(person, key=key, **fields)  # type: ignore[arg-type]
            db.session.flush()
    except IntegrityError:
        return None
    return note
