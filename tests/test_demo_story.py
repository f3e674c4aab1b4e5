"""Employers see on the browse page which projects their organisation is already engaged with
("You're engaged · mentorship"). That the seeded demo tells a believable story is checked with
the rest of the demo, in test_demo.py."""

from __future__ import annotations

import pytest

from marketplace.models import (
    EngagementStatus,
    ProjectStatus,
    Rung,
)

from .helpers import card_of, text_of
from .isolation import StatementLog

# --- the "you're engaged" marker on the browse cards --------------------------------------------


@pytest.fixture
def shelf(make):
    """One school's two published projects; one organisation engaged with the first at the
    mentorship rung, another organisation verified by the same school and engaged with none."""
    school = make.school()
    team = make.team(members=[make.student(make.classroom(school=school))])
    challenge = make.challenge(school)
    engaged = make.project(team, challenge, ProjectStatus.PUBLISHED, title="CheckIn Buddy")
    other = make.project(team, challenge, ProjectStatus.PUBLISHED, title="Quiet Queue")
    employer = make.employer(make.organisation(verified_by=[school]))
    engagement = make.engagement(engaged, employer, rung=Rung.MENTORSHIP)
    rival = make.employer(make.organisation(verified_by=[school]))
    return {"employer": employer, "rival": rival, "engagement": engagement, "other": other}


def test_an_employer_sees_which_projects_their_organisation_is_engaged_with(client, login, shelf):
    """The engaged project's card says so, with the rung, and links to the engagement; the
    other card has no marker."""
    login(shelf["employer"])
    page = text_of(client.get("/projects"))
    engagement = shelf["engagement"]
    card = card_of(page, "CheckIn Buddy")
    assert "You're engaged · mentorship" in card
    assert f'href="/engagements/{engagement.id}"' in card
    assert "engaged" not in card_of(page, "Quiet Queue").lower()
    # The live-filtered fragment (htmx) shows it too.
    fragment = text_of(client.get("/projects?q=checkin", headers={"HX-Request": "true"}))
    assert "You're engaged · mentorship" in fragment and "<html" not in fragment


def test_another_organisation_does_not_see_the_marker(client, login, shelf):
    login(shelf["rival"])
    page = text_of(client.get("/projects"))
    assert "CheckIn Buddy" in page and "engaged" not in page.lower()


def test_a_closed_engagement_says_so(client, login, shelf):
    engagement = shelf["engagement"]
    engagement.status = EngagementStatus.CLOSED
    login(shelf["employer"])
    card = card_of(text_of(client.get("/projects")), "CheckIn Buddy")
    assert "Engagement closed · mentorship" in card and "You're engaged" not in card


def _statements(client, url: str) -> int:
    client.get(url)  # a session's later pages read the nav's counts with the user
    with StatementLog() as log:
        assert client.get(url).status_code == 200
    return len(log)


def test_the_marker_costs_one_statement_for_the_whole_page(client, login, make, shelf):
    """However many cards carry a marker, the page runs the same number of statements."""
    employer = shelf["employer"]
    login(employer)
    few = _statements(client, "/projects")
    team, challenge = shelf["other"].team, shelf["other"].challenge
    make.engagement(shelf["other"], employer)
    for _ in range(5):
        project = make.project(team, challenge, ProjectStatus.PUBLISHED)
        make.engagement(project, employer, rung=Rung.JOB_SHADOWING)
    page = text_of(client.get("/projects"))
    assert page.count("You're engaged") == 7
    assert _statements(client, "/projects") == few
