"""A school admin's ladder pages: employers' background checks and the ladder settings."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from marketplace.engagements import rules

from .conftest import shared_world
from .helpers import field_errors, field_value, flashes, school_today, shown_day, text_of

TODAY = school_today()


def build_s(make):
    school = make.school("Riverside High")
    admin = make.school_admin(school=school)
    harbor = make.organisation(verified_by=[school], name="Harbor Health")
    erin = make.employer(harbor, first_name="Erin", last_name="Lopez")
    sam = make.employer(harbor, first_name="Sam", last_name="Reyes")
    omar = make.employer(harbor, first_name="Omar", last_name="Haddad")
    make.background_check(erin, school, valid_until=TODAY + timedelta(days=200))
    make.background_check(sam, school, valid_until=TODAY - timedelta(days=1))
    pending = make.employer(make.organisation(pending_with=[school]), first_name="Penny")
    other_school = make.school("Hillcrest")
    outsider = make.employer(make.organisation(verified_by=[other_school]), first_name="Otto")
    return locals()


s = shared_world(build_s, name="s")  # built once; each test rolled back


def test_the_roster_lists_verified_members_with_their_check(client, login, s):
    login(s["admin"])
    page = text_of(client.get("/school/background-checks"))
    assert "Harbor Health" in page
    valid_until = shown_day(TODAY + timedelta(days=200))
    assert "Erin Lopez" in page and f"valid until {valid_until}" in page
    assert "Sam Reyes" in page and f"expired {shown_day(TODAY - timedelta(days=1))}" in page
    assert "Omar Haddad" in page and "no check recorded" in page
    assert "Penny" not in page and "Otto" not in page


def test_an_empty_roster_points_to_verification(client, login, make):
    login(make.school_admin())
    page = text_of(client.get("/school/background-checks"))
    assert "No employer to check yet" in page and 'href="/partners/verification"' in page


def test_recording_a_check(client, login, s):
    login(s["admin"])
    response = client.post(
        f"/school/background-checks/{s['omar'].id}",
        data={"checked_on": TODAY.isoformat(), "valid_until": "", "reference": " DBS-0042 "},
    )
    assert response.status_code == 303
    check = rules.background_check_for(s["omar"], s["school"].id)
    assert check.checked_on == TODAY and check.valid_until is None
    assert check.reference == "DBS-0042" and check.attested_by_id == s["admin"].id
    page = client.get("/school/background-checks")
    assert flashes(page) == ["Background check recorded for Omar Haddad."]


def test_renewing_an_expired_check(client, login, s):
    login(s["admin"])
    until = TODAY + timedelta(days=365)
    client.post(
        f"/school/background-checks/{s['sam'].id}",
        data={"checked_on": TODAY.isoformat(), "valid_until": until.isoformat()},
    )
    check = rules.background_check_for(s["sam"], s["school"].id)
    assert check.is_valid_on(TODAY) and check.valid_until == until


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"checked_on": ""}, "Give the date of the check."),
        (
            {"checked_on": (TODAY + timedelta(days=3)).isoformat()},
            "The check date cannot be in the future.",
        ),
        (
            {
                "checked_on": TODAY.isoformat(),
                "valid_until": (TODAY - timedelta(days=10)).isoformat(),
            },
            "The check cannot expire before it was done.",
        ),
    ],
)
def test_a_wrong_check_is_shown_beside_its_field_and_keeps_what_was_typed(
    client, login, s, data, message
):
    login(s["admin"])
    response = client.post(
        f"/school/background-checks/{s['omar'].id}", data={"reference": "REF-7", **data}
    )
    assert response.status_code == 422
    assert message in field_errors(response)
    row = re.search(rf'id="member-{s["omar"].id}".*?</article>', text_of(response), re.S)
    assert 'value="REF-7"' in row.group(0) and "field-error" in row.group(0)
    assert rules.background_check_for(s["omar"], s["school"].id) is None


def test_a_member_the_school_did_not_verify_is_not_found(client, login, s):
    login(s["admin"])
    for member in (s["pending"], s["outsider"]):
        response = client.post(
            f"/school/background-checks/{member.id}", data={"checked_on": TODAY.isoformat()}
        )
        assert response.status_code == 404
        assert rules.background_check_for(member, s["school"].id) is None


# --- settings ----------------------------------------------------------------------------------


def test_the_settings_show_the_school_defaults(client, login, s):
    login(s["admin"])
    response = client.get("/school/ladder-settings")
    assert field_value(response, "min_age_job_shadowing") == "14"
    assert field_value(response, "min_age_externship") == "16"
    assert field_value(response, "stall_days") == "14"


SETTINGS = {
    "min_age_job_shadowing": "15",
    "min_age_externship": "16",
    "min_age_internship": "17",
    "stall_days": "21",
    "under_16_day_hours": "3",
    "under_16_week_hours": "15",
    "minor_day_hours": "4",
    "minor_week_hours": "24",
    "site_visit_target": "3",
    "rubric": "Communication\nSafety habits\r\n\nCustomer care\n",
    "wbl_job_shadowing": "CTE-JS",
    "wbl_externship": "EXT",
    "wbl_internship": "CTE-INT",
}


def test_saving_the_settings(client, login, s):
    login(s["admin"])
    response = client.post("/school/ladder-settings", data=SETTINGS)
    assert response.status_code == 303
    school = s["school"]
    assert (school.min_age_job_shadowing, school.min_age_internship, school.stall_days) == (
        15,
        17,
        21,
    )
    assert (school.under_16_week_hours, school.minor_week_hours, school.site_visit_target) == (
        15,
        24,
        3,
    )
    assert school.refuse_over_limit is False  # unticked: hours over the limit are warned
    assert school.rubric == ["Communication", "Safety habits", "Customer care"]
    assert school.wbl_code("internship") == "CTE-INT"
    assert flashes(client.get("/school/ladder-settings")) == ["The ladder settings are saved."]
    page = client.get("/school/ladder-settings")
    assert "Safety habits\nCustomer care" in page.get_data(as_text=True)


def test_the_settings_show_the_default_rubric_to_edit(client, login, s):
    login(s["admin"])
    response = client.get("/school/ladder-settings")
    assert "Communication\nTeamwork and collaboration" in response.get_data(as_text=True)
    assert field_value(response, "minor_week_hours") == "28"


@pytest.mark.parametrize(
    "rubric, message",
    [
        ("Communication\nTeamwork", "Give 3 to 15 skills, one per line."),
        ("A\nB\na", "A skill is listed twice."),
        ("A\nB\n" + "C" * 81, "Keep each skill to 80 characters or fewer."),
    ],
)
def test_a_wrong_rubric_is_refused_and_kept(client, login, s, rubric, message):
    login(s["admin"])
    response = client.post("/school/ladder-settings", data={**SETTINGS, "rubric": rubric})
    assert response.status_code == 422
    assert field_errors(response) == [message]
    assert s["school"].rubric == []


def test_wrong_settings_are_refused_beside_the_fields_and_kept(client, login, s):
    login(s["admin"])
    response = client.post(
        "/school/ladder-settings",
        data={
            **SETTINGS,
            "min_age_job_shadowing": "30",
            "min_age_internship": "",
            "stall_days": "0",
        },
    )
    assert response.status_code == 422
    assert len(field_errors(response)) == 3
    assert field_value(response, "min_age_job_shadowing") == "30"
    assert field_value(response, "stall_days") == "0"
    assert s["school"].min_age_job_shadowing == 14 and s["school"].stall_days == 14


def test_the_admin_nav_and_dashboard_lead_to_the_pages(client, login, s):
    login(s["admin"])
    page = text_of(client.get("/dashboard"))
    for href in ("/school/background-checks", "/school/ladder-settings", "/approvals", "/ladder"):
        assert f'href="{href}"' in page
    account_menu = page.split('<ul dir="rtl">')[1]  # the school's settings, not the main row
    for href in ("/school/staff", "/school/background-checks", "/school/ladder-settings"):
        assert f'href="{href}"' in account_menu
