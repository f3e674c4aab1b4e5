"""The partners report against a hand-counted world: Riverside's network in the school year
2024–25 (Los Angeles time), with touchpoints and a partner's joining at the edges of the year and
of a month, an entry that is not a contact, a referral by a council member, a declined
organisation, partners gone quiet; and Lakeview's partner, which Riverside never sees."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from marketplace.extensions import db
from marketplace.models import (
    Activity,
    ActivityKind,
    CouncilMember,
    PartnerStage,
    Touchpoint,
    TouchpointKind,
    VerificationStatus,
    utcnow,
)
from marketplace.reports import partners
from marketplace.reports.scope import Filters, Scope

from .conftest import shared_world
from .helpers import school_today, words

YEAR = "year=2024"  # 1 August 2024 to 31 July 2025
EVIL = '=HYPERLINK("http://evil.example","click")'


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def build(make):
    school = make.school("Riverside High", timezone="America/Los_Angeles")
    admin = make.school_admin(school=school)
    teacher = make.teacher(school=school, first_name="Maria", last_name="Rivera")
    now = utcnow()

    def partner(name, stage, source, requested_at, last_contact_at=None, of=school, **kw):
        return make.prospect(
            of,
            name,
            stage=stage,
            source=source,
            requested_at=requested_at,
            last_contact_at=last_contact_at,
            **kw,
        )

    def entry(record, kind, when, automatic=False):
        db.session.add(
            Touchpoint(partnership_id=record.id, kind=kind, occurred_at=when, automatic=automatic)
        )

    def activity(record, held_on, students, hours):
        db.session.add(
            Activity(
                partnership_id=record.id,
                kind=ActivityKind.GUEST_SPEAKER,
                held_on=held_on,
                students_reached=students,
                hours=hours,
            )
        )

    harbor = partner(
        "Harbor Health",
        PartnerStage.PARTNER,
        "chamber of commerce",
        at(2024, 9, 10, 18),
        now - timedelta(days=5),
        owner_id=teacher.id,
    )
    entry(harbor, TouchpointKind.CALL, at(2024, 8, 1, 5))  # 31 July, 22:00 there: before the year
    entry(harbor, TouchpointKind.CALL, at(2024, 9, 15, 17))
    entry(harbor, TouchpointKind.MEETING, at(2024, 10, 1, 6, 30))  # 30 September there
    entry(harbor, TouchpointKind.INTEREST, at(2024, 10, 20, 19), automatic=True)
    activity(harbor, date(2024, 10, 5), 25, 1.5)
    activity(harbor, date(2025, 3, 12), 40, 3.0)
    summit = partner(
        "Summit Construction",
        PartnerStage.ENGAGED,
        "cold outreach",
        at(2023, 5, 1, 18),
        now - timedelta(days=120),  # gone quiet
    )
    entry(summit, TouchpointKind.EMAIL, at(2024, 11, 2, 18))
    activity(summit, date(2023, 12, 1), 10, 1.0)  # the year before
    union = partner(
        "Riverside Credit Union",
        PartnerStage.ADVISORY,
        "advisory council",
        at(2024, 8, 1, 10),  # 1 August, 03:00 there: the year's first day
    )  # never contacted: gone quiet
    entry(union, TouchpointKind.STAGE, at(2025, 8, 1, 6), automatic=True)  # 31 July there
    marcus = make.partner_contact(union, name="Marcus Bell")
    member = CouncilMember(school_id=school.id, contact_id=marcus.id, term_start=date(2024, 8, 1))
    db.session.add(member)
    db.session.flush()
    bayview = partner(
        "Bayview Dental",
        PartnerStage.CONTACTED,
        "referral",
        at(2025, 1, 15, 18),
        recommended_by="Dr. Kim",
    )
    greenfield = partner(
        "Greenfield Farms",
        PartnerStage.PROSPECT,
        "advisory council",
        at(2025, 2, 1, 18),
        referred_by_member_id=member.id,
    )
    evil = partner(EVIL, PartnerStage.PROSPECT, "cold outreach", at(2022, 3, 1, 18))
    declined = partner(
        "Declined Corp",
        PartnerStage.ENGAGED,
        "alumni",
        at(2024, 9, 1, 18),
        status=VerificationStatus.DECLINED,
    )
    activity(declined, date(2024, 10, 1), 99, 9.0)
    other = make.school("Lakeview High", timezone="America/Chicago")
    other_admin = make.school_admin(school=other)
    other_teacher = make.teacher(school=other)
    lakeview = partner(
        "Lakeview Partner", PartnerStage.PARTNER, "alumni", at(2024, 9, 1, 18), of=other
    )
    activity(lakeview, date(2024, 9, 20), 7, 2.0)
    entry(lakeview, TouchpointKind.CALL, at(2024, 9, 20, 18))
    db.session.flush()
    return locals()


world = shared_world(build)


def span() -> partners.Window:
    return partners.Window(date(2024, 8, 1), date(2025, 7, 31))


def rows_of(response) -> list[dict[str, str]]:
    assert response.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def test_the_network_by_stage_and_source(world):
    result = partners.network(Scope.of(world["admin"]), span(), utcnow())
    assert [(s.stage.value, s.partners, s.active, s.quiet) for s in result.stages] == [
        ("prospect", 2, 0, 0),
        ("contacted", 1, 0, 0),
        ("engaged", 1, 1, 1),  # Summit: an e-mail in November; quiet for 120 days now
        ("partner", 1, 1, 0),
        ("advisory", 1, 0, 1),  # a stage change is no contact; never contacted
    ]
    assert result.sources == [
        "advisory council",
        "chamber of commerce",
        "cold outreach",
        "referral",
    ]
    assert result.count("prospect", "cold outreach") == 1
    assert result.count("prospect", "advisory council") == 1
    assert result.by_source("cold outreach") == 2
    assert result.summary() == (
        "6 partners: 2 prospect, 1 contacted, 1 engaged, 1 partner, 1 advisory council; "
        "2 active in these dates; 2 gone quiet."
    )


def test_months_are_the_schools(world):
    months = partners.monthly(Scope.of(world["teacher"]), span())
    assert len(months) == 12 and months[0].first == date(2024, 8, 1)
    figures = {m.first.strftime("%Y-%m"): m for m in months if m.touchpoints or m.activities}
    assert {k: (m.by_hand, m.automatic) for k, m in figures.items()} == {
        "2024-09": (2, 0),  # the meeting at 06:30 UTC on 1 October was on 30 September there
        "2024-10": (0, 1),
        "2024-11": (1, 0),
        "2025-03": (0, 0),
        "2025-07": (0, 1),
    }
    assert (figures["2024-10"].activities, figures["2024-10"].students) == (1, 25)
    assert (figures["2025-03"].activities, figures["2025-03"].hours) == (1, 3.0)


def test_new_partners_and_referrals(world):
    new = partners.newcomers(Scope.of(world["admin"]), span())
    assert new.total == 4  # Harbor, the credit union (its first hour there), Bayview, Greenfield
    assert new.by_source == {"advisory council": 2, "chamber of commerce": 1, "referral": 1}
    assert new.referrals == 2  # Bayview (a referral), Greenfield (by a council member)
    [marcus] = new.referrers
    assert (marcus.name, marcus.organisation, marcus.referrals) == (
        "Marcus Bell",
        "Riverside Credit Union",
        1,
    )


def test_the_partners_gone_quiet(world):
    quiet, total = partners.quiet_partners(Scope.of(world["admin"]), utcnow())
    assert total == 2
    assert [p.name for p in quiet] == ["Riverside Credit Union", "Summit Construction"]
    assert quiet[1].days(utcnow()) == 120


def test_the_page_shows_the_figures_and_links_them_to_the_partners(world, client, login):
    login(world["admin"])
    response = client.get(f"/reports/partners?{YEAR}")
    assert response.status_code == 200
    page = words(response)
    assert "From 1 Aug 2024 to 31 Jul 2025" in page
    assert "6 partners: 2 prospect, 1 contacted, 1 engaged, 1 partner, 1 advisory council" in page
    assert "Engaged 1 1 1" in page and "All stages 6 2 2" in page
    assert "Sep 2024 2 — 2 — — —" in page and "Oct 2024 — 1 1 1 25 1.5" in page
    assert "In all 3 2 5 2 65 4.5" in page
    assert "5 touchpoints were logged between these dates, 3 by hand" in page
    assert "4 partners joined the network between these dates" in page
    assert "Marcus Bell Riverside Credit Union 1" in page
    assert "Summit Construction Engaged Maria Rivera" not in page  # Summit has no owner
    assert "Summit Construction Engaged — " in page and " 120 " in page
    assert "Lakeview" not in page and "Declined Corp" not in page
    html = response.get_data(as_text=True)
    assert "/partners?stage=engaged&amp;quiet=90" in html
    assert "/partners?stage=prospect&amp;source=cold+outreach" in html
    assert f'/partners/{world["summit"].id}"' in html
    # An htmx change of dates answers with the figures only.
    fragment = client.get(
        "/reports/partners?from=2024-09-01&to=2024-09-30", headers={"HX-Request": "true"}
    )
    assert "<html" not in fragment.get_data(as_text=True)
    assert "Sep 2024 2 — 2" in words(fragment) and "Oct 2024" not in words(fragment)


def test_a_teacher_sees_the_schools_network(world, client, login):
    login(world["teacher"])
    page = words(client.get(f"/reports/partners?{YEAR}"))
    assert "6 partners: 2 prospect" in page


def test_the_csv_has_one_row_per_partner_with_its_figures(world, client, login):
    login(world["admin"])
    rows = {r["partner"]: r for r in rows_of(client.get(f"/reports/partners.csv?{YEAR}"))}
    assert len(rows) == 6 and "Declined Corp" not in rows and "Lakeview Partner" not in rows
    harbor = rows["Harbor Health"]
    assert list(harbor) == list(partners.CSV_COLUMNS)
    assert (harbor["stage"], harbor["source"], harbor["owner"]) == (
        "partner",
        "chamber of commerce",
        "Maria Rivera",
    )
    assert harbor["touchpoints_in_range"] == "3"  # not the call of 31 July there
    assert (harbor["activities_in_range"], harbor["students_reached"], harbor["hours"]) == (
        "2",
        "65",
        "4.5",
    )
    assert harbor["quiet_days"] == "5"
    there = world["harbor"].last_contact_at.astimezone(ZoneInfo("America/Los_Angeles"))
    assert harbor["last_contact"] == there.date().isoformat()
    assert rows["Greenfield Farms"]["referred_by"] == "Marcus Bell"
    assert rows["Bayview Dental"]["referred_by"] == "Dr. Kim"
    union = rows["Riverside Credit Union"]
    assert (union["last_contact"], union["quiet_days"], union["touchpoints_in_range"]) == (
        "",
        "",
        "1",
    )
    assert rows["Summit Construction"]["activities_in_range"] == "0"


def test_a_partner_named_like_a_formula_is_escaped(world, client, login):
    login(world["admin"])
    names = [r["partner"] for r in rows_of(client.get(f"/reports/partners.csv?{YEAR}"))]
    assert f"'{EVIL}" in names and EVIL not in names


@pytest.mark.parametrize("who", ["other_admin", "other_teacher"])
def test_another_school_never_sees_riversides_partners(world, client, login, who):
    login(world[who])
    page = words(client.get(f"/reports/partners?{YEAR}"))
    assert "1 partner: 1 partner; 1 active in these dates; 1 gone quiet." in page
    assert "Harbor" not in page and "Summit" not in page
    rows = rows_of(client.get(f"/reports/partners.csv?{YEAR}"))
    assert [r["partner"] for r in rows] == ["Lakeview Partner"]
    # A site admin's `school` argument means nothing to them.
    riverside = world["school"].id
    assert "Harbor" not in words(client.get(f"/reports/partners?{YEAR}&school={riverside}"))


def test_a_site_admin_sees_every_school_or_one_without_links_to_records(world, client, login, make):
    login(make.site_admin())
    every = client.get(f"/reports/partners?{YEAR}")
    assert "7 partners:" in words(every)
    assert f'/partners/{world["summit"].id}"' not in every.get_data(as_text=True)
    one = words(client.get(f"/reports/partners?{YEAR}&school={world['other'].id}"))
    assert "1 partner: 1 partner" in one
    rows = rows_of(client.get(f"/reports/partners.csv?{YEAR}"))
    assert {r["school"] for r in rows} == {"Riverside High", "Lakeview High"}


@pytest.mark.parametrize("role", ["student", "employer"])
def test_students_and_employers_have_no_partner_report(world, client, login, make, role):
    login(getattr(make, role)())
    assert client.get("/reports/partners").status_code == 403
    assert client.get("/reports/partners.csv").status_code == 403


def test_the_default_is_the_current_school_year(world, client, login):
    login(world["admin"])
    today = school_today()
    start = partners.window(Filters(), today).start
    assert start.month == 8 and start.day == 1 and start <= today
    assert partners.window(Filters(start=date(2025, 3, 1)), today).end == date(2025, 7, 31)
    long = partners.window(Filters(start=date(2000, 1, 1), end=date(2030, 7, 31)), today)
    assert len(long.months()) == partners.MAX_MONTHS
    assert client.get("/reports/partners?from=junk&to=2024-13-40").status_code == 200


def test_many_zones_over_ten_years_are_counted_without_tripping_sqlites_union_limit(
    world, client, login, make
):
    """A site admin's every school in six zones over ten years: 720 months to join (SQLite
    takes at most 500 SELECTs in one UNION)."""
    for zone in ("America/Chicago", "Europe/Paris", "Asia/Tokyo", "Asia/Kolkata"):
        make.school(timezone=zone)
    login(make.site_admin())
    response = client.get("/reports/partners?from=2015-01-01&to=2024-12-31")
    assert response.status_code == 200
    assert "7 partners:" in words(response)
