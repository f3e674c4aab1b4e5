"""A class: one teacher, a rotating join code, and the students enrolled in it."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from .base import UTCDateTime, utcnow

if TYPE_CHECKING:
    from .school import School
    from .team import Team
    from .user import User

# No 0/O, 1/I/L: codes are read aloud and copied from a whiteboard.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8


def new_join_code() -> str:
    """A random class code that is easy to read and type."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_join_code(raw: str) -> str:
    """Accept codes typed in lower case, with spaces or dashes."""
    return "".join(ch for ch in raw.upper() if ch.isalnum())


class Classroom(Model):
    """A class of a school, taught by one teacher. (Named Classroom: `class` is a keyword.)"""

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("school.id"), index=True)
    teacher_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    join_code: Mapped[str] = mapped_column(sa.String(16), unique=True, default=new_join_code)
    # How a student gets onto a team: asks, and a teammate or the teacher accepts ("ask"), or
    # joins at once ("open").
    team_joining: Mapped[str] = mapped_column(sa.String(8), default="ask", server_default="ask")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    school: Mapped[School] = relationship()
    teacher: Mapped[User] = relationship()
    enrollments: Mapped[list[Enrollment]] = relationship(
        back_populates="classroom", cascade="all, delete-orphan"
    )
    teams: Mapped[list[Team]] = relationship(
        back_populates="classroom", cascade="all, delete-orphan", order_by="Team.name"
    )

    def __repr__(self) -> str:
        return f"<Classroom {self.id} {self.name!r}>"

    def has_student(self, user: User) -> bool:
        return any(e.student_id == user.id for e in self.enrollments)


class Enrollment(Model):
    """A student's place in a class."""

    classroom_id: Mapped[int] = mapped_column(sa.ForeignKey("classroom.id"), primary_key=True)
    student_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), primary_key=True, index=True)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    classroom: Mapped[Classroom] = relationship(back_populates="enrollments")
    student: Mapped[User] = relationship()
