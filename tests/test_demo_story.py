"""The demo tells a believable story, and employers see on the browse page which projects their
organisation is already engaged with ("You're engaged · mentorship")."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from marketplace.demo import seed_demo
from marketplace.extensions import db
from marketplace.models import (
    Challenge,
    Engagement,
    EngagementStatus,
    Organisation,
    OrganisationStatus,
    Project,
    ProjectStatus,
    Rung,
    User,
)

from .conftest import shared_world
from .helpers import text_of
from .isolation import StatementLog

# --- the "you're engaged" marker on the browse cards --------------------------------------------


def _card(page: str, title: str) -> str:
    """The browse card (`<article>`) showing `title`."""
    cards = re.findall(r'<article class="project-card">.*?</article>', page, re.S)
    (card,) = [c for c in cards if f"<strong>{title}</strong>" in c]
    return card


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
    card = _card(page, "CheckIn Buddy")
    assert "You're engaged · mentorship" in card
    assert f'href="/engagements/{engagement.id}"' in card
    assert "engaged" not in _card(page, "Quiet Queue").lower()
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
    card = _card(text_of(client.get("/projects")), "CheckIn Buddy")
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


# --- the seeded demo ----------------------------------------------------------------------------

seeded = shared_world(lambda make: seed_demo(), name="seeded")

# "CheckIn Buddy 9", "Budget Quest 9/17/25", "Dock Sentinel (2)", "Roll Picker - 2025-09-17"…
DATE = re.compile(r"\d{1,4}[/.-]\d{1,2}(?:[/.-]\d{2,4})?")
TRAILING_NUMBER = re.compile(r"[\s(#-]*\d+\)?$")


def _stem(title: str) -> str:
    """The title without digits, dates and the punctuation around them, in one case."""
    return " ".join(re.sub(r"[\d/().#-]+", " ", title).split()).casefold()


def _projects() -> list[Project]:
    return list(db.session.scalars(sa.select(Project).order_by(Project.id)))


def test_every_demo_project_has_its_own_title(seeded):
    """No numbered or dated copies of the same few ideas."""
    titles = [p.title for p in _projects()]
    assert not [t for t in titles if DATE.search(t) or TRAILING_NUMBER.search(t)]
    stems = [_stem(t) for t in titles]
    assert sorted(s for s in stems if stems.count(s) > 1) == []
    summaries = [p.summary for p in _projects()]
    assert len(set(summaries)) == len(summaries)


def test_every_demo_project_fits_its_challenge(seeded):
    """A project is in its challenge's career cluster (the browse filter and the card read the
    cluster from the challenge), answers a challenge its school may use, and shares a skill
    with it; each sponsor works in the cluster of the challenge it sponsors."""
    for project in _projects():
        challenge = project.challenge
        assert challenge.school_id == project.school_id or challenge.shared, project.title
        assert set(project.skills) & set(challenge.skills), (project.title, challenge.title)
    for challenge in db.session.scalars(
        sa.select(Challenge).where(Challenge.sponsor_id.is_not(None))
    ):
        assert challenge.sponsor.career_cluster == challenge.career_cluster, challenge.title


def test_the_demo_never_names_a_sponsor_nobody_asked_yet(seeded):
    """A prospect sponsor is "a local construction business" to employers and students, so
    neither a challenge's statement nor a project's story names it."""
    prospects = db.session.scalars(
        sa.select(Organisation).where(Organisation.status == OrganisationStatus.PROSPECT)
    ).all()
    texts = [c.statement for c in db.session.scalars(sa.select(Challenge))] + [
        f"{p.title} {p.pitch} {p.summary} {p.body}" for p in _projects()
    ]
    names = {o.name for o in prospects}
    assert names and not [t for t in texts if any(name in t for name in names)]


def test_an_organisation_engaged_outside_its_cluster_says_why(seeded):
    """Interest from another cluster's organisation (a robot maker in a hospital project)
    comes with the note that explains it."""
    for engagement in db.session.scalars(sa.select(Engagement)):
        if engagement.organisation.career_cluster != engagement.project.challenge.career_cluster:
            assert engagement.note, (engagement.organisation.name, engagement.project.title)


def test_jordan_sees_the_harbor_health_engagements_on_the_browse_page(client, login, seeded):
    """The demo's verified employer sees the clinic's engagements marked, and CheckIn Buddy
    (left for the live climb) unmarked."""
    jordan = db.session.scalars(
        sa.select(User).filter_by(email="jordan@harborhealth.example")
    ).one()
    login(jordan)
    page = text_of(client.get("/projects"))
    assert "You're engaged · internship" in _card(page, "Quiet Queue")
    assert "Engagement completed · internship" in _card(page, "Clipboard Zero")
    assert "You're engaged · interest" in _card(page, "Paycheck Planner")
    assert "engaged" not in _card(page, "CheckIn Buddy").lower()


def test_every_demo_person_has_a_name_of_their_own(seeded):
    """The account menu shows a first name: no "Site Admin" placeholder person."""
    from marketplace.models import User

    names = {(u.first_name, u.last_name) for u in db.session.query(User)}
    assert ("Site", "Admin") not in names and not any(first == "Site" for first, _ in names)
