"""People: every account is a User with one role; adults are invited or sign up by e-mail."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from .base import UTCDateTime, enum_column, utcnow
from .notification import MailFrequency

if TYPE_CHECKING:
    from .engagement import BackgroundCheck
    from .organisation import Organisation
    from .school import School


def age_on(born: date, day: date) -> int:
    """Whole years from `born` to `day` (a birthday counts from that day on)."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


class Role(enum.StrEnum):
    """What an account is for; it decides navigation, dashboards and permissions."""

    STUDENT = "student"
    TEACHER = "teacher"
    EMPLOYER = "employer"
    SCHOOL_ADMIN = "school_admin"
    SITE_ADMIN = "site_admin"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


STAFF_ROLES = frozenset({Role.TEACHER, Role.SCHOOL_ADMIN})


class User(UserMixin, Model):
    """An account. Students log in with a username, adults with their e-mail address."""

    id: Mapped[int] = mapped_column(primary_key=True)
    role: Mapped[Role] = mapped_column(enum_column(Role))
    username: Mapped[str | None] = mapped_column(sa.String(40), unique=True)
    email: Mapped[str | None] = mapped_column(sa.String(254), unique=True)
    email_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    first_name: Mapped[str] = mapped_column(sa.String(60))
    last_name: Mapped[str] = mapped_column(sa.String(60))
    date_of_birth: Mapped[date | None] = mapped_column(sa.Date)
    pseudonym: Mapped[str | None] = mapped_column(sa.String(60))
    # A student's grade (9 to 12, …) and the school's own student number, as the roster keeps
    # them: the work-based-learning record the state asks for names both. Staff see them only.
    grade: Mapped[int | None] = mapped_column(sa.SmallInteger)
    student_number: Mapped[str] = mapped_column(sa.String(40), default="", server_default="")
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    session_version: Mapped[int] = mapped_column(default=1)
    must_change_password: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    school_id: Mapped[int | None] = mapped_column(sa.ForeignKey("school.id"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisation.id"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The log-in before the last: "new since your last visit" starts there.
    previous_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # How notifications reach this person by e-mail (the bell shows every one regardless).
    mail_frequency: Mapped[MailFrequency] = mapped_column(
        enum_column(MailFrequency), default=MailFrequency.IMMEDIATELY
    )

    school: Mapped[School | None] = relationship()
    organisation: Mapped[Organisation | None] = relationship(back_populates="members")
    # An employer member's background checks, one per school that attested one.
    background_checks: Mapped[list[BackgroundCheck]] = relationship(
        foreign_keys="BackgroundCheck.user_id", viewonly=True
    )

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role.value}>"

    # Flask-Login: the session stores id *and* version, so bumping the version ends every session.
    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def is_student(self) -> bool:
        return self.role is Role.STUDENT

    @property
    def is_teacher(self) -> bool:
        return self.role is Role.TEACHER

    @property
    def is_employer(self) -> bool:
        return self.role is Role.EMPLOYER

    @property
    def is_school_admin(self) -> bool:
        return self.role is Role.SCHOOL_ADMIN

    @property
    def is_site_admin(self) -> bool:
        return self.role is Role.SITE_ADMIN

    @property
    def is_staff(self) -> bool:
        """A teacher or school admin: an adult who acts for a school."""
        return self.role in STAFF_ROLES

    def is_staff_of(self, school_id: int | None) -> bool:
        """True for a teacher or school admin of that school."""
        return self.is_staff and school_id is not None and self.school_id == school_id

    def age_on(self, day: date) -> int | None:
        """Age in whole years on `day`, or None when no date of birth is known."""
        return None if self.date_of_birth is None else age_on(self.date_of_birth, day)

    def end_sessions(self) -> None:
        """Invalidate every session of this user (logout, password change, removal)."""
        self.session_version += 1


class Invitation(Model):
    """A single-use, expiring e-mail invitation for a teacher or school admin."""

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    email: Mapped[str] = mapped_column(sa.String(254), index=True)
    role: Mapped[Role] = mapped_column(enum_column(Role))
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("school.id"), index=True)
    invited_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    school: Mapped[School] = relationship()
    invited_by: Mapped[User | None] = relationship()

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and utcnow() < self.expires_at
