"""Local time: every school and organisation has an IANA zone; people read times in theirs,
deadlines end at midnight where the school is, and the scheduled jobs decide "today" per school."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from marketplace import clock
from marketplace.engagements import ladder
from marketplace.extensions import db
from marketplace.models import (
    Notification,
    Offer,
    OfferStatus,
    Organisation,
    ProjectStatus,
    School,
)
from marketplace.notifications import scheduled

from .helpers import text_of

DEADLINE = date(2026, 12, 1)


def offer_at(make, zone: str, respond_by: date = DEADLINE) -> Offer:
    """An approved mentorship offer of a school in `zone`, to be answered by `respond_by`."""
    school = make.school(timezone=zone)
    classroom = make.classroom(make.teacher(school=school))
    team = make.team(classroom, [make.student(classroom)])
    engagement = make.engagement(make.project(team, status=ProjectStatus.PUBLISHED))
    return make.offer(
        engagement,
        status=OfferStatus.APPROVED,
        respond_by=respond_by,
        start_date=date(2026, 12, 14),
        end_date=date(2027, 1, 29),
    )


def status_of(offer: Offer) -> OfferStatus:
    return db.session.scalar(sa.select(Offer.status).where(Offer.id == offer.id))


def test_a_los_angeles_deadline_ends_at_midnight_in_los_angeles(make):
    offer = offer_at(make, "America/Los_Angeles")
    # 1 December ends at 08:00 UTC on 2 December in Los Angeles (PST, UTC-8).
    assert ladder.expire_overdue(datetime(2026, 12, 2, 7, 30, tzinfo=UTC)) == 0
    assert status_of(offer) is OfferStatus.APPROVED
    assert ladder.expire_overdue(datetime(2026, 12, 2, 8, 30, tzinfo=UTC)) == 1
    assert status_of(offer) is OfferStatus.EXPIRED


def test_a_deadline_east_of_utc_ends_before_the_utc_day_does(make):
    """Kiritimati (UTC+14): 1 December ends at 10:00 UTC on 1 December."""
    offer = offer_at(make, "Pacific/Kiritimati")
    assert ladder.expire_overdue(datetime(2026, 12, 1, 9, 30, tzinfo=UTC)) == 0
    assert ladder.expire_overdue(datetime(2026, 12, 1, 10, 30, tzinfo=UTC)) == 1
    assert status_of(offer) is OfferStatus.EXPIRED


def test_two_schools_with_the_same_deadline_expire_at_their_own_midnights(make):
    new_york, chicago = offer_at(make, "America/New_York"), offer_at(make, "America/Chicago")
    # 05:30 UTC on 2 December: past midnight in New York (UTC-5), not yet in Chicago (UTC-6).
    assert ladder.expire_overdue(datetime(2026, 12, 2, 5, 30, tzinfo=UTC)) == 1
    assert status_of(new_york) is OfferStatus.EXPIRED
    assert status_of(chicago) is OfferStatus.APPROVED


def test_a_student_answering_after_the_schools_midnight_is_told_it_expired(make):
    offer = offer_at(make, "America/Los_Angeles")
    student = offer.engagement.team.members[0]
    late = clock.school_today(offer.engagement.school, datetime(2026, 12, 2, 8, 30, tzinfo=UTC))
    with pytest.raises(ladder.LadderError, match="expired"):
        ladder.accept(offer, student, today=late)
    assert status_of(offer) is OfferStatus.EXPIRED


def test_the_deadline_reminder_counts_days_on_the_schools_calendar(make):
    offer = offer_at(make, "America/Los_Angeles")
    # 04:00 UTC on 1 December is still 30 November in Los Angeles: one day left, not none.
    assert scheduled.days_left(offer, datetime(2026, 12, 1, 4, 0, tzinfo=UTC)) == 1
    assert scheduled.days_left(offer, datetime(2026, 12, 1, 9, 0, tzinfo=UTC)) == 0
    assert offer in scheduled.expiring_offers(datetime(2026, 12, 1, 9, 0, tzinfo=UTC))
    assert offer not in scheduled.expiring_offers(datetime(2026, 12, 2, 9, 0, tzinfo=UTC))


def test_the_offer_page_names_the_zone_whose_midnight_ends_it(client, login, make):
    offer = offer_at(make, "America/Los_Angeles")
    login(offer.engagement.team.advisor)
    page = text_of(client.get(f"/offers/{offer.id}"))
    assert "1 Dec 2026, end of day Los Angeles time" in page


# --- times as each reader sees them ------------------------------------------------------------


def notification_at(user, moment: datetime) -> None:
    db.session.add(
        Notification(
            user_id=user.id,
            kind="test",
            subject="Hello",
            idempotency_key=f"t-{user.id}",
            created_at=moment,
        )
    )
    db.session.flush()


def test_each_reader_sees_an_instant_on_their_own_clock(client, login, make):
    moment = datetime(2026, 11, 30, 17, 5, tzinfo=UTC)
    teacher = make.teacher(school=make.school(timezone="America/Los_Angeles"))
    employer = make.employer(make.organisation(timezone="Europe/London"))
    nobody_yet = make.employer(with_organisation=False)
    for user in (teacher, employer, nobody_yet):
        notification_at(user, moment)
    seen = {}
    for user in (teacher, employer, nobody_yet):
        login(user)
        seen[user.id] = text_of(client.get("/notifications"))
    assert "30 Nov 2026, 09:05" in seen[teacher.id] and "Los Angeles time" in seen[teacher.id]
    assert "30 Nov 2026, 17:05" in seen[employer.id] and "London time" in seen[employer.id]
    # No school or organisation yet: the deployment's zone (New York).
    assert "30 Nov 2026, 12:05" in seen[nobody_yet.id] and "New York time" in seen[nobody_yet.id]
    assert not any("UTC" in page for page in seen.values())


def test_today_is_the_readers_date_not_the_servers():
    late_evening = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)
    assert clock.today_in(clock.zone("America/Los_Angeles"), late_evening) == date(2026, 11, 30)
    assert clock.today_in(clock.zone("Europe/Berlin"), late_evening) == date(2026, 12, 1)
    assert clock.end_of(DEADLINE, clock.zone("America/Los_Angeles")) == datetime(
        2026, 12, 2, 8, 0, tzinfo=UTC
    )


# --- choosing a zone ---------------------------------------------------------------------------


def test_the_site_admin_creates_a_school_in_its_zone(client, login, make):
    login(make.site_admin())
    page = text_of(client.get("/admin/schools"))
    assert 'selected value="America/New_York"' in page
    response = client.post(
        "/admin/schools", data={"name": "Pacific High", "timezone": "America/Los_Angeles"}
    )
    assert response.status_code == 302
    school = db.session.scalar(sa.select(School).filter_by(name="Pacific High"))
    assert school.timezone == "America/Los_Angeles"


def test_a_school_admin_moves_the_school_and_a_wrong_zone_changes_nothing(client, login, make):
    school = make.school()
    login(make.school_admin(school=school))
    page = text_of(client.get("/school/staff"))
    assert "New York time" in page and 'selected value="America/New_York"' in page
    refused = client.post("/school/timezone", data={"timezone": "Mars/Olympus_Mons"})
    assert refused.status_code == 422 and "Not a valid choice" in text_of(refused)
    assert db.session.scalar(sa.select(School.timezone).filter_by(id=school.id)) == (
        "America/New_York"
    )
    moved = client.post("/school/timezone", data={"timezone": "America/Denver"})
    assert moved.status_code == 303
    assert db.session.scalar(sa.select(School.timezone).filter_by(id=school.id)) == (
        "America/Denver"
    )
    assert "Denver time" in text_of(client.get("/school/staff"))


def test_an_employer_sets_the_organisations_zone(client, login, make):
    employer = make.employer()
    login(employer)
    page = text_of(client.get("/organisation"))
    assert 'selected value="America/New_York"' in page  # not yet chosen: the default
    refused = client.post("/organisation/timezone", data={"timezone": "Nowhere"})
    assert refused.status_code == 422 and "Not a valid choice" in text_of(refused)
    assert (
        client.post("/organisation/timezone", data={"timezone": "Europe/Paris"}).status_code == 303
    )
    zone = db.session.scalar(
        sa.select(Organisation.timezone).where(Organisation.id == employer.organisation_id)
    )
    assert zone == "Europe/Paris"
    assert "Paris time" in text_of(client.get("/organisation"))
