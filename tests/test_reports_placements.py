"""The placements report: the work-based-learning record export (one row per placement, the
fields state manuals ask for), the Perkins roll-up, the figures, who sees what, and cells a
spreadsheet would run as formulas."""

from __future__ import annotations

import csv
import io
from datetime import time

import pytest

from marketplace.extensions import db
from marketplace.models import Evaluation, EvaluationKind, SiteVisit
from marketplace.placements import completion, hours
from marketplace.reports import placements as reports
from marketplace.reports.scope import Filters, Scope

from .helpers import words
from .test_placement_hours import _week_logged, last_weekday, signed


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
    assert row["agreement_signed"] == p.signed_at.date().isoformat()
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
