"""The annual report PDF of a school's program against a hand-counted world: Riverside's year
holds Harbor Health's engagement (Maya's internship: 3 hours verified, completed) with Ms
Rivera's class and Quiet Logistics' engagement with another teacher's class; Harbor Health agreed
to be named, Quiet Logistics did not; Lakeview, another school, has a named partner of its own."""

from __future__ import annotations

import pypdfium2 as pdfium
import pytest

from marketplace import clock
from marketplace.extensions import db
from marketplace.models import (
    Activity,
    ActivityKind,
    Partnership,
    PartnerStage,
    ProjectStatus,
    Rung,
)
from marketplace.placements import completion, hours
from marketplace.reports import annual
from marketplace.reports.scope import school_year_of, school_year_range

from .helpers import school_today, words
from .test_placement_hours import _week_logged, signed


def pdf_text(response) -> str:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/pdf" and response.data.startswith(b"%PDF")
    document = pdfium.PdfDocument(response.data)
    try:
        text = "\n".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()
    return " ".join(text.replace("\r", " ").split())


def record_of(organisation, school) -> Partnership:
    return db.session.scalars(
        db.select(Partnership).filter_by(organisation_id=organisation.id, school_id=school.id)
    ).one()


@pytest.fixture
def year_world(make):
    w = signed(make, age=16)
    school, p = w["school"], w["placement"]
    for entry in hours.week(p, _week_logged(w)).entries:
        entry.status = entry.status.APPROVED
    completion.complete(p, w["teacher"], "Timesheets kept on paper by the clinic.")
    harbor = record_of(w["org"], school)
    harbor.stage, harbor.listed = PartnerStage.PARTNER, True
    harbor.listing_consent, harbor.listing_blurb = "E-mail from Jordan", "Hosts our interns."
    today = clock.school_today(school)
    db.session.add(
        Activity(
            partnership_id=harbor.id,
            kind=ActivityKind.CAREER_DAY,
            held_on=today,
            students_reached=30,
            hours=2.5,
        )
    )
    # Another teacher's class engages Quiet Logistics, which never agreed to be named.
    other_teacher = make.teacher(school=school, first_name="Omar", last_name="Diaz")
    classroom = make.classroom(teacher=other_teacher)
    team = make.team(classroom, [make.student(classroom, age=17)])
    quiet_org = make.organisation(verified_by=[school], name="Quiet Logistics")
    make.engagement(
        make.project(team, status=ProjectStatus.PUBLISHED),
        make.employer(quiet_org),
        rung=Rung.MENTORSHIP,
    )
    record_of(quiet_org, school).stage = PartnerStage.ENGAGED
    make.prospect(school, "Named Idle Co", listed=True, listing_consent="Form")  # did nothing
    other = make.school("Lakeview High")
    elsewhere = make.prospect(other, "Lakeview Named", listed=True, listing_consent="Form")
    db.session.add(
        Activity(
            partnership_id=elsewhere.id,
            kind=ActivityKind.FIELD_TRIP,
            held_on=today,
            students_reached=5,
            hours=1,
        )
    )
    db.session.commit()
    w["other_teacher"], w["other"] = other_teacher, other
    # The year the engagements began in (the funnel counts them by their UTC day).
    w["year"] = school_year_of(school_today())
    return w


def test_the_pdf_holds_the_hand_counted_figures_and_only_consenting_names(
    year_world, client, login
):
    w = year_world
    login(w["teacher"])
    text = pdf_text(client.get(f"/reports/annual.pdf?year={w['year']}"))
    assert "Riverside High" in text
    label = f"{w['year']}–{(w['year'] + 1) % 100:02d}"
    assert f"annual report {label}" in text
    # The whole school's program, the other teacher's class included.
    assert "Of 2 engagements that began with interest, 2 reached mentorship" in text
    assert "Workplace supervisors verified 3 hours of them; 0 more are waiting" in text
    assert "1 student completed a placement in the year" in text
    assert "1 completed, 0 are still under way, 0 wait for signatures and 0 ended early" in text
    assert "The school's network holds 3 partners: 1 prospect, 1 engaged, 1 partner." in text
    assert "held 1 activity" in text and "reached 30 students over 2.5 hours" in text
    assert "1. Harbor Health — Hosts our interns." in text
    assert "1 engagement, 1 placement, 1 activity reaching 30 students over 2.5 hours." in text
    assert "Quiet Logistics" not in text  # counted, never named
    assert "Named Idle Co" not in text  # agreed, but did nothing with the students this year
    assert "Lakeview" not in text


def test_the_ranking_counts_engagements_placements_and_activities(year_world):
    w = year_world
    start, end = school_year_range(w["year"])
    [top] = annual.top_partners(w["school"], start, end)
    assert (top.name, top.engagements, top.placements, top.activities, top.score) == (
        "Harbor Health",
        1,
        1,
        1,
        3,
    )
    withdrawn = record_of(w["org"], w["school"])
    withdrawn.listing_consent = ""  # consent withdrawn: never named again
    assert annual.top_partners(w["school"], start, end) == []


def test_a_school_admin_gets_their_school_and_a_site_admin_chooses(year_world, client, login, make):
    w = year_world
    login(make.school_admin(school=w["school"]))
    assert "Harbor Health" in pdf_text(client.get(f"/reports/annual.pdf?year={w['year']}"))
    login(make.school_admin(school=w["other"]))
    other = pdf_text(client.get(f"/reports/annual.pdf?year={w['year']}&school={w['school'].id}"))
    assert "Lakeview High" in other and "Harbor" not in other
    login(make.site_admin())
    choose = client.get("/reports/annual.pdf")
    assert choose.status_code == 400 and "Choose a school" in words(choose)
    chosen = client.get(f"/reports/annual.pdf?school={w['school'].id}&year={w['year']}")
    assert "Harbor Health" in pdf_text(chosen)


def test_the_year_defaults_to_the_current_one_and_junk_is_ignored(year_world, client, login):
    login(year_world["teacher"])
    this_year = school_year_of(clock.school_today(year_world["school"]))
    label = f"{this_year}–{(this_year + 1) % 100:02d}"
    assert f"annual report {label}" in pdf_text(client.get("/reports/annual.pdf?year=junk"))
    assert "annual report 2019–20" in pdf_text(client.get("/reports/annual.pdf?year=2019"))


@pytest.mark.parametrize("role", ["student", "employer"])
def test_students_and_employers_have_no_annual_report(client, login, make, role):
    login(getattr(make, role)())
    assert client.get("/reports/annual.pdf").status_code == 403


def test_the_reports_link_to_the_annual_report(year_world, client, login):
    login(year_world["teacher"])
    assert "/reports/annual.pdf" in client.get("/reports/partners").get_data(as_text=True)
