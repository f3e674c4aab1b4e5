"""The ladder tests' world: one engagement and someone for every role, plus a full-table snapshot.

The other test_ladder_*.py modules import `build_world`, `ROLES`, `PART_OF_ROLE` and `snapshot`
from here. A ladder module shares one transaction for the whole module (conftest's `module_db`),
builds its worlds once, and rolls every test back to a savepoint of it (building the worlds per
test would make the matrices ten times slower). The tests below check the world itself gives
each role the part we think it has.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from marketplace.engagements import rules
from marketplace.engagements.rules import Part
from marketplace.extensions import db
from marketplace.models import (
    BackgroundCheck,
    Engagement,
    EngagementEvent,
    GuardianConsent,
    Notification,
    Offer,
    OfferRecipient,
    ProjectStatus,
    Rung,
    User,
)

from .helpers import school_today

pytestmark = pytest.mark.usefixtures("module_db")  # one transaction; a savepoint per test

TODAY = school_today()

# Every role the matrices try, and the part each one should have in the world's engagement.
PART_OF_ROLE: dict[str, Part | None] = {
    "employer": Part.EMPLOYER,
    "other_employer": None,
    "student": Part.STUDENT,
    "other_student": None,
    "teacher": Part.TEACHER,
    "other_teacher": None,
    "school_admin": Part.SCHOOL_ADMIN,
    "other_school_admin": None,
    "site_admin": None,
}
ROLES = tuple(PART_OF_ROLE)

# The tables a transition may write; a refusal must leave every one of them as it was.
LADDER_TABLES = (
    Engagement,
    Offer,
    OfferRecipient,
    GuardianConsent,
    EngagementEvent,
    Notification,
    BackgroundCheck,
)


@dataclass
class World:
    """One engagement of a verified, background-checked organisation with a team of two."""

    engagement: Engagement
    people: dict[str, User]
    ava: User  # the acting student: 17, consent recorded for the offers made with `offer()`
    ben: User  # another student of the team, 18: a whole-team offer needs every minor's
    # consent, so an adult teammate leaves Ava's consent the only one that counts
    extra: dict[str, Any] = field(default_factory=dict)

    def offer(self, make, **kw: Any) -> Offer:
        """An offer made with the factory, Ava's guardian consent already recorded."""
        offer = make.offer(self.engagement, **kw)
        consent(offer, self.ava, self.people["teacher"])
        return offer


def consent(offer: Offer, student: User, teacher: User) -> GuardianConsent:
    """Record a guardian's consent straight in the table (no rule checked; once)."""
    existing = offer.consent_for(student.id)
    if existing is not None:
        return existing
    row = GuardianConsent(
        offer_id=offer.id,
        student_id=student.id,
        given_on=TODAY - timedelta(days=1),
        method="signed form",
        recorded_by_id=teacher.id,
    )
    db.session.add(row)
    db.session.flush()
    db.session.expire(offer, ["consents"])
    return row


def build_world(make, rung: Rung = Rung.INTEREST, ages: tuple[int, int] = (17, 18)) -> World:
    """A school, a class with a team (Ava and Ben), a published project, a verified organisation
    engaged at `rung`, and one person for every role in `ROLES`."""
    school, other_school = make.school(), make.school()
    teacher = make.teacher(school=school)
    classroom = make.classroom(teacher=teacher)
    ava = make.student(classroom=classroom, age=ages[0], first_name="Ava")
    ben = make.student(classroom=classroom, age=ages[1], first_name="Ben")
    team = make.team(members=[ava, ben])
    cat = make.student(classroom=classroom, age=17, first_name="Cat")
    make.team(members=[cat])
    project = make.project(team=team, status=ProjectStatus.PUBLISHED)
    employer = make.employer(make.organisation(verified_by=[school]))
    other_employer = make.employer(make.organisation(verified_by=[school]))
    make.background_check(other_employer, school)
    engagement = make.engagement(project, employer, rung=rung)
    people = {
        "employer": employer,
        "other_employer": other_employer,
        "student": ava,
        "other_student": cat,
        "teacher": teacher,
        "other_teacher": make.teacher(school=school),
        "school_admin": make.school_admin(school=school),
        "other_school_admin": make.school_admin(school=other_school),
        "site_admin": make.site_admin(),
    }
    make.classroom(teacher=people["other_teacher"])
    return World(engagement=engagement, people=people, ava=ava, ben=ben)


def snapshot() -> dict[str, list[tuple]]:
    """Every row of every ladder table, as the database holds it now (pending changes flushed:
    what a commit would keep)."""
    db.session.flush()
    rows = {}
    for model in LADDER_TABLES:
        table = model.__table__
        query = sa.select(table).order_by(*table.primary_key.columns)
        rows[table.name] = [tuple(r) for r in db.session.execute(query)]
    return rows


def events(action: str | None = None) -> list[EngagementEvent]:
    """The timeline rows (of one action), oldest first, from a fresh query."""
    query = sa.select(EngagementEvent).order_by(EngagementEvent.id)
    if action is not None:
        query = query.where(EngagementEvent.action == action)
    return list(db.session.scalars(query))


def fresh(model: type, row_id: int) -> dict[str, Any]:
    """One row's columns, read from the database (not the session's identity map)."""
    db.session.flush()
    table = model.__table__  # type: ignore[attr-defined]
    return dict(db.session.execute(sa.select(table).where(table.c.id == row_id)).mappings().one())


@pytest.mark.parametrize("role", ROLES)
def test_every_role_has_the_part_the_matrices_expect(make, role):
    """The matrices rely on these parts: check the world gives them."""
    world = build_world(make)
    assert rules.part_of(world.engagement, world.people[role]) is PART_OF_ROLE[role]


def test_only_the_named_roles_see_the_engagement(make):
    """The school's other teachers and site admins read every engagement (without a part to
    act); the other outsiders read none."""
    world = build_world(make)
    readers = {r for r in ROLES if rules.can_view(world.engagement, world.people[r])}
    assert readers == {
        "employer", "student", "teacher", "other_teacher", "school_admin", "site_admin"
    }  # fmt: skip


def test_a_snapshot_sees_a_flushed_change(make):
    """The snapshot the refusal checks compare would notice a write."""
    world = build_world(make)
    before = snapshot()
    world.engagement.note = "changed"
    assert snapshot() != before
