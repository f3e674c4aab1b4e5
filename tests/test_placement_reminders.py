"""The placements' scheduled jobs: a finished week goes to the supervisor by link, once; a week
left unverified is sent again and the coordinator told, once; a week with nothing logged reminds
the student, once; a due evaluation tells the coordinator, once."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import sqlalchemy as sa

from marketplace import clock
from marketplace.extensions import db
from marketplace.models import EvaluationKind, HourWeek, Notification, PlacementLink
from marketplace.notifications import placement_reminders, scheduled
from marketplace.placements import hours

from .test_placement_hours import signed
from .test_placements import SUPERVISOR


def noon(day) -> datetime:
    return datetime.combine(day, time(12), tzinfo=UTC)


def last_monday(w):
    return hours.monday_of(clock.school_today(w["school"])) - timedelta(days=7)


def logged_last_week(w):
    monday = last_monday(w)
    hours.log(w["placement"], w["maya"], monday, time(9), time(11), "Front desk")
    db.session.commit()
    return monday


def verify_links() -> list[PlacementLink]:
    return list(
        db.session.scalars(sa.select(PlacementLink).where(PlacementLink.purpose == "verify"))
    )


def test_a_finished_week_goes_to_the_supervisor_once(make, outbox):
    w = signed(make, age=19)
    monday = logged_last_week(w)
    now = noon(clock.school_today(w["school"]))
    assert placement_reminders.weekly_verification(now) == 1
    assert placement_reminders.weekly_verification(now) == 0  # once
    db.session.commit()
    assert outbox.last_link(SUPERVISOR, "/p/verify/")
    [link] = verify_links()
    assert link.week_start == monday
    # This week is not finished: it is not sent yet.
    hours.log(w["placement"], w["maya"], monday + timedelta(days=7), time(9), time(10), "Files")
    assert placement_reminders.weekly_verification(now) == 0


def test_a_week_the_student_already_sent_is_not_sent_again(make):
    w = signed(make, age=19)
    monday = logged_last_week(w)
    hours.ask_verification(w["placement"], monday, w["maya"])
    assert placement_reminders.weekly_verification(noon(clock.school_today(w["school"]))) == 0
    assert len(verify_links()) == 1


def test_an_unverified_week_is_sent_again_and_the_coordinator_told_once(make):
    w = signed(make, age=19)
    monday = logged_last_week(w)
    hours.ask_verification(w["placement"], monday, w["maya"])
    db.session.commit()
    soon = noon(clock.school_today(w["school"]) + timedelta(days=1))
    assert placement_reminders.unverified_weeks(soon) == 0  # not yet
    later = soon + timedelta(days=3)
    assert placement_reminders.unverified_weeks(later) == 1
    assert placement_reminders.unverified_weeks(later + timedelta(days=5)) == 0
    first, second = sorted(verify_links(), key=lambda link: link.id)
    assert first.revoked_at is not None and second.revoked_at is None  # a fresh link
    note = db.session.scalars(
        sa.select(Notification).where(Notification.user_id == w["teacher"].id)
    ).all()[-1]
    assert "not verified" in note.subject


def test_a_week_with_nothing_logged_reminds_the_student_once(make):
    w = signed(make, age=19)
    now = noon(clock.school_today(w["school"]))
    assert placement_reminders.unlogged_weeks(now) == 1
    assert placement_reminders.unlogged_weeks(now) == 0
    note = db.session.scalars(
        sa.select(Notification).where(Notification.user_id == w["maya"].id)
    ).one()
    assert note.subject.startswith("Log your hours at Harbor Health for the week of")
    assert note.link.endswith(f"week={last_monday(w).isoformat()}")


def test_a_week_with_hours_reminds_nobody(make):
    w = signed(make, age=19)
    logged_last_week(w)
    assert placement_reminders.unlogged_weeks(noon(clock.school_today(w["school"]))) == 0


def test_a_due_evaluation_tells_the_coordinator_once(make):
    w = signed(make, age=19)
    p = w["placement"]
    after_the_end = noon(p.end_date + timedelta(days=1))
    assert placement_reminders.evaluations_due(after_the_end) == 2  # midpoint and final
    assert placement_reminders.evaluations_due(after_the_end) == 0
    keys = set(
        db.session.scalars(
            sa.select(Notification.idempotency_key).where(Notification.user_id == w["teacher"].id)
        )
    )
    assert {f"evaluation-due-{p.id}-{k.value}" for k in EvaluationKind} <= keys


def test_a_refused_week_put_right_is_sent_again_by_the_weekly_job(make, client, outbox):
    w = signed(make, age=19)
    monday = logged_last_week(w)
    hours.ask_verification(w["placement"], monday, w["maya"])
    db.session.commit()
    client.post(
        outbox.last_link(SUPERVISOR, "/p/verify/"),
        data={"verifier": "Sam Ortiz", "refuse_note": "Tuesday was a holiday."},
    )
    hours.log(w["placement"], w["maya"], monday + timedelta(days=1), time(9), time(10), "Filing")
    db.session.commit()
    row = db.session.scalars(sa.select(HourWeek)).one()
    assert row.status.value == "open" and row.requested_at is None
    assert placement_reminders.weekly_verification(noon(clock.school_today(w["school"]))) == 1


def test_the_placement_jobs_run_with_the_others():
    assert {
        "weekly_hours_verification",
        "unverified_hours",
        "unlogged_hours",
        "evaluations_due",
    } <= set(scheduled.JOBS)


def test_a_week_whose_hours_were_removed_is_left_for_later(make):
    w = signed(make, age=19)
    monday = logged_last_week(w)
    for entry in hours.week(w["placement"], monday).entries:
        hours.remove(entry, w["maya"])
    db.session.commit()
    now = noon(clock.school_today(w["school"]))
    assert placement_reminders.weekly_verification(now) == 0
    assert db.session.scalars(sa.select(HourWeek)).one().requested_at is None  # not stranded
    hours.log(w["placement"], w["maya"], monday, time(9), time(10), "Filing")
    assert placement_reminders.weekly_verification(now) == 1
