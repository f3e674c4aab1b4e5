"""Hours: the student logs stretches of work; the supervisor verifies each week through a
personal link (approve all, correct a day, or refuse with a note); the coordinator locks a
verified week. The school's limits for minors are warned or refused as its setting says."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time, timedelta

import sqlalchemy as sa

from .. import clock
from ..extensions import db
from ..models import (
    EntryStatus,
    HourEntry,
    HourWeek,
    LinkPurpose,
    Placement,
    PlacementLink,
    PlacementStatus,
    SignerRole,
    User,
    WeekStatus,
    utcnow,
)
from ..privacy import public_name
from ..workflow import update_if
from . import links
from .records import AlreadyDone, PlacementError

DAY_MINUTES = 24 * 60
SCHOOL_DAYS = range(0, 5)  # Monday to Friday


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def minutes_between(starts: time, ends: time) -> int:
    return (ends.hour * 60 + ends.minute) - (starts.hour * 60 + starts.minute)


def hours_text(minutes: int) -> str:
    """Minutes as hours for people: 90 → "1.5"."""
    return f"{minutes / 60:.2f}".rstrip("0").rstrip(".")


@dataclass
class Week:
    """One week of one placement, as the pages show it."""

    placement: Placement
    start: date
    row: HourWeek | None
    entries: list[HourEntry]
    days: list[date] = field(init=False)

    def __post_init__(self) -> None:
        self.days = [self.start + timedelta(days=i) for i in range(7)]

    @property
    def status(self) -> WeekStatus:
        return self.row.status if self.row else WeekStatus.OPEN

    def on(self, day: date) -> list[HourEntry]:
        return [e for e in self.entries if e.day == day]

    def minutes_on(self, day: date) -> int:
        return sum(e.minutes for e in self.on(day) if e.status is not EntryStatus.REFUSED)

    @property
    def minutes(self) -> int:
        return sum(e.minutes for e in self.entries if e.status is not EntryStatus.REFUSED)

    @property
    def editable(self) -> bool:
        return self.status in (WeekStatus.OPEN, WeekStatus.REFUSED)


def week(placement: Placement, start: date) -> Week:
    start = monday_of(start)
    row = _row_of(placement, start)
    entries = list(
        db.session.scalars(
            sa.select(HourEntry)
            .where(
                HourEntry.placement_id == placement.id,
                HourEntry.day >= start,
                HourEntry.day < start + timedelta(days=7),
            )
            .order_by(HourEntry.day, HourEntry.starts)
        )
    )
    return Week(placement, start, row, entries)


def _row_of(placement: Placement, start: date) -> HourWeek | None:
    return db.session.scalar(
        sa.select(HourWeek).where(
            HourWeek.placement_id == placement.id, HourWeek.week_start == start
        )
    )


def _week_row(placement: Placement, start: date) -> HourWeek:
    """The week's row, made on first use (two requests at once: one row)."""
    found = _row_of(placement, start)
    if found is not None:
        return found
    try:
        with db.session.begin_nested():
            row = HourWeek(placement_id=placement.id, week_start=start)
            db.session.add(row)
            db.session.flush()
            return row
    except sa.exc.IntegrityError:
        found = _row_of(placement, start)
        assert found is not None  # the other request made it
        return found


# --- limits -----------------------------------------------------------------------------------


def limits_for(placement: Placement, day: date) -> tuple[int, int] | None:
    """(most hours on a school day, most hours in a week) for the student on `day`, or None
    for an adult."""
    age = placement.student.age_on(day)
    school = placement.school
    if age is not None and age >= 18:
        return None
    if age is not None and age >= 16:
        return school.minor_day_hours, school.minor_week_hours
    return school.under_16_day_hours, school.under_16_week_hours


def _student_minutes(
    student_id: int, start: date, end: date, skip: int | None = None
) -> dict[date, int]:
    """Minutes the student logged per day between start and end (every placement), refused
    entries left out."""
    rows = db.session.execute(
        sa.select(HourEntry.day, sa.func.sum(HourEntry.minutes))
        .where(
            HourEntry.student_id == student_id,
            HourEntry.day >= start,
            HourEntry.day <= end,
            HourEntry.status != EntryStatus.REFUSED,
        )
        .group_by(HourEntry.day)
    )
    return {day: int(total or 0) for day, total in rows}


def limit_problems(
    placement: Placement, day: date, minutes: int, skip: int | None = None
) -> list[str]:
    """What the school's limits for minors say about logging `minutes` more on `day`."""
    limits = limits_for(placement, day)
    if limits is None:
        return []
    day_limit, week_limit = limits
    start = monday_of(day)
    logged = _student_minutes(placement.student_id, start, start + timedelta(days=6))
    problems = []
    on_day = logged.get(day, 0) + minutes
    if day.weekday() in SCHOOL_DAYS and on_day > day_limit * 60:
        problems.append(
            f"{hours_text(on_day)} hours on a school day is over the school's limit of "
            f"{day_limit} for a student of this age."
        )
    in_week = sum(logged.values()) + minutes
    if in_week > week_limit * 60:
        problems.append(
            f"{hours_text(in_week)} hours this week is over the school's limit of "
            f"{week_limit} for a student of this age."
        )
    return problems


# --- logging ------------------------------------------------------------------------------------


def log(
    placement: Placement,
    student: User,
    day: date,
    starts: time,
    ends: time,
    activity: str,
    today: date | None = None,
) -> tuple[HourEntry, list[str]]:
    """Log a stretch of work; returns the entry and the warnings the limits gave (refused
    instead when the school refuses going over)."""
    if student.id != placement.student_id:
        raise PlacementError("Only the student of the placement logs its hours.")
    if placement.status is not PlacementStatus.ACTIVE:
        raise PlacementError(
            "Hours are logged once the training agreement is signed by everyone."
            if placement.status is PlacementStatus.AGREEMENT
            else f"This placement is {placement.status.value}."
        )
    today = today or clock.school_today(placement.school)
    if day > today:
        raise PlacementError("Hours are logged for today or days past, not the future.")
    if day < placement.start_date or (placement.end_date and day > placement.end_date):
        raise PlacementError("That day is outside the placement's dates.")
    minutes = minutes_between(starts, ends)
    if minutes <= 0:
        raise PlacementError("The end time must be after the start time.")
    if not activity.strip():
        raise PlacementError("Say what you did.")
    this_week = week(placement, day)
    if not this_week.editable:
        raise PlacementError(
            f"That week is {this_week.status.value}: its hours are kept as they are."
        )
    overlap = db.session.scalar(
        sa.select(HourEntry.id).where(
            HourEntry.student_id == student.id,
            HourEntry.day == day,
            HourEntry.status != EntryStatus.REFUSED,
            HourEntry.starts < ends,
            HourEntry.ends > starts,
        )
    )
    if overlap is not None:
        raise PlacementError("These times overlap hours you already logged that day.")
    if _student_minutes(student.id, day, day).get(day, 0) + minutes > DAY_MINUTES:
        raise PlacementError("No day has more than 24 hours.")
    problems = limit_problems(placement, day, minutes)
    if problems and placement.school.refuse_over_limit:
        raise PlacementError(" ".join(problems))
    row = _week_row(placement, monday_of(day))
    if row.status is WeekStatus.REFUSED:  # the student is putting it right: open again
        update_if(
            row,
            HourWeek.status == WeekStatus.REFUSED,
            status=WeekStatus.OPEN,
            requested_at=None,  # the weekly job sends it to the supervisor again
            reminded_at=None,
            version=HourWeek.version + 1,
        )
        db.session.refresh(row)
    entry = HourEntry(
        placement_id=placement.id,
        student_id=student.id,
        day=day,
        starts=starts,
        ends=ends,
        minutes=minutes,
        activity=activity.strip(),
    )
    db.session.add(entry)
    db.session.flush()
    return entry, problems


def remove(entry: HourEntry, student: User) -> None:
    placement = db.session.get_one(Placement, entry.placement_id)
    if student.id != entry.student_id:
        raise PlacementError("Only the student of the placement changes its hours.")
    if not week(placement, entry.day).editable or entry.status is not EntryStatus.LOGGED:
        raise PlacementError("That week is verified: its hours are kept as they are.")
    db.session.delete(entry)
    db.session.flush()


# --- verification -----------------------------------------------------------------------------


def ask_verification(placement: Placement, start: date, by: User | None = None) -> PlacementLink:
    """Mail the supervisor a link to verify the week (by the student, or the weekly job)."""
    start = monday_of(start)
    this_week = week(placement, start)
    if not this_week.entries:
        raise PlacementError("There are no hours logged that week.")
    if this_week.status is not WeekStatus.OPEN:
        raise AlreadyDone(f"That week is already {this_week.status.value}.")
    if not placement.supervisor_email:
        raise PlacementError("The agreement has no supervisor's e-mail address yet.")
    row = _week_row(placement, start)
    link = links.create(
        LinkPurpose.VERIFY,
        SignerRole.SUPERVISOR,
        placement.student,
        placement.supervisor_name or "Supervisor",
        placement.supervisor_email,
        placement=placement,
        week_start=start,
        by=by,
    )
    row.requested_at = utcnow()
    name = public_name(placement.student)
    links.send(
        link,
        f"Please verify {name}'s hours, week of {start:%d %b %Y}",
        [
            f"{name} logged {hours_text(this_week.minutes)} hours at "
            f"{placement.organisation.name} in the week of {start:%d %B %Y}.",
            "Approve the week, correct a day, or refuse it with a note.",
        ],
        placement.school.name,
    )
    db.session.flush()
    return link


def verify(
    link: PlacementLink,
    verifier: str,
    corrections: dict[int, tuple[time, time, str]],
    refuse_note: str = "",
) -> WeekStatus:
    """The supervisor's answer for the week: every entry approved (or as corrected, with a
    note), or the week refused with a note. Once: of two supervisors at once, one wins."""
    problem = links.problem(link)
    if problem:
        raise PlacementError(problem)
    placement = link.placement
    assert placement is not None and link.week_start is not None
    if placement.status is not PlacementStatus.ACTIVE:
        raise PlacementError(f"This placement is {placement.status.label}: its hours are kept.")
    this_week = week(placement, link.week_start)
    row = this_week.row
    if row is None or not this_week.entries:
        raise PlacementError("There are no hours to verify that week.")
    refusing = bool(refuse_note.strip())
    to = WeekStatus.REFUSED if refusing else WeekStatus.VERIFIED
    if not update_if(
        row,
        HourWeek.status == WeekStatus.OPEN,
        status=to,
        verified_by=" ".join(verifier.split())[:120] or link.name,
        verified_at=utcnow(),
        note=refuse_note.strip(),
        version=HourWeek.version + 1,
    ):
        db.session.refresh(row)
        raise AlreadyDone(f"This week was {row.status.value} a moment ago by {row.verified_by}.")
    links.use(link)
    for entry in this_week.entries:
        if entry.status is EntryStatus.REFUSED:
            continue
        if refusing:  # the entries stay as logged, for the student to put right
            continue
        fix = corrections.get(entry.id)
        if fix is not None and (fix[0], fix[1]) != (entry.starts, entry.ends):
            minutes = minutes_between(fix[0], fix[1])
            if minutes <= 0:
                raise PlacementError("A corrected end time must be after its start time.")
            entry.logged_minutes = entry.minutes
            entry.starts, entry.ends, entry.minutes = fix[0], fix[1], minutes
            entry.note = fix[2].strip()
            entry.status = EntryStatus.CORRECTED
        else:
            entry.status = EntryStatus.APPROVED
    db.session.flush()
    db.session.refresh(row)
    return to


def lock(placement: Placement, staff: User, start: date) -> None:
    """The coordinator locks a verified week: nothing in it changes after."""
    row = week(placement, start).row
    if row is None or row.status is not WeekStatus.VERIFIED:
        if row is not None and row.status is WeekStatus.LOCKED:
            raise AlreadyDone("That week is already locked.")
        raise PlacementError("Only a verified week can be locked.")
    if not update_if(
        row,
        HourWeek.status == WeekStatus.VERIFIED,
        status=WeekStatus.LOCKED,
        locked_at=utcnow(),
        locked_by_id=staff.id,
        version=HourWeek.version + 1,
    ):
        raise AlreadyDone("That week was locked a moment ago.")
    db.session.refresh(row)


@dataclass
class Totals:
    verified: int  # minutes
    pending: int
    expected: int  # hours

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.verified / 60 / self.expected)) if self.expected else 0


def totals(placement: Placement) -> Totals:
    rows = dict(
        db.session.execute(
            sa.select(HourEntry.status, sa.func.sum(HourEntry.minutes))
            .where(HourEntry.placement_id == placement.id)
            .group_by(HourEntry.status)
        ).all()
    )
    verified = int(rows.get(EntryStatus.APPROVED, 0) or 0) + int(
        rows.get(EntryStatus.CORRECTED, 0) or 0
    )
    return Totals(verified, int(rows.get(EntryStatus.LOGGED, 0) or 0), placement.expected_hours)
