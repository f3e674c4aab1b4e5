"""The events report against a hand-counted world. Riverside ran a closed demo day (four
pitches, one declined; guests who said yes and no, one withdrawn; a judge who scored and one who
did not; five interests: three became engagements (one climbed to mentorship, one to a completed
internship), one lead waiting, one followed up) and an upcoming showcase titled like a formula;
it took part in Lakeview's regional day. Lakeview's own day is not Riverside's, nor its draft.
A teacher counts only their classes' teams; the page, the CSV and the links say the same."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest

from marketplace import clock
from marketplace.extensions import db
from marketplace.models import (
    EngagementStatus,
    EventInterest,
    EventStatus,
    GuestRole,
    Judgement,
    PresenterStatus,
    ProjectStatus,
    Rsvp,
    Rung,
    utcnow,
)
from marketplace.reports import events
from marketplace.reports.scope import Filters, Scope

from .conftest import shared_world
from .helpers import words

NOW = utcnow()


def build(make):
    school = make.school("Riverside High")
    admin = make.school_admin(school=school)
    first = make.teacher(school=school, first_name="Maria", last_name="Rivera")
    second = make.teacher(school=school, first_name="Omar", last_name="Diaz")
    harbor = make.organisation(verified_by=[school], name="Harbor Health")
    bay = make.organisation(verified_by=[school], name="Bay Bank")
    harbor_member, bay_member = make.employer(harbor), make.employer(bay)
    other = make.school("Lakeview High")
    other_admin = make.school_admin(school=other)

    def project(teacher, surname="Student"):
        classroom = make.classroom(teacher=teacher)
        team = make.team(classroom, [make.student(classroom, age=17, last_name=surname)])
        return make.project(team, status=ProjectStatus.PUBLISHED)

    p_a, p_c = project(first, "Zabriskie"), project(first)  # Maria's classes
    p_b, p_d = project(second), project(second)  # Omar's
    p_l = project(make.teacher(school=other))  # Lakeview's

    def event(organiser, days, presenters, status=EventStatus.CLOSED, **kw):
        made = make.pitch_event(organiser, status=status, presenters=presenters, **kw)
        made.starts_at = NOW + timedelta(days=days)
        made.ends_at = made.starts_at + timedelta(hours=2)
        return made

    spring = event(school, -40, [p_a, p_b, p_c, p_d], title="Spring Demo Day")
    showcase = event(
        school, 10, [p_a, p_l], EventStatus.PUBLISHED, partners=[other], title="=SUM(A1:A9)"
    )
    regional = event(other, -100, [p_b, p_l], partners=[school], title="Regional Day")
    lakeview = event(other, -20, [p_l], title="Lakeview Night")
    draft = event(school, 30, [p_a], EventStatus.DRAFT, title="Draft Day")

    def presenter(e, p):
        return next(x for x in e.presenters if x.project_id == p.id)

    presenter(spring, p_c).status = PresenterStatus.DECLINED

    def guest(e, role=GuestRole.GUEST, rsvp=Rsvp.WAITING, came=False, **kw):
        return make.event_guest(
            e, role, rsvp=rsvp, checked_in_at=NOW - timedelta(days=40) if came else None, **kw
        )

    # Spring: guests 3 invited (a fourth withdrawn), 2 said yes, 1 came; judges 2, 1 came, scored.
    g1 = guest(spring, rsvp=Rsvp.YES, came=True, organisation_id=harbor.id, name="Ana Ruiz")
    g2 = guest(spring, rsvp=Rsvp.NO)
    g3 = guest(spring, rsvp=Rsvp.YES)  # a prospect's contact
    guest(spring, rsvp=Rsvp.YES, revoked_at=NOW)
    j1 = guest(spring, GuestRole.JUDGE, Rsvp.YES, came=True, organisation_id=bay.id)
    guest(spring, GuestRole.JUDGE)
    db.session.add(
        Judgement(
            event_id=spring.id, guest_id=j1.id, presenter_id=presenter(spring, p_a).id, scores={}
        )
    )

    def engagement(p, member, rung, **kw):
        return make.engagement(p, member, rung=rung, source_event_id=spring.id, **kw)

    e_a = engagement(p_a, harbor_member, Rung.MENTORSHIP)
    e_b = engagement(p_b, bay_member, Rung.INTEREST)
    e_d = engagement(p_d, harbor_member, Rung.INTERNSHIP, status=EngagementStatus.COMPLETED)

    def interest(e, g, p, engagement=None, followed_up=False):
        db.session.add(
            EventInterest(
                event_id=e.id,
                guest_id=g.id,
                presenter_id=presenter(e, p).id,
                engagement_id=engagement.id if engagement else None,
                followed_up_at=NOW if followed_up else None,
            )
        )

    interest(spring, g1, p_a, e_a)  # → mentorship (Maria's)
    interest(spring, g3, p_a)  # a lead, waiting (Maria's)
    interest(spring, j1, p_a, followed_up=True)  # a lead followed up (Maria's)
    interest(spring, j1, p_b, e_b)  # Omar's
    interest(spring, g1, p_d, e_d)  # → a completed internship (Omar's)
    # The showcase: 2 guests (one said yes), a judge; nothing yet.
    guest(showcase, rsvp=Rsvp.YES)
    guest(showcase, rsvp=Rsvp.NO)
    guest(showcase, GuestRole.JUDGE)
    # Lakeview's regional day, Riverside taking part: a guest came, liked both teams.
    g7 = guest(regional, rsvp=Rsvp.YES, came=True)
    interest(regional, g7, p_b)  # a lead for Omar's team
    interest(regional, g7, p_l)  # Lakeview's team: Lakeview's to count
    # Lakeview's own night: none of Riverside's business.
    g8 = guest(lakeview, rsvp=Rsvp.YES, came=True)
    interest(lakeview, g8, p_l)
    guest(draft)
    db.session.flush()
    return locals()


world = shared_world(build)

EVERYTHING = Filters()


def table(scope: Scope, filters: Filters = EVERYTHING) -> dict[str, events.EventRow]:
    return {r.title: r for r in events.rows(scope, filters)}


def results(response) -> str:
    """The words of the report's figures (the filters above them list events too)."""
    html = response.get_data(as_text=True)
    return " ".join(html.split('id="events-results"', 1)[1].split())


def figures(row: events.EventRow | dict) -> list[int]:
    get = row.get if isinstance(row, dict) else lambda name: getattr(row, name)
    return [get(name) for name, _ in events.FIGURES]


#                     pres guests   judges   interests engagements
SPRING_SCHOOL = [3, 3, 2, 1, 2, 1, 1, 5, 3, 1, 3, 2, 1, 1]
SHOWCASE_SCHOOL = [1, 2, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]
REGIONAL_SCHOOL = [1, 1, 1, 1, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0]


def test_the_school_admin_sees_the_events_the_school_ran_or_took_part_in(world):
    rows = table(Scope.of(world["admin"]))
    assert list(rows) == ["=SUM(A1:A9)", "Spring Demo Day", "Regional Day"]  # latest first
    assert figures(rows["Spring Demo Day"]) == SPRING_SCHOOL
    assert figures(rows["=SUM(A1:A9)"]) == SHOWCASE_SCHOOL  # Lakeview's pitch not theirs
    assert figures(rows["Regional Day"]) == REGIONAL_SCHOOL  # Lakeview's team not theirs
    result = events.report(Scope.of(world["admin"]), EVERYTHING)
    assert figures(result.totals) == [
        sum(column) for column in zip(SPRING_SCHOOL, SHOWCASE_SCHOOL, REGIONAL_SCHOOL, strict=True)
    ]
    assert result.summary() == (
        "At 3 events, 5 pitches were given and 3 guests and judges checked in; they expressed "
        "6 interests, of which 3 became engagements and 2 are leads waiting for follow-up. "
        "Of the 3 engagements the events opened, 2 reached mentorship or higher, "
        "1 a workplace rung and 1 completed."
    )


def test_a_teacher_counts_only_their_classes_teams(world):
    maria = table(Scope.of(world["first"]))
    omar = table(Scope.of(world["second"]))
    assert list(maria) == list(omar) == ["=SUM(A1:A9)", "Spring Demo Day", "Regional Day"]
    # Guests and judges are the whole event's; presenters, interests, engagements the class's.
    assert figures(maria["Spring Demo Day"]) == [1, 3, 2, 1, 2, 1, 1, 3, 1, 1, 1, 1, 0, 0]
    assert figures(omar["Spring Demo Day"]) == [2, 3, 2, 1, 2, 1, 1, 2, 2, 0, 2, 1, 1, 1]
    assert figures(maria["Regional Day"]) == [0, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
    assert figures(omar["Regional Day"]) == REGIONAL_SCHOOL


def test_the_other_school_and_the_site_admin(world, make):
    lakeview = table(Scope.of(world["other_admin"]))
    assert list(lakeview) == ["=SUM(A1:A9)", "Lakeview Night", "Regional Day"]
    assert figures(lakeview["Regional Day"])[7:10] == [1, 0, 1]  # their team's lead only
    assert figures(lakeview["=SUM(A1:A9)"])[0] == 1
    everyone = table(Scope.of(make.site_admin()))
    assert set(everyone) == {"=SUM(A1:A9)", "Spring Demo Day", "Regional Day", "Lakeview Night"}
    assert figures(everyone["Regional Day"])[:10] == [2, 1, 1, 1, 0, 0, 0, 2, 0, 2]


def test_the_dates_choose_events_by_their_start_and_the_filters_narrow(world):
    scope = Scope.of(world["admin"])
    recent = Filters(start=(NOW - timedelta(days=50)).date(), end=(NOW + timedelta(days=20)).date())
    assert list(table(scope, recent)) == ["=SUM(A1:A9)", "Spring Demo Day"]
    assert table(scope, Filters(end=(NOW - timedelta(days=200)).date())) == {}
    classroom = world["p_d"].team.classroom_id
    narrowed = table(scope, Filters(classroom_id=classroom))
    assert figures(narrowed["Spring Demo Day"])[7:] == [1, 1, 0, 1, 1, 1, 1]
    bay = table(scope, Filters(organisation_id=world["bay"].id))["Spring Demo Day"]
    assert figures(bay)[1:10] == [0, 0, 0, 1, 1, 1, 2, 1, 0]  # the judge of Bay Bank


def test_the_page_has_the_table_its_totals_and_the_links_behind_the_figures(world, client, login):
    login(world["admin"])
    response = client.get("/reports/events")
    assert response.status_code == 200
    page, listed = words(response), results(response)
    assert "Spring Demo Day" in listed
    assert "Lakeview Night" not in listed and "Draft Day" not in listed
    assert "count only the school's teams" in page
    assert "Spring Demo Day " in page and " 3 3 2 1 2 1 1 5 3 1 3 2 1 1" in page
    assert "Total (3 events) 5 6 4 2 3 1 1 6 3 2 3 2 1 1" in page
    assert "At 3 events, 5 pitches were given" in page
    assert "Zabriskie" not in page  # no student's name
    html = response.get_data(as_text=True)
    spring, regional = world["spring"].id, world["regional"].id
    assert f'href="/events/{spring}/report"' in html  # the organisers' own report
    assert f'href="/events/{regional}/report"' not in html  # not theirs to read
    assert f'href="/reports/funnel/mentorship?event={spring}"' in html
    rows = words(client.get(f"/reports/funnel/mentorship?event={spring}"))
    assert "2 in all" in rows


def test_a_teacher_reads_their_classes_in_words(world, client, login):
    login(world["first"])
    page = words(client.get("/reports/events"))
    assert "count only the teams of your classes" in page
    assert "Spring Demo Day " in page and " 1 3 2 1 2 1 1 3 1 1 1 1 0 0" in page


def test_an_htmx_filter_answers_with_the_figures_only(world, client, login):
    login(world["admin"])
    start = (NOW - timedelta(days=50)).date().isoformat()
    fragment = client.get(f"/reports/events?from={start}", headers={"HX-Request": "true"})
    assert "<html" not in fragment.get_data(as_text=True)
    assert "Total (2 events)" in words(fragment)
    empty = client.get("/reports/events?to=2001-01-01", headers={"HX-Request": "true"})
    assert "No pitch event matches these filters." in words(empty)


def test_the_csv_has_the_same_rows_and_escapes_a_formula_title(world, client, login):
    login(world["admin"])
    response = client.get("/reports/events.csv")
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="events.csv"'
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert list(rows[0]) == list(events.CSV_COLUMNS)
    assert [r["title"] for r in rows] == ["'=SUM(A1:A9)", "Spring Demo Day", "Regional Day"]
    spring = rows[1]
    assert [int(spring[c]) for _, c in events.FIGURES] == SPRING_SCHOOL
    assert spring["organiser"] == "Riverside High"
    where = clock.zone(world["school"].timezone)  # the day it began at the school
    assert spring["date"] == clock.local(world["spring"].starts_at, where).date().isoformat()
    assert rows[2]["organiser"] == "Lakeview High"


@pytest.mark.parametrize("role", ["student", "employer"])
def test_students_and_employers_have_no_events_report(world, client, login, make, role):
    login(getattr(make, role)())
    assert client.get("/reports/events").status_code == 403
    assert client.get("/reports/events.csv").status_code == 403
