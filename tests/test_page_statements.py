"""The pages opened most run few SQL statements: the browse page, a search and a project page
as an employer reads them, and every role's dashboard, at most PAGE_STATEMENTS each (issue 19:
bench_browse.py and bench_pages.py measure the same pages at scale)."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from marketplace.extensions import db
from marketplace.models import ProjectStatus, School
from marketplace.notifications.service import notify

from .conftest import login_as
from .isolation import StatementLog

PAGE_STATEMENTS = 8


def listed(ran: list[str]) -> str:
    return f"{len(ran)} statements:\n" + "\n".join(" ".join(s.split())[:160] for s in ran)


def statements(client, user, url: str) -> list[str]:
    """The SQL statements one GET of `url` by `user` runs."""
    login_as(client, user)
    db.session.commit()  # the world's rows, and what committing them sets off, before listening
    with StatementLog() as first:
        client.get(url)  # a session's later pages read the nav's counts with the user
    assert len(first.statements) <= PAGE_STATEMENTS, "the first page: " + listed(first.statements)
    with StatementLog() as log:
        assert client.get(url).status_code == 200, url
    return log.statements


@pytest.mark.parametrize(
    "url",
    [
        "/projects",
        "/projects?q=clinic+tablet",
        "/projects?q=app&sort=recent",
        "/projects/{id}",
        "/organisation",
    ],
)
def test_the_employer_pages_run_few_statements(client, world, url):
    """Browse, search (ranked and by date), a project page and the organisation's own page
    (where it stands with each school)."""
    url = url.format(id=world.own_published.id)
    ran = statements(client, world.employer, url)
    assert len(ran) <= PAGE_STATEMENTS, listed(ran)


@pytest.mark.parametrize(
    "who",
    [
        "student",
        "teacher",
        "school_admin",
        "employer",
        "awaiting employer",
        "site_admin",
    ],
)
def test_each_dashboard_runs_few_statements(client, world, who):
    """Every role's first page."""
    if who == "awaiting employer":
        user = next(iter(world.pending_a.organisation.members))
    else:
        user = world.user(who)
    ran = statements(client, user, "/dashboard")
    assert len(ran) <= PAGE_STATEMENTS, f"{who}: {listed(ran)}"


def test_the_nav_asks_its_counts_in_one_statement(client, world):
    """Unread messages, messages waiting for the teacher and unread notifications: one
    statement for the three badges."""
    ran = statements(client, world.teacher, "/challenges")
    counting = [s for s in ran if "notification" in s or "message" in s]
    assert len(counting) == 1, listed(counting)


def test_the_user_loader_reads_which_schools_verified_an_employer_not_its_partnerships(make):
    """One row for the user, their school and organisation, with the ids of the schools that
    verified it: the same answer as its partnerships give, and a school's decision counts on
    the next load."""
    from marketplace.models import VerificationStatus
    from marketplace.web import load_user

    verifying, other, declining = make.school(), make.school(), make.school()
    organisation = make.organisation(
        verified_by=[verifying, other, declining], pending_with=[make.school()]
    )
    employer = make.employer(organisation)
    db.session.commit()
    session_id = employer.get_id()
    verifying_id, other_id, declining_id = verifying.id, other.id, declining.id
    names = {school.id: school.name for school in (verifying, other, declining)}
    organisation_id = organisation.id

    def loaded():
        db.session.expunge_all()
        with StatementLog() as log:
            user = load_user(session_id)
            assert user is not None and user.organisation is not None
            ids = user.organisation.verified_school_ids
            verified = user.organisation.is_verified_by(verifying_id)
            named = user.organisation.verified_schools
        assert len(log.statements) == 1, listed(log.statements)
        assert named == [(school_id, names[school_id]) for school_id in ids]
        unloaded = sa.inspect(user.organisation).unloaded
        assert "partnerships" in unloaded and "verified_in" not in unloaded  # ids, not rows
        partnerships = user.organisation.partnerships  # loaded now, on purpose
        assert ids == sorted(
            p.school_id for p in partnerships if p.status is VerificationStatus.VERIFIED
        )
        return ids, verified

    assert loaded() == (sorted([verifying_id, other_id, declining_id]), True)
    db.session.get(type(organisation), organisation_id).partnership_with(
        declining_id
    ).status = VerificationStatus.DECLINED
    db.session.commit()
    assert loaded() == (sorted([verifying_id, other_id]), True)


def test_a_change_to_a_loaded_partnership_counts_in_the_same_request(make):
    """Once the session holds the partnerships, they answer (not the ids read with the row)."""
    from marketplace.models import VerificationStatus
    from marketplace.web import load_user

    school = make.school()
    employer = make.employer(make.organisation(verified_by=[school]))
    db.session.commit()
    session_id, school_id = employer.get_id(), school.id
    db.session.expunge_all()
    user = load_user(session_id)
    assert user is not None and user.organisation.is_verified_by(school_id)
    user.organisation.partnership_with(school_id).status = VerificationStatus.DECLINED
    assert not user.organisation.is_verified_by(school_id)
    assert user.organisation.verified_school_ids == []


def _bell(response) -> str:
    return re.search(r'aria-label="Notifications, ([^"]*)"', response.get_data(as_text=True))[1]


def _counting(ran: list[str]) -> list[str]:
    return [s for s in ran if "notification" in s]


def _loads_user(statement: str) -> bool:
    return re.match(r'\s*SELECT "?user"?\.id', statement) is not None


def test_a_sessions_later_pages_read_the_nav_counts_with_the_user(client, make):
    """The first page asks the counts on its own and notes the reader's shape in the session;
    the next reads them in the user's own statement, with the same answer, and so does a
    page after a new notification."""
    teacher = make.teacher()
    notify(teacher, kind="test", subject="One", key="one", link="/dashboard")
    login_as(client, teacher)
    db.session.commit()
    with StatementLog() as log:
        first = client.get("/challenges")
    assert _bell(first) == "1 unread"
    assert len(_counting(log.statements)) == 1 and not _loads_user(_counting(log.statements)[0])
    with StatementLog() as log:
        second = client.get("/challenges")
    assert _bell(second) == "1 unread"
    [counted] = _counting(log.statements)
    assert _loads_user(counted)  # the user loader's statement
    notify(teacher, kind="test", subject="Two", key="two", link="/dashboard")
    db.session.commit()
    assert _bell(client.get("/challenges")) == "2 unread"


def test_a_reader_whose_shape_changed_is_counted_afresh(client, make):
    """Counts asked for the shape the session noted are dropped when the user loaded is no
    longer of that shape (here the school starts having all its staff check held messages):
    the nav asks again on its own, for the reader as they are now."""
    teacher = make.teacher()
    school_id = teacher.school_id
    login_as(client, teacher)
    db.session.commit()
    before = client.get("/challenges")
    school = db.session.get(School, school_id)
    school.held_checked_by_all_staff = not school.held_checked_by_all_staff
    db.session.commit()
    with StatementLog() as log:
        after = client.get("/challenges")
    assert len(_counting(log.statements)) == 2, listed(log.statements)  # with the user; again
    assert after.status_code == before.status_code == 200
    with StatementLog() as log:
        client.get("/challenges")
    assert len(_counting(log.statements)) == 1  # the new shape noted: with the user again


def test_fragments_and_fetches_read_their_user_alone(client, make):
    """A fragment or an image has no nav: its user is read without the counts."""
    teacher = make.teacher()
    login_as(client, teacher)
    db.session.commit()
    client.get("/challenges")
    for headers in ({"HX-Request": "true"}, {"Sec-Fetch-Dest": "image"}):
        with StatementLog() as log:
            client.get("/notifications/bell", headers=headers)
        assert not [s for s in _counting(log.statements) if _loads_user(s)], headers


def test_another_users_hint_is_not_used(client, make):
    """A hint left in the browser by someone else (same shape, other ids) is not used for the
    next user: their first page reads the user alone and asks the counts on its own."""
    teacher, other = make.teacher(), make.teacher()
    login_as(client, teacher)
    db.session.commit()
    client.get("/challenges")
    login_as(client, other)  # the session still holds the teacher's hint
    notify(other, kind="test", subject="Mine", key="mine", link="/dashboard")
    db.session.commit()
    with StatementLog() as log:
        page = client.get("/challenges")
    assert _bell(page) == "1 unread"
    [counted] = _counting(log.statements)
    assert not _loads_user(counted)


def test_logging_in_or_out_forgets_the_hint(client, make, log_in_with_form):
    """On a shared school computer the next person starts without the last reader's hint
    (their ids and shape): log-out drops it, and so does a log-in over a session that has one."""
    teacher, other = make.teacher(), make.teacher()
    db.session.commit()
    log_in_with_form(teacher.email)
    client.get("/challenges")
    with client.session_transaction() as session:
        assert session["nav"][0] == teacher.id
    client.post("/auth/logout")
    with client.session_transaction() as session:
        assert "nav" not in session
        session["nav"] = [teacher.id, "teacher", None, teacher.school_id, False]
    log_in_with_form(other.email)
    with client.session_transaction() as session:
        assert "nav" not in session


@pytest.mark.parametrize(
    ("who", "sections"),
    [
        ("student", ["Challenges", "Projects", "Offers", "Portfolio", "Join a class"]),
        (
            "teacher",
            ["Challenges", "Classes", "Reviews", "Approvals", "Ladder", "Events", "Partners"],
        ),
        ("employer", ["Challenges", "Projects", "Pipeline", "Organisation"]),
        ("site_admin", ["Schools"]),
    ],
)
def test_each_role_sees_its_sections_wide_and_in_the_menu(client, make, who, sections):
    """The section links are built once per role (nav.section_links) and shown twice: in the
    bar on a wide screen, folded into the Menu on a phone (with the Dashboard first)."""
    user = getattr(make, who)()
    db.session.commit()
    login_as(client, user)
    for _ in range(2):  # built, then reused
        nav = client.get("/dashboard").get_data(as_text=True).split("</nav>")[0]
        wide = re.findall(r'<li class="nav-wide"><a href="[^"]+">([^<]+)</a>', nav)
        menu = nav.split("<summary>Menu</summary>")[1].split("</ul>")[0]
        assert wide == sections
        assert re.findall(r'<a href="[^"]+">([^<]+)</a>', menu) == ["Dashboard", *sections]


def test_an_employer_without_an_organisation_has_no_pipeline(client, make):
    login_as(client, make.employer(with_organisation=False))
    db.session.commit()
    nav = client.get("/dashboard").get_data(as_text=True).split("</nav>")[0]
    assert "Pipeline" not in nav and ">Organisation</a>" in nav


def test_a_project_page_reads_engagements_and_endorsements_only_when_there_are_some(client, make):
    """Whether the reader may see an engagement on the project, and whether a member has an
    endorsement to show, come with the project; most projects have neither, and their page
    asks no more. Another organisation's engagement is not the reader's."""
    project = make.project(status=ProjectStatus.PUBLISHED)
    school = project.team.classroom.school
    employer = make.employer(make.organisation(verified_by=[school]))
    make.engagement(project)  # another organisation's

    def asked(user) -> tuple[bool, bool, str]:
        ran = statements(client, user, f"/projects/{project.id}")
        page = client.get(f"/projects/{project.id}").text
        engagements = any(s.startswith("SELECT engagement.id") for s in ran)
        endorsements = any(s.startswith("SELECT placement.student_id") for s in ran)
        return engagements, endorsements, page

    engagements, endorsements, page = asked(employer)
    assert not engagements and not endorsements and "Work with this team" in page
    make.engagement(project, employer)
    engagements, _, page = asked(employer)
    assert engagements and "Your engagement with this team" in page
    teacher = project.team.classroom.teacher
    engagements, _, page = asked(teacher)  # the team's teacher sees every organisation's
    assert engagements and "Employers engaged" in page
