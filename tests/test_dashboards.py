"""Dashboards that say what waits: each role's dashboard as its user reads it, and the bounded
number of SQL statements each one runs whatever the number of rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from marketplace import clock
from marketplace.extensions import db
from marketplace.models import (
    ChallengeStatus,
    MailState,
    Message,
    MessageFlag,
    MessageState,
    OfferRecipient,
    OfferStatus,
    OrganisationStatus,
    OutgoingMail,
    Partnership,
    ProjectStatus,
    Role,
    Rung,
    Thread,
    ThreadKind,
    User,
    VerificationStatus,
    utcnow,
)
from marketplace.web import deadline

from .conftest import login_as
from .factories import Factory
from .helpers import text_of
from .isolation import StatementLog

STATEMENT_LIMIT = 12
SOON = "soon your team builds"


def dashboard(client) -> str:
    response = client.get("/dashboard")
    assert response.status_code == 200
    return text_of(response)


def shown_date(moment: datetime) -> str:
    """An instant as the dashboard dates it for a reader in the deployment's default zone."""
    seen = clock.local(moment, clock.default_zone())
    return f"{seen.day} {seen:%b %Y}"


# --- the student ------------------------------------------------------------------------------


@pytest.fixture
def team(make):
    """A class of Maria Rivera with a team of two 16-year-olds, Ava and Ben."""
    teacher = make.teacher(first_name="Maria", last_name="Rivera")
    classroom = make.classroom(teacher, name="Engineering Design")
    ava = make.student(classroom, first_name="Ava")
    ben = make.student(classroom, first_name="Ben")
    return make.team(classroom, [ava, ben], name="Pixel Pioneers")


def ava_of(team):
    return next(m for m in team.members if m.first_name == "Ava")


def sent_back(make, team, comment="Add the interview notes, please."):
    """A project of `team` the teacher sent back with `comment`."""
    project = make.project(team, status=ProjectStatus.CHANGES_REQUESTED, title="CheckIn Buddy")
    review = project.snapshots[-1]
    review.outcome = ProjectStatus.CHANGES_REQUESTED
    review.review_comment = comment
    review.reviewed_by = team.advisor
    review.reviewed_at = utcnow()
    db.session.flush()
    return project


def test_a_project_sent_back_says_read_the_teachers_note_never_soon(client, login, make, team):
    project = sent_back(make, team)
    login(ava_of(team))
    page = dashboard(client)
    assert "read Maria Rivera's note" in page
    assert "Add the interview notes, please." in page
    assert f'href="/projects/{project.id}/edit"' in page
    assert SOON not in page


@pytest.mark.parametrize(
    ("status", "next_step"),
    [
        (ProjectStatus.DRAFT, "finish and submit it"),
        (ProjectStatus.SUBMITTED, "Waiting for Maria Rivera"),
        (ProjectStatus.PUBLISHED, "employers can see it"),
    ],
)
def test_each_project_says_its_state_and_the_one_thing_to_do_next(
    client, login, make, team, status, next_step
):
    project = make.project(team, status=status, title="CheckIn Buddy")
    login(ava_of(team))
    page = dashboard(client)
    assert f'href="/projects/{project.id}"' in page and project.status.label in page
    assert next_step in page
    assert SOON not in page and "has no project yet" not in page


def test_a_team_without_a_project_is_asked_to_start_one(client, login, team):
    login(ava_of(team))
    page = dashboard(client)
    assert "Pixel Pioneers has no project yet" in page
    assert f'href="/teams/{team.id}/projects/new"' in page


def test_offers_waiting_for_the_students_answer_show_their_deadline(client, login, make, team):
    project = make.project(team, status=ProjectStatus.PUBLISHED)
    engagement = make.engagement(project)
    answer_by = clock.school_today(team.classroom.school) + timedelta(days=9)
    offer = make.offer(engagement, status=OfferStatus.APPROVED, respond_by=answer_by)
    ben = next(m for m in team.members if m.first_name == "Ben")
    to_ben = make.offer(
        engagement,
        rung=Rung.JOB_SHADOWING,
        status=OfferStatus.APPROVED,
        recipients=[OfferRecipient(student_id=ben.id)],
    )
    login(ava_of(team))
    page = dashboard(client)
    assert "1 offer from employers" in page
    assert f'href="/offers/{offer.id}"' in page
    assert f"Answer by {deadline(answer_by, team.classroom.school)}" in page
    assert f'href="/offers/{to_ben.id}"' not in page  # addressed to Ben by name


def test_an_offer_waiting_for_the_teacher_is_counted_apart(client, login, make, team):
    engagement = make.engagement(make.project(team, status=ProjectStatus.PUBLISHED))
    make.offer(engagement, status=OfferStatus.PROPOSED)
    login(ava_of(team))
    page = dashboard(client)
    assert "1 offer for your team waits for your teacher's approval" in page
    assert "offer from employers" not in page


def test_unread_messages_lead_to_the_inbox(client, login, world):
    login(world.teammate)
    assert "1 unread message</a> in your conversations" in dashboard(client)


@pytest.mark.parametrize(("age", "shown"), [(12, True), (15, False)])
def test_a_student_under_13_reads_the_nickname_employers_see(client, login, make, age, shown):
    student = make.student(age=age, pseudonym="Teal Otter 42")
    login(student)
    page = dashboard(client)
    assert ("Employers see you as <strong>Teal Otter 42</strong>" in page) is shown


# --- the employer of a verified organisation -------------------------------------------------


@pytest.fixture
def harbor(make):
    """Harbor Health, verified by Riverside High, with Jordan, and a team's published project."""
    school = make.school("Riverside High")
    organisation = make.organisation(
        verified_by=[school], name="Harbor Health", career_cluster="Health Science"
    )
    jordan = make.employer(organisation, first_name="Jordan")
    classroom = make.classroom(make.teacher(school=school))
    team = make.team(classroom, [make.student(classroom)], name="Pixel Pioneers")
    return school, organisation, jordan, team


def engaged(make, harbor, rung=Rung.INTEREST, **kw):
    school, _, jordan, team = harbor
    challenge = make.challenge(school)
    project = make.project(team, challenge, ProjectStatus.PUBLISHED)
    return make.engagement(project, jordan, rung=rung, **kw)


def test_the_employer_reads_the_pipeline_in_numbers_per_rung(client, login, make, harbor):
    for rung in (Rung.INTEREST, Rung.INTEREST, Rung.MENTORSHIP):
        engaged(make, harbor, rung)
    login(harbor[2])
    page = dashboard(client)
    assert '<a href="/pipeline">3 engagements</a>' in page
    assert '<a href="/pipeline#col-interest">Interest</a></dt>\n    <dd>2' in page
    assert '<a href="/pipeline#col-mentorship">Mentorship</a></dt>\n    <dd>1' in page


def test_stalled_engagements_are_counted(client, login, make, harbor):
    harbor[0].stall_days = 10
    engaged(make, harbor, last_event_at=utcnow() - timedelta(days=11))
    engaged(make, harbor, last_event_at=utcnow() - timedelta(days=9))
    login(harbor[2])
    page = dashboard(client)
    assert "<strong>1 stalled</strong></a>: no news for a while" in page


def test_offers_waiting_on_the_teacher_on_the_students_and_drafts_are_counted(
    client, login, make, harbor
):
    for status in (OfferStatus.PROPOSED, OfferStatus.APPROVED, OfferStatus.APPROVED):
        make.offer(engaged(make, harbor), status=status)
    drafts = [make.offer(engaged(make, harbor)) for _ in range(7)]
    login(harbor[2])
    page = dashboard(client)
    assert "1 offer waiting for the teacher&#39;s approval" in page
    assert "2 offers waiting for the students&#39; answer" in page
    assert "7 drafts not sent yet" in page
    shown = [d for d in drafts if f'href="/offers/{d.id}"' in page]
    assert len(shown) == 5  # the first few; the count says how many


def test_colleagues_waiting_to_join_are_named(client, login, make, harbor):
    request = make.join_request(harbor[1])
    login(harbor[2])
    page = dashboard(client)
    assert '<a href="/organisation">1 colleague asks to join Harbor Health</a>' in page
    assert f"{request.user.first_name} {request.user.last_name[0]}." in page


def test_new_projects_in_the_organisations_cluster_since_the_last_visit(
    client, login, make, harbor
):
    school, _, jordan, team = harbor
    jordan.previous_login_at = utcnow() - timedelta(days=20)
    health = make.challenge(school, career_cluster="Health Science")
    other = make.challenge(school, career_cluster="Manufacturing")
    published = utcnow() - timedelta(days=12)
    new = make.project(team, health, ProjectStatus.PUBLISHED, title="Ward Runner")
    new.published_at = published
    old = make.project(team, health, ProjectStatus.PUBLISHED, title="Old Wheels")
    old.published_at = utcnow() - timedelta(days=30)
    make.project(team, other, ProjectStatus.PUBLISHED, title="Line Balancer")
    login(jordan)
    page = dashboard(client)
    assert "New projects in Health Science" in page
    assert f"1 project published since {shown_date(jordan.previous_login_at)}" in page
    assert "Ward Runner" in page and f'href="/projects/{new.id}"' in page
    assert "Old Wheels" not in page and "Line Balancer" not in page


# --- the employer awaiting verification ------------------------------------------------------


@pytest.fixture
def greenfield(make):
    """Greenfield, waiting since 2 March for Northside High, whose admin is Ann Kerr."""
    school = make.school("Northside High")
    admin = make.school_admin(school=school, first_name="Ann", last_name="Kerr")
    organisation = make.organisation(pending_with=[school], name="Greenfield Farms")
    organisation.partnerships[0].requested_at = datetime(2026, 3, 2, 18, 0, tzinfo=UTC)
    lee = make.employer(organisation, first_name="Lee")
    return school, admin, organisation, lee


def test_the_awaiting_employer_reads_which_school_was_asked_and_when(client, login, greenfield):
    _, _, organisation, lee = greenfield
    login(lee)
    page = dashboard(client)
    requested = organisation.partnerships[0].requested_at
    assert f"<strong>Northside High</strong>: asked on {shown_date(requested)}" in page
    assert "checks\n    your organisation before its members can see" in page


def test_the_awaiting_employer_is_told_who_checks_and_that_the_school_writes(
    client, login, greenfield
):
    login(greenfield[3])
    page = dashboard(client)
    assert "At Northside High, Ann K. (the school's admin) checks your organisation." in page
    assert "The school writes to you here" in page


def test_the_awaiting_employer_writes_in_the_schools_conversation_once_it_exists(
    client, login, make, greenfield
):
    school, admin, organisation, lee = greenfield
    thread = make._save(
        Thread(
            channel=f"school-{school.id}-org-{organisation.id}",
            kind=ThreadKind.SCHOOL,
            school_id=school.id,
            organisation_id=organisation.id,
            subject="A question about your company",
            started_by_id=admin.id,
        )
    )
    login(lee)
    page = dashboard(client)
    assert f'<a href="/messages/{thread.id}">Write to Northside High\'s staff</a>' in page


def test_the_awaiting_employer_reads_the_open_challenges_titles(client, login, make, greenfield):
    school = greenfield[0]
    make.challenge(school, title="Smart irrigation")
    make.challenge(school, title="Still a draft", status=ChallengeStatus.DRAFT)
    make.challenge(title="Another school's")
    login(greenfield[3])
    page = dashboard(client)
    assert "Smart irrigation" in page
    assert "Still a draft" not in page and "Another school" not in page
    assert 'href="/organisation">Complete your organisation\'s page</a>' in page


@pytest.mark.parametrize("url", ["/challenges", "/projects"])
def test_pages_an_awaiting_employer_cannot_use_yet_say_why(client, login, greenfield, url):
    login(greenfield[3])
    page = text_of(client.get(url))
    assert "awaiting verification by Northside High; once verified you see" in page


# --- the site admin --------------------------------------------------------------------------


def test_the_site_admin_reads_the_mail_failures(client, login, make):
    for n in range(7):
        db.session.add(
            OutgoingMail(
                idempotency_key=f"failed-{n}",
                to_address=f"gone{n}@example.org",
                subject=f"Failed mail {n}",
                text_body="",
                html_body="",
                state=MailState.FAILED.value,
                attempts=5,
                last_error="550 mailbox unavailable",
            )
        )
    db.session.add(
        OutgoingMail(
            idempotency_key="sent", to_address="ok@example.org", subject="Delivered",
            text_body="", html_body="", state=MailState.SENT.value,
        )
    )  # fmt: skip
    db.session.add(
        OutgoingMail(
            idempotency_key="called-back", to_address="ok@example.org", subject="Called back",
            text_body="", html_body="", state=MailState.FAILED.value,
            last_error="cancelled: the message was removed",
        )
    )  # fmt: skip
    login(make.site_admin())
    page = dashboard(client)
    assert "7 e-mails could not be delivered" in page
    assert "Failed mail 6" in page and "550 mailbox unavailable" in page
    assert "Failed mail 0" not in page  # the latest five only
    assert "Delivered" not in page and "Called back" not in page


def test_the_site_admin_reads_schools_with_their_admins_and_what_waits(client, login, make):
    school = make.school("Aardvark Academy")  # first by name among those with an admin
    make.school_admin(school=school, first_name="Ann", last_name="Kerr")
    make.invitation(school, Role.TEACHER)
    make.invitation(school, Role.TEACHER, revoked_at=utcnow())
    make.organisation(pending_with=[school])
    make.school("Zebra College")  # no admin yet: listed first
    classroom = make.classroom(make.teacher(school=school))
    team = make.team(classroom, [make.student(classroom)])
    engagement = make.engagement(make.project(team, status=ProjectStatus.PUBLISHED))
    thread = make._save(
        Thread(
            channel=f"engagement-{engagement.id}", kind=ThreadKind.ENGAGEMENT,
            school_id=school.id, organisation_id=engagement.organisation_id,
            engagement_id=engagement.id, team_id=team.id, subject="Hello",
        )
    )  # fmt: skip
    author = team.members[0]
    make._save(Message(thread_id=thread.id, author_id=author.id, state=MessageState.HELD))
    reported = make._save(Message(thread_id=thread.id, author_id=author.id, body="Rude"))
    make._save(MessageFlag(message_id=reported.id, user_id=engagement.opened_by_id))
    login(make.site_admin())
    page = dashboard(client)
    rows = page.split('<ul class="next-steps" id="schools">')[1].split("</ul>")[0]
    assert rows.index("Zebra College") < rows.index("Aardvark Academy")
    assert "without an admin</strong>" in page and "no admin" in rows.split("Aardvark")[0]
    aardvark = rows.split("Aardvark Academy")[1].split("</li>")[0]
    assert "Ann Kerr" in aardvark
    assert "1 open invitation ·" in aardvark  # the withdrawn one is not open
    assert "1 organisation waiting for a check ·" in aardvark
    assert "1 held and 1 reported message" in aardvark


def test_the_site_admin_reads_people_per_role_and_organisations_by_state(
    client, login, make, world
):
    make.organisation(status=OrganisationStatus.PROSPECT)
    login(world.site_admin)
    page = dashboard(client)
    roles = page.split('<dl class="terms" id="roles">')[1].split("</dl>")[0]
    students = db.session.scalar(
        sa.select(sa.func.count(User.id)).where(User.role == Role.STUDENT, User.active)
    )
    assert f"<dt>Students</dt><dd>{students}</dd>" in roles
    organisations = page.split('id="organisations">')[1].split("</dl>")[0]
    verified = db.session.scalar(
        sa.select(sa.func.count(sa.distinct(Partnership.organisation_id))).where(
            Partnership.status == VerificationStatus.VERIFIED
        )
    )
    assert f"<dt>Verified by a school</dt><dd>{verified}</dd>" in organisations
    assert "<dt>Prospects</dt><dd>1 " in organisations


# --- statements ------------------------------------------------------------------------------


def statements(client, user) -> int:
    """How many SQL statements the dashboard of `user` runs."""
    login_as(client, user)
    db.session.commit()  # the test's rows, and what committing them sets off, before listening
    client.get("/dashboard")  # a session's later pages read the nav's counts with the user
    with StatementLog() as log:
        assert client.get("/dashboard").status_code == 200
    return len(log)


def grow(make: Factory, world, n: int = 3) -> None:
    """More of every row the dashboards show: projects in every state with reviews, offers in
    every open state, stalled engagements, join requests, new projects, schools, mail
    failures, held and reported messages, pending checks."""
    for _ in range(n):
        for status in (ProjectStatus.DRAFT, ProjectStatus.SUBMITTED, ProjectStatus.PUBLISHED):
            make.project(world.team_a, world.challenge_a, status)
        review = make.project(world.team_a, world.challenge_a, ProjectStatus.CHANGES_REQUESTED)
        review.snapshots[-1].outcome = ProjectStatus.CHANGES_REQUESTED
        review.snapshots[-1].reviewed_by = world.teacher
        project = make.project(world.team_a, world.challenge_a, ProjectStatus.PUBLISHED)
        engagement = make.engagement(
            project, world.employer, last_event_at=utcnow() - timedelta(days=40)
        )
        for status in (OfferStatus.DRAFT, OfferStatus.PROPOSED, OfferStatus.APPROVED):
            make.offer(engagement, status=status)
        make.join_request(world.org)
        school = make.school()
        make.school_admin(school=school)
        make.invitation(school)
        make.organisation(pending_with=[school, world.school_a])
        db.session.add(
            OutgoingMail(
                idempotency_key=f"grown-{school.id}", to_address="x@example.org", subject="x",
                text_body="", html_body="", state=MailState.FAILED.value,
            )
        )  # fmt: skip
        make._save(
            Message(thread_id=world.thread.id, author_id=world.student.id, state=MessageState.HELD)
        )
        make.challenge(world.school_a)
    db.session.flush()


def awaiting_member(world):
    return next(m for m in world.pending_a.organisation.members)


@pytest.mark.parametrize(
    ("who", "limit"),
    [
        ("student", STATEMENT_LIMIT),
        ("employer", STATEMENT_LIMIT),
        ("awaiting employer", STATEMENT_LIMIT),
        ("site_admin", STATEMENT_LIMIT),
        ("teacher", None),
        ("school_admin", None),
    ],
)
def test_each_dashboard_runs_a_bounded_number_of_statements(client, make, world, who, limit):
    """The same statements for a world of several rows of everything as for one; and for the
    student, employer and site admin dashboards no more than STATEMENT_LIMIT."""
    user = awaiting_member(world) if who == "awaiting employer" else world.user(who)
    grow(make, world, 1)
    few = statements(client, user)
    grow(make, world, 4)
    many = statements(client, user)
    assert many == few, f"{who}: {few} statements with one row of each, {many} with five"
    if limit is not None:
        assert many <= limit, f"{who}: {many} statements"
