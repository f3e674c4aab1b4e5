"""Follow-up tasks: due on a day of the school's calendar, given to one member of staff, on
their dashboard and in their digest, and reminded when due and when overdue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager, joinedload

from .. import clock
from ..extensions import db
from ..models import FollowUpTask, Partnership, School, User, utcnow
from ..workflow import update_if
from . import rules


class TaskError(Exception):
    """A task that cannot be set as asked; the message is shown."""


def add_task(
    school: School,
    user: User,
    title: str,
    due_on: date,
    assignee_id: int,
    record: Partnership | None = None,
    *,
    key: str | None = None,
) -> FollowUpTask | None:
    """A new follow-up for a member of the school's staff (`key`: a task the product makes,
    made once; None is returned the second time)."""
    if not user.is_staff_of(school.id) or (record is not None and record.school_id != school.id):
        raise PermissionError
    return make_task(school, title, due_on, assignee_id, record, created_by=user, key=key)


def make_task(
    school: School,
    title: str,
    due_on: date,
    assignee_id: int,
    record: Partnership | None = None,
    *,
    created_by: User | None = None,
    key: str | None = None,
) -> FollowUpTask | None:
    """A task the product itself sets (a lead to follow up), or one staff set (`add_task`)."""
    if assignee_id not in {s.id for s in rules.staff_of(school.id)}:
        raise TaskError("Give the task to a member of the school's staff.")
    if key is not None and db.session.scalar(
        sa.select(FollowUpTask.id).where(FollowUpTask.source_key == key)
    ):
        return None
    task = FollowUpTask(
        school_id=school.id,
        partnership_id=record.id if record else None,
        title=title.strip()[:200],
        due_on=due_on,
        assignee_id=assignee_id,
        created_by_id=created_by.id if created_by else None,
        source_key=key,
    )
    db.session.add(task)
    db.session.flush()
    return task


def complete(task: FollowUpTask, user: User) -> bool:
    """Mark a task done (False: someone else just did)."""
    if not rules.can_work_on_task(task, user):
        raise PermissionError
    done = update_if(task, FollowUpTask.done_at.is_(None), done_at=utcnow(), done_by_id=user.id)
    db.session.expire(task, ["done_at", "done_by_id"])
    return done


def reopen(task: FollowUpTask, user: User) -> None:
    """Undo "done"."""
    if not rules.can_work_on_task(task, user):
        raise PermissionError
    task.done_at, task.done_by_id = None, None
    task.due_reminded_on = task.overdue_reminded_on = None  # reminded again, as a new task


@dataclass(frozen=True)
class Agenda:
    """A person's open follow-ups as their school's calendar reads today."""

    overdue: list[FollowUpTask]
    today: list[FollowUpTask]
    upcoming: list[FollowUpTask]

    @property
    def count(self) -> int:
        return len(self.overdue) + len(self.today) + len(self.upcoming)


def agenda(school: School, user: User | None = None, upcoming: int = 5, limit: int = 200) -> Agenda:
    """Open tasks (the user's, or the whole school's): overdue, due today, and the next few —
    each list at most `limit` long, read by the database, not filtered here."""
    today = clock.school_today(school)
    # Each task's part (0 overdue, 1 today, 2 upcoming) and its place in it: one statement.
    part = sa.case((FollowUpTask.due_on < today, 0), (FollowUpTask.due_on == today, 1), else_=2)
    place = sa.func.row_number().over(
        partition_by=part, order_by=(FollowUpTask.due_on, FollowUpTask.id)
    )
    ranked = sa.select(FollowUpTask.id, part.label("part"), place.label("place")).where(
        FollowUpTask.school_id == school.id, FollowUpTask.done_at.is_(None)
    )
    if user is not None:
        ranked = ranked.where(FollowUpTask.assignee_id == user.id)
    kept = ranked.subquery()
    rows = db.session.execute(
        sa.select(FollowUpTask, kept.c.part)
        .join(kept, kept.c.id == FollowUpTask.id)
        .where(kept.c.place <= sa.case((kept.c.part == 2, min(upcoming, limit)), else_=limit))
        .options(
            joinedload(FollowUpTask.partnership).joinedload(Partnership.organisation),
            joinedload(FollowUpTask.assignee),
        )
        .order_by(FollowUpTask.due_on, FollowUpTask.id)
    )
    parts: tuple[list[FollowUpTask], ...] = ([], [], [])
    for task, at in rows:
        parts[at].append(task)
    return Agenda(overdue=parts[0], today=parts[1], upcoming=parts[2])


def tasks_of(record: Partnership) -> list[FollowUpTask]:
    """A partner's tasks: open ones first by due date, then the done ones, newest first."""
    return list(
        db.session.scalars(
            sa.select(FollowUpTask)
            .where(FollowUpTask.partnership_id == record.id)
            .options(joinedload(FollowUpTask.assignee))
            .order_by(
                FollowUpTask.done_at.is_not(None),
                FollowUpTask.due_on,
                FollowUpTask.done_at.desc(),
            )
        )
    )


def due_for_reminder(now: datetime) -> list[tuple[FollowUpTask, str]]:
    """Open tasks to remind their assignee of now, each once: on the day it is due ("due"),
    and the first day it is overdue ("overdue"), by the school's calendar. Marks them."""
    rows = db.session.scalars(
        sa.select(FollowUpTask)
        .join(School, School.id == FollowUpTask.school_id)
        .where(
            FollowUpTask.done_at.is_(None),
            FollowUpTask.due_on <= (now + timedelta(days=1)).date(),
            FollowUpTask.overdue_reminded_on.is_(None),
        )
        .options(
            contains_eager(FollowUpTask.school),
            joinedload(FollowUpTask.assignee),
            joinedload(FollowUpTask.partnership).joinedload(Partnership.organisation),
        )
        .order_by(FollowUpTask.id)
    )
    due = []
    for task in rows:
        today = clock.school_today(task.school, now)
        if task.due_on < today:
            task.overdue_reminded_on = today
            due.append((task, "overdue"))
        elif task.due_on == today and task.due_reminded_on is None:
            task.due_reminded_on = today
            due.append((task, "due"))
    return due
