"""The funnel report against a hand-counted world: an engagement that stayed at interest, one at
mentorship, one at job shadowing, one that skipped to an internship with permission and completed,
one closed, one stalled; another school's engagement. A teacher sees only their classes, a school
admin only their school; every figure is in the table, the CSV and the rows behind it."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest

from marketplace.models import EngagementStatus, OfferStatus, ProjectStatus, Rung, utcnow
from marketplace.reports import funnel
from marketplace.reports.scope import Filters, Scope

from .conftest import shared_world
from .helpers import words

T0 = utcnow() - timedelta(days=60)


def build(make):
    school = make.school("Riverside High")
    admin = make.school_admin(school=school)
    first = make.teacher(school=school, first_name="Maria", last_name="Rivera")
    second = make.teacher(school=school, first_name="Omar", last_name="Diaz")
    org = make.organisation(verified_by=[school], name="Harbor Health")
    employer = make.employer(org)

    def engagement(teacher, rung, status=EngagementStatus.ACTIVE, last_event_days=1, **kw):
        classroom = make.classroom(teacher=teacher)
        team = make.team(classroom, [make.student(classroom, age=18)])
        project = make.project(team, status=ProjectStatus.PUBLISHED)
        return make.engagement(
            project,
            employer,
            rung=rung,
            status=status,
            created_at=T0,
            last_event_at=utcnow() - timedelta(days=last_event_days),
            **kw,
        )

    def accepted(e, rung, days):
        make.offer(e, rung=rung, status=OfferStatus.ACCEPTED, answered_at=T0 + timedelta(days))

    e1 = engagement(first, Rung.INTEREST)
    e2 = engagement(first, Rung.MENTORSHIP)
    accepted(e2, Rung.MENTORSHIP, 2)
    e3 = engagement(first, Rung.JOB_SHADOWING)
    accepted(e3, Rung.MENTORSHIP, 4)
    accepted(e3, Rung.JOB_SHADOWING, 14)
    e4 = engagement(first, Rung.INTERNSHIP, EngagementStatus.COMPLETED)  # skipped two rungs
    accepted(e4, Rung.MENTORSHIP, 6)
    accepted(e4, Rung.INTERNSHIP, 26)
    e5 = engagement(second, Rung.MENTORSHIP, EngagementStatus.CLOSED)
    accepted(e5, Rung.MENTORSHIP, 8)
    e6 = engagement(second, Rung.MENTORSHIP, last_event_days=30)  # stalled (14 days)
    accepted(e6, Rung.MENTORSHIP, 10)
    other = make.school("Lakeview High")
    outside = make.engagement(
        make.project(
            make.team(
                (c := make.classroom(teacher=make.teacher(school=other))),
                [make.student(c, age=18)],
            ),
            status=ProjectStatus.PUBLISHED,
        ),
        rung=Rung.EXTERNSHIP,
    )
    return locals()


world = shared_world(build)


def figures(result: funnel.Funnel, name: str) -> list:
    return [getattr(s, name) for s in result.stages]


def test_the_school_admin_sees_the_hand_counted_funnel_of_the_school(world):
    result = funnel.funnel(Scope.of(world["admin"]), Filters())
    assert funnel.STAGES == (
        "interest",
        "mentorship",
        "job_shadowing",
        "externship",
        "internship",
        "completed",
    )
    assert figures(result, "reached") == [6, 5, 2, 1, 1, 1]
    assert figures(result, "conversion") == [None, 83.3, 40.0, 50.0, 100.0, 100.0]
    assert figures(result, "skipped") == [0, 0, 1, 1, 0, 0]  # the internship's skip
    assert figures(result, "stalled") == [0, 1, 0, 0, 0, 0]
    # Interest to mentorship: 2, 4, 6, 8, 10 days; mentorship on: 10 (to job shadowing) and
    # 20 (straight to the internship); nobody went on from job shadowing or externship.
    assert figures(result, "median_days") == [6.0, 15.0, None, None, None, None]
    assert result.summary().startswith("Of 6 engagements that began with interest, 5 reached")


def test_a_teacher_counts_only_their_own_classes(world):
    first = funnel.funnel(Scope.of(world["first"]), Filters())
    second = funnel.funnel(Scope.of(world["second"]), Filters())
    assert figures(first, "reached") == [4, 3, 2, 1, 1, 1]
    assert figures(second, "reached") == [2, 2, 0, 0, 0, 0]
    assert figures(second, "stalled") == [0, 1, 0, 0, 0, 0]


def test_the_filters_narrow_the_count(world):
    scope = Scope.of(world["admin"])
    narrowed = Filters(classroom_id=world["e3"].team.classroom_id)
    assert figures(funnel.funnel(scope, narrowed), "reached") == [1, 1, 1, 0, 0, 0]
    before = Filters(end=(T0 - timedelta(days=1)).date())
    assert funnel.funnel(scope, before).total == 0
    assert funnel.funnel(scope, before).summary() == "No engagement matches these filters."


def test_the_page_shows_the_figures_in_a_table_and_links_them_to_their_rows(world, client, login):
    login(world["admin"])
    page = words(client.get("/reports/funnel"))
    assert "Of 6 engagements that began with interest" in page
    assert "Mentorship 5 83.3% 15.0 — 1" in page
    rows = client.get("/reports/funnel/job_shadowing")
    assert rows.status_code == 200
    listed = words(rows)
    assert "2 in all" in listed and world["e3"].project.title in listed
    assert world["e2"].project.title not in listed
    completed = words(client.get("/reports/funnel/completed"))
    assert "Engagements that completed the ladder 1 in all" in completed
    # An htmx filter change answers with the figures only.
    fragment = client.get(
        f"/reports/funnel?class={world['e3'].team.classroom_id}", headers={"HX-Request": "true"}
    )
    assert "<html" not in fragment.get_data(as_text=True)
    assert "Of 1 engagement that began with interest" in words(fragment)


def test_the_csv_has_the_same_figures(world, client, login):
    login(world["admin"])
    response = client.get("/reports/funnel.csv")
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:2] == ["stage", "engagements reached"]
    assert [r[1] for r in rows[1:]] == ["6", "5", "2", "1", "1", "1"]
    assert rows[2] == ["mentorship", "5", "83.3", "15.0", "0", "1"]


@pytest.mark.parametrize("role", ["student", "employer"])
def test_students_and_employers_have_no_reports(world, client, login, make, role):
    login(getattr(make, role)())
    assert client.get("/reports/funnel").status_code == 403
    assert client.get("/reports/funnel.csv").status_code == 403


def test_a_filter_naming_another_schools_class_is_dropped(world, client, login):
    login(world["admin"])
    outside = world["outside"].team.classroom_id
    page = words(client.get(f"/reports/funnel?class={outside}&from=not-a-day&year=99999"))
    assert "Of 6 engagements that began with interest" in page
    junk = "class=x&organisation=99999999999999999999999&event=-1&school=x&to=0001-01-01"
    assert "Of 6 engagements" in words(client.get(f"/reports/funnel?{junk}"))
    assert client.get(f"/reports/placements/wbl.csv?{junk}").status_code == 200
    assert client.get("/reports/funnel/not-a-stage").status_code == 404
