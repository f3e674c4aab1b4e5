"""Hours of a placement: logged by the student once the agreement is signed, within the school's
limits for minors; verified by the supervisor through a weekly link (approve, correct a day,
refuse with a note); locked by the coordinator. Two supervisors at once: one wins."""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from marketplace import clock
from marketplace.extensions import db
from marketplace.models import (
    EntryStatus,
    HourEntry,
    HourWeek,
    LinkPurpose,
    PlacementLink,
    PlacementStatus,
    WeekStatus,
)
from marketplace.placements import hours, links
from marketplace.placements.records import AlreadyDone, PlacementError

from .helpers import text_of
from .racing import race
from .test_placements import SUPERVISOR, placed


def signed(make, age: int = 16) -> dict[str, Any]:
    """Maya's placement with every signature of its terms: active."""
    w = placed(make, age)
    assert make.signatures(w["placement"]).status is PlacementStatus.ACTIVE
    db.session.commit()
    return w


def last_weekday(w) -> date:
    """The latest Monday–Thursday on or before today within the placement (a school day)."""
    day = clock.school_today(w["school"])
    while day.weekday() > 3:
        day -= timedelta(days=1)
    return day


def test_no_hours_before_the_agreement_is_signed(make):
    w = placed(make)
    with pytest.raises(PlacementError, match="signed by everyone"):
        hours.log(w["placement"], w["maya"], last_weekday(w), time(9), time(11), "Filing")


@pytest.mark.parametrize(
    ("starts", "ends", "days_ahead", "message"),
    [
        (time(11), time(9), 0, "after the start"),
        (time(9), time(10), 1, "not the future"),
        (time(9), time(10), -60, "outside the placement"),
    ],
)
def test_impossible_entries_are_refused(make, starts, ends, days_ahead, message):
    w = signed(make, age=19)
    day = clock.school_today(w["school"]) + timedelta(days=days_ahead)
    with pytest.raises(PlacementError, match=message):
        hours.log(w["placement"], w["maya"], day, starts, ends, "Filing")


def test_overlapping_entries_are_refused_and_touching_ones_kept(make):
    w = signed(make, age=19)
    day = last_weekday(w)
    hours.log(w["placement"], w["maya"], day, time(9), time(11), "Front desk")
    with pytest.raises(PlacementError, match="overlap"):
        hours.log(w["placement"], w["maya"], day, time(10, 30), time(12), "Billing")
    hours.log(w["placement"], w["maya"], day, time(11), time(12), "Billing")
    assert hours.week(w["placement"], day).minutes_on(day) == 180


@pytest.mark.parametrize(
    ("age", "refuse", "outcome"),
    [
        (15, True, "refused"),  # under 16: 3 hours on a school day
        (15, False, "warned"),
        (17, True, "ok"),  # 16–17: 4 hours
        (19, True, "ok"),  # an adult: no limit from the school
    ],
)
def test_the_schools_limits_for_minors_on_a_school_day(make, age, refuse, outcome):
    w = signed(make, age=age)
    w["school"].refuse_over_limit = refuse
    day = last_weekday(w)
    try:
        _, warnings = hours.log(w["placement"], w["maya"], day, time(9), time(13), "A long day")
    except PlacementError as refusal:
        assert "over the school's limit of 3" in str(refusal)
        assert outcome == "refused"
        return
    assert outcome == ("warned" if warnings else "ok")


def test_the_weekly_limit_counts_every_day_of_the_week(make):
    w = signed(make, age=15)
    w["school"].under_16_week_hours = 5
    monday = hours.monday_of(last_weekday(w)) - timedelta(days=7)  # a whole week past
    if monday < w["placement"].start_date:
        pytest.skip("the placement began this week")
    hours.log(w["placement"], w["maya"], monday, time(9), time(12), "Day one")
    with pytest.raises(PlacementError, match="this week is over the school's limit of 5"):
        hours.log(
            w["placement"], w["maya"], monday + timedelta(days=1), time(9), time(12), "Day two"
        )


def _week_logged(w) -> date:
    day = last_weekday(w)
    hours.log(w["placement"], w["maya"], day, time(9), time(11), "Front desk")
    hours.log(w["placement"], w["maya"], day, time(13), time(14), "Billing")
    db.session.commit()
    return day


def test_the_supervisor_corrects_a_day_by_link_and_the_totals_follow(make, client, outbox):
    w = signed(make, age=19)
    day = _week_logged(w)
    hours.ask_verification(w["placement"], day, w["maya"])
    db.session.commit()
    path = outbox.last_link(SUPERVISOR, "/p/verify/")
    page = text_of(client.get(path))
    assert "Front desk" in page and "Maya L." in page and "Lopez" not in page
    first, second = sorted(db.session.scalars(sa.select(HourEntry)), key=lambda e: e.starts)
    response = client.post(
        path,
        data={
            "verifier": "Sam Ortiz",
            f"starts-{first.id}": "09:00",
            f"ends-{first.id}": "10:30",
            f"note-{first.id}": "Left at 10:30 for school",
        },
    )
    assert response.status_code == 200, text_of(response)
    db.session.expire_all()
    assert (first.status, first.minutes, first.logged_minutes) == (EntryStatus.CORRECTED, 90, 120)
    assert second.status is EntryStatus.APPROVED
    totals = hours.totals(w["placement"])
    assert (totals.verified, totals.pending) == (150, 0)
    row = db.session.scalars(sa.select(HourWeek)).one()
    assert (row.status, row.verified_by) == (WeekStatus.VERIFIED, "Sam Ortiz")
    assert client.get(path).status_code == 410  # once
    with pytest.raises(PlacementError, match="verified"):
        hours.log(w["placement"], w["maya"], day, time(15), time(16), "More")


def test_a_refused_week_goes_back_to_the_student_and_opens_again(make, client, outbox):
    w = signed(make, age=19)
    day = _week_logged(w)
    hours.ask_verification(w["placement"], day)
    db.session.commit()
    client.post(
        outbox.last_link(SUPERVISOR, "/p/verify/"),
        data={"verifier": "Sam Ortiz", "refuse_note": "You were off on that day."},
    )
    db.session.expire_all()
    row = db.session.scalars(sa.select(HourWeek)).one()
    assert row.status is WeekStatus.REFUSED and row.note == "You were off on that day."
    assert {e.status for e in db.session.scalars(sa.select(HourEntry))} == {EntryStatus.LOGGED}
    hours.log(w["placement"], w["maya"], day, time(15), time(16), "Put right")
    assert db.session.scalars(sa.select(HourWeek)).one().status is WeekStatus.OPEN


def test_the_coordinator_locks_a_verified_week_only(make, client, login, outbox):
    w = signed(make, age=19)
    day = _week_logged(w)
    with pytest.raises(PlacementError, match="Only a verified week"):
        hours.lock(w["placement"], w["teacher"], day)
    hours.ask_verification(w["placement"], day)
    db.session.commit()
    client.post(outbox.last_link(SUPERVISOR, "/p/verify/"), data={"verifier": "Sam Ortiz"})
    login(w["teacher"])
    start = hours.monday_of(day).isoformat()
    client.post(f"/placements/{w['placement'].id}/weeks/{start}/lock")
    db.session.expire_all()
    assert db.session.scalars(sa.select(HourWeek)).one().status is WeekStatus.LOCKED
    with pytest.raises(AlreadyDone):
        hours.lock(w["placement"], w["teacher"], day)


def test_the_student_logs_a_week_on_the_page(make, client, login):
    w = signed(make, age=19)
    day = last_weekday(w)
    login(w["maya"])
    url = f"/placements/{w['placement'].id}/hours"
    bad = client.post(
        url, data={"day": day.isoformat(), "starts": "10:00", "ends": "09:00", "activity": "Oops"}
    )
    assert bad.status_code == 422 and "after the start" in text_of(bad)
    assert 'value="Oops"' in text_of(bad)
    good = client.post(
        url,
        data={"day": day.isoformat(), "starts": "09:00", "ends": "10:30", "activity": "Front desk"},
    )
    assert good.status_code == 303
    page = text_of(client.get(good.location))
    assert "Front desk" in page and "1.5" in page


@pytest.mark.commits
def test_two_supervisors_verifying_the_same_week_at_once_one_wins(app_factory, make):
    app = app_factory(SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 4, "max_overflow": 0})
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("races need PostgreSQL: set TEST_DATABASE_URL (SQLite serialises writers)")
        w = signed(make, age=19)
        day = _week_logged(w)
        first = hours.ask_verification(w["placement"], day)
        db.session.commit()
        # A second supervisor of the team has a link of their own to the same week.
        second = links.create(
            LinkPurpose.VERIFY,
            first.role,
            w["maya"],
            "Alex Chen",
            "alex@harborhealth.example",
            placement=w["placement"],
            week_start=first.week_start,
            kind="second",
        )
        db.session.commit()
        ids = (first.id, second.id)

    def verify(link_id: int, name: str):
        return lambda: hours.verify(db.session.get_one(PlacementLink, link_id), name, {})

    results = race(app, [verify(ids[0], "Sam Ortiz"), verify(ids[1], "Alex Chen")], (AlreadyDone,))
    with app.app_context():
        won = [r for r in results if r is WeekStatus.VERIFIED]
        lost = [r for r in results if isinstance(r, AlreadyDone)]
        assert (len(won), len(lost)) == (1, 1), results
        row = db.session.scalars(sa.select(HourWeek)).one()
        assert row.status is WeekStatus.VERIFIED and row.version == 2
        assert {e.status for e in db.session.scalars(sa.select(HourEntry))} == {
            EntryStatus.APPROVED
        }
        db.session.remove()
