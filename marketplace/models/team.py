"""A team: students of one class working together, advised by the class's teacher."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from .base import UTCDateTime, utcnow

if TYPE_CHECKING:
    from .classroom import Classroom
    from .user import User


class Team(Model):
    """A student team of one class; its advisor is the class's teacher."""

    __table_args__ = (sa.UniqueConstraint("classroom_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    classroom_id: Mapped[int] = mapped_column(sa.ForeignKey("classroom.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    classroom: Mapped[Classroom] = relationship(back_populates="teams")
    memberships: Mapped[list[TeamMembership]] = relationship(
        back_populates="team", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Team {self.id} {self.name!r}>"

    @property
    def advisor(self) -> User:
        return self.classroom.teacher

    @property
    def school_id(self) -> int:
        return self.classroom.school_id

    @property
    def members(self) -> list[User]:
        return sorted((m.student for m in self.memberships), key=lambda u: u.first_name)

    def has_member(self, user: User) -> bool:
        return any(m.student_id == user.id for m in self.memberships)


class TeamMembership(Model):
    """A student on a team; a student is on at most one team per class."""

    __table_args__ = (sa.UniqueConstraint("classroom_id", "student_id"),)

    team_id: Mapped[int] = mapped_column(sa.ForeignKey("team.id"), primary_key=True)
    student_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), primary_key=True, index=True)
    classroom_id: Mapped[int] = mapped_column(sa.ForeignKey("classroom.id"))
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    team: Mapped[Team] = relationship(back_populates="memberships")
    student: Mapped[User] = relationship(lazy="joined")  # a member is always read with a name


class TeamJoinRequest(Model):
    """A student of the class asking to join a team; a teammate or the teacher answers. Until
    then the student is not a member and sees nothing of the team's work."""

    __table_args__ = (sa.UniqueConstraint("classroom_id", "student_id"),)  # one ask per class

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(sa.ForeignKey("team.id"), index=True)
    classroom_id: Mapped[int] = mapped_column(sa.ForeignKey("classroom.id"))
    student_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    team: Mapped[Team] = relationship()
    student: Mapped[User] = relationship()
