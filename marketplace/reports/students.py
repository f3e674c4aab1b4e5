"""Students: how many of the scope's students reached each rung, by grade, career cluster and
class, and who has not been in any project yet. Aggregate SQL: one grouped statement per
breakdown over a union of what each student reached.

What a student "reached":
- *in a project*: on a team with a project;
- *interest* and *mentorship*: on the team of an engagement that reached it (a team climbs
  those together);
- *job shadowing*, *externship*, *internship*: a placement of their own at that rung or higher
  that has begun (signed by everyone: under way, completed or ended early); the workplace rungs
  are each student's own;
- *completed a placement*.
A rung counts when reached or passed (as in the funnel). Engagements are kept by the filters
(opened in the range, class, cluster, organisation, event); placements by their own dates.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from ..extensions import db
from ..forms_common import bounded_int
from ..models import (
    LADDER,
    Challenge,
    Classroom,
    Engagement,
    Enrollment,
    Placement,
    PlacementStatus,
    Project,
    Rung,
    Team,
    TeamMembership,
    User,
)
from .placements import placements_of
from .scope import Filters, Scope

# The columns of each breakdown, in order: a key and what the column counts.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("students", "students"),
    ("in_project", "in a project"),
    *((r.value, f"reached {r.label}") for r in LADDER),
    ("completed", "completed a placement"),
)
BREAKDOWNS = ("grade", "cluster", "class")
NOT_RECORDED = "Grade not recorded"
ROWS_LIMIT = 500


@dataclass(frozen=True)
class Row:
    key: Any  # the grade, the cluster or the class id (None: not recorded / none)
    label: str
    counts: dict[str, int]

    def __getitem__(self, column: str) -> int:
        return self.counts.get(column, 0)


@dataclass(frozen=True)
class Breakdown:
    by: str
    rows: list[Row]
    total: Row


def _classes(scope: Scope, filters: Filters) -> sa.Select:
    """SELECT classroom.id … of the scope (the one the class filter names)."""
    classes = scope.classroom_ids()
    if filters.classroom_id is not None:
        classes = classes.where(Classroom.id == filters.classroom_id)
    return classes


def enrolled(scope: Scope, filters: Filters) -> sa.Select:
    """SELECT enrollment.student_id, enrollment.classroom_id … of the scope's classes."""
    return sa.select(Enrollment.student_id, Enrollment.classroom_id).where(
        Enrollment.classroom_id.in_(_classes(scope, filters))
    )


def _reach(scope: Scope, filters: Filters) -> sa.Subquery:
    """(student, class, cluster, level, completed): one row per thing a student of the scope
    reached; level 0 is interest, 1 mentorship, 2… the workplace rungs."""
    students = enrolled(scope, filters).with_only_columns(Enrollment.student_id)
    engagements = filters.apply(scope.engagements()).with_only_columns(Engagement.id)
    by_team = (
        sa.select(
            TeamMembership.student_id.label("student_id"),
            TeamMembership.classroom_id.label("classroom_id"),
            Challenge.career_cluster.label("cluster"),
            sa.case((Engagement.rung == Rung.INTEREST, 0), else_=1).label("level"),
            sa.literal(0).label("completed"),
        )
        .join(TeamMembership, TeamMembership.team_id == Engagement.team_id)
        .join(Project, Project.id == Engagement.project_id)
        .join(Challenge, Challenge.id == Project.challenge_id)
        .where(Engagement.id.in_(engagements), TeamMembership.student_id.in_(students))
    )
    own = (
        sa.select(
            Placement.student_id,
            Team.classroom_id,
            Challenge.career_cluster,
            sa.case({r.value: r.level for r in Rung}, value=Placement.rung, else_=-1),
            sa.case((Placement.status == PlacementStatus.COMPLETED, 1), else_=0),
        )
        .join(Engagement, Engagement.id == Placement.engagement_id)
        .join(Team, Team.id == Engagement.team_id)
        .join(Project, Project.id == Engagement.project_id)
        .join(Challenge, Challenge.id == Project.challenge_id)
        .where(
            Placement.id.in_(placements_of(scope, filters)),
            Placement.status != PlacementStatus.AGREEMENT,
            Placement.student_id.in_(students),
            Team.classroom_id.in_(_classes(scope, filters)),
        )
    )
    return sa.union_all(by_team, own).subquery("reach")


def _in_projects(scope: Scope, filters: Filters) -> sa.Subquery:
    """(student, class, cluster) of every project a student of the scope is on a team of."""
    students = enrolled(scope, filters).with_only_columns(Enrollment.student_id)
    query = (
        sa.select(
            TeamMembership.student_id.label("student_id"),
            TeamMembership.classroom_id.label("classroom_id"),
            Challenge.career_cluster.label("cluster"),
        )
        .join(Project, Project.team_id == TeamMembership.team_id)
        .join(Challenge, Challenge.id == Project.challenge_id)
        .where(TeamMembership.student_id.in_(students))
    )
    if filters.cluster:
        query = query.where(Challenge.career_cluster == filters.cluster)
    # The teams of the scope's classes (the class filter's): a student's project in another
    # teacher's class is not this reader's to count.
    query = query.where(TeamMembership.classroom_id.in_(_classes(scope, filters)))
    return query.subquery("in_projects")


def _reach_counts(reach: sa.Subquery) -> list[sa.ColumnElement[int]]:
    student = reach.c.student_id
    return [
        *(
            sa.func.count(sa.distinct(sa.case((reach.c.level >= r.level, student)))).label(r.value)
            for r in LADDER
        ),
        sa.func.count(sa.distinct(sa.case((reach.c.completed == 1, student)))).label("completed"),
    ]


def _count_by(sub: sa.Subquery, by: str, *columns: sa.ColumnElement[int]) -> dict[Any, dict]:
    """{key: {column: count}}: `columns` over the rows of `sub`, grouped by grade (the
    student's), class or cluster."""
    query = sa.select(*columns).select_from(sub)
    if by == "grade":
        key: Any = User.grade
        query = query.join(User, User.id == sub.c.student_id)
    else:
        key = sub.c.classroom_id if by == "class" else sub.c.cluster
    query = query.add_columns(key.label("key")).group_by(key)
    return {
        row.key: {k: int(v or 0) for k, v in row._mapping.items() if k != "key"}
        for row in db.session.execute(query)
    }


def _distinct(sub: sa.Subquery, label: str) -> sa.ColumnElement[int]:
    return sa.func.count(sa.distinct(sub.c.student_id)).label(label)


def breakdown(scope: Scope, filters: Filters, by: str) -> Breakdown:
    """The students of the scope by `by` (grade, cluster or class), with how many reached each
    rung; three grouped statements (the students, those in a project, what they reached) and
    three for the totals."""
    if by not in BREAKDOWNS:
        raise ValueError(by)
    reach, projects = _reach(scope, filters), _in_projects(scope, filters)
    people = enrolled(scope, filters).subquery("people")
    population = projects if by == "cluster" else people  # a cluster's: those in its projects
    students = _count_by(population, by, _distinct(population, "students"))
    in_project = _count_by(projects, by, _distinct(projects, "in_project"))
    reached = _count_by(reach, by, *_reach_counts(reach))
    keys = set(students) | set(reached)
    labels = _labels(scope, by, keys)

    def order(key: Any) -> tuple:
        return (key is None, key if by == "grade" else labels[key])

    rows = [
        Row(
            key,
            labels[key],
            {**students.get(key, {}), **in_project.get(key, {}), **reached.get(key, {})},
        )
        for key in sorted(keys, key=order)
    ]
    return Breakdown(by, rows, totals(reach, projects, people))


def totals(reach: sa.Subquery, projects: sa.Subquery, people: sa.Subquery) -> Row:
    """Every student of the scope once (a student in two classes or clusters counts once)."""
    students = db.session.scalar(sa.select(_distinct(people, "students")))
    in_project = db.session.scalar(sa.select(_distinct(projects, "in_project")))
    reached = db.session.execute(sa.select(*_reach_counts(reach))).one()._mapping
    return Row(
        None,
        "All students",
        {
            "students": int(students or 0),
            "in_project": int(in_project or 0),
            **{k: int(v or 0) for k, v in reached.items()},
        },
    )


def label_of(scope: Scope, by: str, raw: str | None) -> str:
    """The row a figure's link names (`raw` as the link gives the key; None: the totals)."""
    if raw is None:
        return "All students"
    key: Any = raw if by == "cluster" else (_int(raw) if raw else None)
    return _labels(scope, by, {key})[key]


def _labels(scope: Scope, by: str, keys: set[Any]) -> dict[Any, str]:
    if by == "grade":
        return {k: f"Grade {k}" if k is not None else NOT_RECORDED for k in keys}
    if by == "class":
        names = {c.id: c.name for c in scope.classrooms()}
        return {k: names.get(k, "another class") for k in keys}
    return {k: k or "no cluster" for k in keys}


def not_in_a_project(scope: Scope, filters: Filters) -> tuple[list[tuple[User, str]], int]:
    """The scope's students on no team with a project in the scope's classes (the first
    `ROWS_LIMIT`, by class and name, each with a class name) and how many there are."""
    with_project = (
        sa.select(TeamMembership.student_id)
        .join(Project, Project.team_id == TeamMembership.team_id)
        .where(TeamMembership.classroom_id.in_(_classes(scope, filters)))
    )
    missing = (
        Enrollment.classroom_id.in_(_classes(scope, filters)),
        Enrollment.student_id.not_in(with_project),
    )
    rows = db.session.execute(
        sa.select(User, Classroom.name)
        .select_from(Enrollment)
        .join(User, User.id == Enrollment.student_id)
        .join(Classroom, Classroom.id == Enrollment.classroom_id)
        .where(*missing)
        .order_by(Classroom.name, User.last_name, User.first_name, User.id)
        .limit(ROWS_LIMIT)
    ).all()
    count = db.session.scalar(
        sa.select(sa.func.count(sa.distinct(Enrollment.student_id))).where(*missing)
    )
    return [(user, name) for user, name in rows], int(count or 0)


def behind(
    scope: Scope, filters: Filters, by: str, key: str | None, column: str
) -> tuple[list[User], int]:
    """The students behind one figure: the column's students of the row `key` (grade, class
    id or cluster as text; None for the totals, "" for "not recorded"); the first
    `ROWS_LIMIT` by name, and how many there are."""
    if column not in dict(COLUMNS) or (by not in BREAKDOWNS and key is not None):
        raise ValueError(column)
    if column in ("students", "in_project"):
        in_projects = column == "in_project" or (by == "cluster" and key is not None)
        sub = (
            _in_projects(scope, filters)
            if in_projects
            else enrolled(scope, filters).subquery("people")
        )
        condition: list[sa.ColumnElement[bool]] = []
    else:
        sub = _reach(scope, filters)
        condition = (
            [sub.c.completed == 1] if column == "completed" else [sub.c.level >= Rung(column).level]
        )
    ids = sa.select(sub.c.student_id).where(*condition)
    if key is not None:
        if by == "grade":
            grade = User.grade.is_(None) if key == "" else User.grade == _int(key)
            ids = ids.join(User, User.id == sub.c.student_id).where(grade)
        elif by == "class":
            ids = ids.where(sub.c.classroom_id == _int(key))
        else:
            ids = ids.where(sub.c.cluster == key)
    query = sa.select(User).where(User.id.in_(ids))
    students = list(
        db.session.scalars(
            query.order_by(User.last_name, User.first_name, User.id).limit(ROWS_LIMIT)
        )
    )
    count = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    return students, int(count or 0)


def _int(raw: str) -> int:
    try:
        return bounded_int(raw)
    except ValueError:
        return -1  # no grade or class has it: nobody
