"""The placements report: the work-based-learning record export (one row per placement, the
fields state manuals ask for), the Perkins roll-up, the figures, who sees what, and cells a
spreadsheet would run as formulas."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from werkzeug.datastructures import MultiDict

from marketplace import clock
from marketplace.extensions import db
from marketplace.models import (
    Evaluation,
    EvaluationKind,
    Placement,
    ProjectStatus,
    Rung,
    SiteVisit,
)
from marketplace.placements import completion, hours
from marketplace.placements.evaluations import due_between
from marketplace.reports import placements as reports
from marketplace.reports.scope import Filters, Scope
from marketplace.web import day

from .helpers import words
from .test_placement_hours import _week_logged, last_weekday, signed
from .test_placements import placed


def rows_of(response) -> list[dict[str, str]]:
    text = response.get_data(as_text=True).lstrip("\ufeff")
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def done(make):
    """Maya's internship: 3 hours verified (2 + 1), a final evaluation, a site visit, completed;
    the school codes internships "WBL-INT"."""
    w = signed(make, age=16)
    p = w["placement"]
    day = _week_logged(w)
    for entry in hours.week(p, day).entries:
        entry.status = entry.status.APPROVED
    db.session.add(
        Evaluation(
            placement_id=p.id,
            kind=EvaluationKind.FINAL,
            scores={"Communication": 4},
            evaluator_name="Sam Ortiz",
        )
    )
    db.session.add(SiteVisit(placement_id=p.id, visited_on=day, visitor_id=w["teacher"].id))
    p.safety_done_on = p.start_date
    w["school"].wbl_codes = {"internship": "WBL-INT"}
    completion.complete(p, w["teacher"], "Timesheets kept on paper by the clinic.")
    db.session.commit()
    return w


def test_the_record_has_one_row_per_placement_with_the_state_fields(done, client, login):
    login(done["teacher"])
    response = client.get("/reports/placements/wbl.csv")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    [row] = rows_of(response)
    assert list(row) == list(reports.WBL_COLUMNS)
    p = done["placement"]
    assert row["student_id"] == str(done["maya"].id)
    assert row["student_name"] == "Maya Lopez"
    assert row["age_band"] == "16-17"
    assert (row["wbl_type_code"], row["wbl_type"]) == ("WBL-INT", "internship")
    assert row["employer"] == "Harbor Health"
    assert row["coordinator"] == "Maria Rivera"
    assert row["start_date"] == p.start_date.isoformat()
    assert row["status"] == "completed"
    assert row["hours_verified"] == "3.0"
    assert row["paid"] == "unpaid"
    signed_there = p.signed_at.astimezone(ZoneInfo(p.school.timezone)).date()  # its school's day
    assert row["agreement_signed"] == signed_there.isoformat()
    assert row["safety_training_done"] == p.start_date.isoformat()
    assert row["final_evaluation"] and not row["midpoint_evaluation"]
    assert row["site_visits"] == "1"


def test_the_perkins_roll_up_counts_students_who_completed_per_cluster(done, client, login):
    scope = Scope.of(done["teacher"])
    [row] = reports.perkins(scope, Filters())
    assert (row.students, row.placements) == (1, 1)
    figures = reports.figures(scope, Filters())
    assert figures.by_status["completed"] == 1 and figures.students_completed == 1
    assert figures.hours_verified == 3.0
    login(done["teacher"])
    page = words(client.get("/reports/placements"))
    assert "1 student completed a placement." in page
    assert f"{row.cluster} 1 1" in page
    [csv_row] = rows_of(client.get("/reports/placements/perkins.csv"))
    assert csv_row == {
        "career_cluster": row.cluster,
        "students_completed": "1",
        "placements_completed": "1",
    }


def test_another_school_sees_none_of_it(done, client, login, make):
    login(make.school_admin(school=make.school("Lakeview High")))
    assert rows_of(client.get("/reports/placements/wbl.csv")) == []
    assert reports.perkins(Scope.of(done["teacher"]), Filters())  # the owner does


def test_a_cell_a_spreadsheet_would_run_is_escaped(done, client, login):
    done["placement"].worksite_address = '=HYPERLINK("http://evil.example")'
    done["org"].name = "+Harbor"
    db.session.commit()
    login(done["teacher"])
    [row] = rows_of(client.get("/reports/placements/wbl.csv"))
    assert row["worksite"].startswith("'=HYPERLINK")
    assert row["employer"] == "'+Harbor"


def test_an_adult_and_a_young_student_are_in_their_age_bands():
    from datetime import date

    assert reports.age_band(date(2010, 6, 1), date(2026, 5, 31)) == "under 16"
    assert reports.age_band(date(2010, 6, 1), date(2026, 6, 1)) == "16-17"
    assert reports.age_band(date(2008, 1, 1), date(2026, 6, 1)) == "18 and over"
    assert reports.age_band(None, date(2026, 6, 1)) == "unknown"


def test_hours_still_waiting_count_as_pending(make):
    w = signed(make, age=19)
    hours.log(w["placement"], w["maya"], last_weekday(w), time(9), time(10, 30), "Filing")
    figures = reports.figures(Scope.of(w["teacher"]), Filters())
    assert (figures.hours_verified, figures.hours_pending) == (0.0, 1.5)


# --- the record's fields, days and whose placements -------------------------------------------


def test_the_record_has_the_roster_grade_and_number_and_days_at_the_school(done, client, login):
    done["school"].timezone = "America/Los_Angeles"
    done["maya"].grade, done["maya"].student_number = 11, "S-1042"
    done["placement"].signed_at = datetime(2026, 3, 10, 3, 0, tzinfo=UTC)  # 9 March in LA
    db.session.commit()
    login(done["teacher"])
    [row] = rows_of(client.get("/reports/placements/wbl.csv"))
    assert (row["grade"], row["school_student_number"]) == ("11", "S-1042")
    assert row["agreement_signed"] == "2026-03-09"


def test_a_name_and_a_code_a_spreadsheet_would_run_are_escaped(done, client, login):
    done["maya"].first_name = "=cmd"
    done["school"].wbl_codes = {"internship": "@SUM(A1)"}
    db.session.commit()
    login(done["teacher"])
    [row] = rows_of(client.get("/reports/placements/wbl.csv"))
    assert row["student_name"] == "'=cmd Lopez"
    assert row["wbl_type_code"] == "'@SUM(A1)"


def test_a_placement_counts_in_the_school_year_of_its_own_dates(make, client, login):
    """An internship in the autumn, from an engagement opened in May: the autumn's year."""
    w = signed(make, age=17)
    p = w["placement"]
    p.engagement.created_at = datetime(2025, 5, 1, 12, tzinfo=UTC)
    p.start_date, p.end_date = date(2025, 9, 10), date(2025, 11, 10)
    db.session.commit()
    login(w["teacher"])
    assert len(rows_of(client.get("/reports/placements/wbl.csv?year=2025"))) == 1
    assert rows_of(client.get("/reports/placements/wbl.csv?year=2024")) == []
    assert len(rows_of(client.get("/reports/placements/wbl.csv?from=2025-11-10"))) == 1
    assert rows_of(client.get("/reports/placements/wbl.csv?from=2025-11-11")) == []


def test_perkins_counts_a_completion_in_the_year_it_happened(done, client, login):
    done["placement"].completed_at = datetime(2026, 8, 1, 3, 0, tzinfo=UTC)  # 31 July in LA
    done["school"].timezone = "America/Los_Angeles"
    db.session.commit()
    scope = Scope.of(done["teacher"])
    assert reports.perkins(scope, Filters.from_args(MultiDict({"year": "2025"}), scope))
    assert not reports.perkins(scope, Filters.from_args(MultiDict({"year": "2026"}), scope))


def test_a_teacher_has_the_placements_they_coordinate_outside_their_classes(done, make):
    colleague = make.teacher(school=done["school"])
    done["placement"].coordinator_id = colleague.id
    db.session.commit()
    assert len(list(reports.wbl_rows(Scope.of(colleague), Filters()))) == 1
    assert list(reports.wbl_rows(Scope.of(make.teacher(school=done["school"])), Filters())) == []


def test_a_site_admin_has_every_school_or_one_and_the_filters_narrow_the_csv(
    done, make, client, login
):
    other = signed_elsewhere(make)
    login(make.site_admin())
    assert len(rows_of(client.get("/reports/placements/wbl.csv"))) == 2
    [row] = rows_of(client.get(f"/reports/placements/wbl.csv?school={other.school_id}"))
    assert row["student_id"] == str(other.student_id)
    org = done["org"].id
    [row] = rows_of(client.get(f"/reports/placements/wbl.csv?organisation={org}"))
    assert row["employer"] == "Harbor Health"
    [row] = rows_of(client.get(f"/reports/placements/perkins.csv?organisation={org}"))
    assert row["students_completed"] == "1"
    assert rows_of(client.get(f"/reports/placements/perkins.csv?school={other.school_id}")) == []


def signed_elsewhere(make):
    """An active placement of another school (Lakeview), with another organisation."""
    school = make.school("Lakeview High")
    teacher = make.teacher(school=school)
    classroom = make.classroom(teacher=teacher)
    student = make.student(classroom, age=18)
    project = make.project(make.team(classroom, [student]), status=ProjectStatus.PUBLISHED)
    org = make.organisation(verified_by=[school], name="Lake Clinic")
    engagement = make.engagement(project, make.employer(org), rung=Rung.INTERNSHIP)
    placement = make.placement(engagement, student)
    db.session.commit()
    return placement


# --- what is still to do ------------------------------------------------------------------------


def test_agreements_waiting_say_whose_signatures_they_wait_for(make, client, login):
    w = placed(make, age=16)
    login(w["teacher"])
    page = words(client.get("/reports/placements"))
    assert "1 agreement waits for signatures" in page
    assert (
        "Maya Lopez Internship at Harbor Health "
        f"{day(w['placement'].start_date)} student, guardian, workplace supervisor, "
        "school coordinator" in page
    )


def test_evaluations_due_and_visits_below_the_target_are_listed(make, client, login):
    w = signed(make, age=17)
    p = w["placement"]
    today = clock.school_today(w["school"])
    p.start_date, p.end_date = today - timedelta(days=60), today + timedelta(days=10)
    w["school"].site_visit_target = 2
    db.session.add(SiteVisit(placement_id=p.id, visited_on=today, visitor_id=w["teacher"].id))
    db.session.commit()
    followed = reports.follow_ups(Scope.of(w["teacher"]), Filters(), today)
    [due] = followed.evaluations
    assert (due.what, due.due) == (["midpoint"], today - timedelta(days=25))
    [short] = followed.visits
    assert short.what == ["1 of 2"] and followed.visited_enough == 0
    login(w["teacher"])
    page = words(client.get("/reports/placements"))
    assert "1 placement waits for an evaluation that is due" in page
    assert f"Maya Lopez Internship at Harbor Health {day(due.due)} midpoint" in page
    assert "Maya Lopez Internship at Harbor Health active 1 of 2" in page
    db.session.add(SiteVisit(placement_id=p.id, visited_on=today, visitor_id=w["teacher"].id))
    db.session.add(
        Evaluation(placement_id=p.id, kind=EvaluationKind.MIDPOINT, scores={}, evaluator_name="Sam")
    )
    db.session.commit()
    followed = reports.follow_ups(Scope.of(w["teacher"]), Filters(), today)
    assert (followed.evaluations, followed.visits, followed.visited_enough) == ([], [], 1)


def test_the_record_streams_holding_one_chunk_of_placements_at_a_time(
    done, make, monkeypatch, client, login
):
    """Constant memory: however many placements, the session holds at most one chunk of them
    while the rows go out (the bench measures 10,000: the same peak as 1,000)."""
    p = done["placement"]
    copies = [
        make.placement(
            p.engagement,
            make.student(done["classroom"]),
            offer_id=p.offer_id,
            coordinator_id=p.coordinator_id,
            start_date=p.start_date,
        )
        for _ in range(11)
    ]
    assert len(copies) == 11
    db.session.commit()
    teacher = done["teacher"]
    scope = Scope.of(teacher)
    db.session.expunge_all()
    monkeypatch.setattr(reports, "CHUNK", 4)
    held = []
    for _ in reports.wbl_rows(scope, Filters()):
        held.append(sum(isinstance(o, Placement) for o in db.session.identity_map.values()))
    assert len(held) == 12
    assert max(held) <= 4
    login(teacher)
    assert len(rows_of(client.get("/reports/placements/wbl.csv"))) == 12


@pytest.mark.parametrize(("began", "listed"), [(35, True), (34, False)])
def test_the_midpoint_of_an_odd_length_placement_falls_as_the_evaluations_say(make, began, listed):
    """71 days: the midpoint is 35 days in (rounded down), in SQL as in `due_between`."""
    w = signed(make, age=17)
    p = w["placement"]
    today = clock.school_today(w["school"])
    p.start_date = today - timedelta(days=began)
    p.end_date = p.start_date + timedelta(days=71)
    db.session.commit()
    assert (due_between(p.start_date, p.end_date, EvaluationKind.MIDPOINT) <= today) is listed
    followed = reports.follow_ups(Scope.of(w["teacher"]), Filters(), today)
    assert bool(followed.evaluations) is listed
