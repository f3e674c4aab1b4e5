"""The pages opened most run few SQL statements: the browse page, a search and a project page
as an employer reads them, and every role's dashboard, at most PAGE_STATEMENTS each (issue 19:
bench_browse.py and bench_pages.py measure the same pages at scale)."""

from __future__ import annotations

import pytest

from marketplace.extensions import db

from .conftest import login_as
from .isolation import StatementLog

PAGE_STATEMENTS = 8


def listed(ran: list[str]) -> str:
    return f"{len(ran)} statements:\n" + "\n".join(" ".join(s.split())[:160] for s in ran)


def statements(client, user, url: str) -> list[str]:
    """The SQL statements one GET of `url` by `user` runs."""
    login_as(client, user)
    db.session.commit()  # the world's rows, and what committing them sets off, before listening
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
    ],
)
def test_the_employer_pages_run_few_statements(client, world, url):
    """Browse, search (ranked and by date) and a project page."""
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


def test_a_school_loaded_with_an_employers_partnerships_still_gives_its_own_settings(make):
    """Its rubric and record codes are left out of the one statement, not out of reach."""
    from marketplace.web import load_user

    school = make.school()
    school.wbl_codes = {"internship": "WBL-INT"}
    employer = make.employer(make.organisation(verified_by=[school]))
    db.session.commit()
    session_id = employer.get_id()
    db.session.expunge_all()
    user = load_user(session_id)
    assert user is not None
    [partnership] = user.organisation.partnerships
    assert partnership.school.wbl_codes == {"internship": "WBL-INT"}
    assert partnership.school.rubric is not None
