"""Walk the whole url_map: every endpoint has a row in tests/routes.py, and every row holds."""

from __future__ import annotations

import re

import pytest

from marketplace.permissions import rule_required

from .conftest import login_as
from .outcomes import LOGIN
from .routes import ROUTES, Route
from .world import ROLES


def test_every_endpoint_is_in_the_table(app):
    """A new route fails here until someone decides who may reach it."""
    in_app = {rule.endpoint for rule in app.url_map.iter_rules()}
    in_table = {route.endpoint for route in ROUTES}
    assert sorted(in_app - in_table) == [], "add these endpoints to tests/routes.py"
    assert sorted(in_table - in_app) == [], "these endpoints in tests/routes.py no longer exist"


def test_every_method_of_every_endpoint_is_covered(app):
    """GET and POST of a form page are decided separately."""
    covered = {(r.endpoint, r.method) for r in ROUTES}
    in_app = {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}
    }
    assert sorted(in_app - covered) == []


def error_flashes(client) -> list[str]:
    """The error messages the response left for the next page."""
    with client.session_transaction() as session:
        return [message for category, message in session.get("_flashes", []) if category == "error"]


CASES = [(route, role) for route in ROUTES for role in ROLES]


@pytest.mark.parametrize(("route", "role"), CASES, ids=[f"{r.id}-{role}" for r, role in CASES])
def test_route_for_role(client, world, route: Route, role: str):
    """The role gets exactly what the row says: the same status, the same place."""
    user = world.user(role)
    if user is not None:
        login_as(client, user)
    url = route.url(world)
    asked: list[tuple[object, bool]] = []
    with rule_required.connected_to(lambda rule, allowed: asked.append((rule, allowed))):
        response = client.open(url, method=route.method, data=route.body(world))
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
    problem = route.expect[role].problem(response, error_flashes(client), world, url)
    assert problem is None, problem
    if response.status_code == 200 and response.mimetype == "text/html":
        # as a word: a random token (CSRF, a signed link) may spell "UTC" inside it
        shown = response.get_data(as_text=True)
        assert not re.search(r"\bUTC\b", shown), "times are read in the reader's zone"
    if route.rule is not None:
        assert_the_rule_decided(route, role, response, asked)


def assert_the_rule_decided(route: Route, role: str, response, asked) -> None:
    """The row's rule was asked at the door and its answer stands, unless the request was
    turned away before it: to the log-in page, by the role (403 before any rule), or by an
    earlier rule that said no."""
    answers = [allowed for rule, allowed in asked if rule is route.rule]
    if not answers:
        turned_away = (
            route.expect[role] is LOGIN
            or (not asked and response.status_code == 403)
            or any(not allowed for _, allowed in asked)
        )
        assert turned_away, f"{route.rule.__qualname__} was never asked"
    elif not answers[-1]:
        assert response.status_code in (403, 404), f"{route.rule.__qualname__} said no"


# --- the nav: every link it shows leads somewhere, for every role in every state --------------


def _nav_states(world, make) -> dict[str, object]:
    """A person for each role in each state a new user passes through."""
    pending_member = world.pending_a.organisation.members[0]
    return {
        "anonymous": None,
        "student": world.student,
        "student on no team": world.unteamed,
        "student told to change the password": make.student(
            world.class_a, must_change_password=True
        ),
        "teacher": world.teacher,
        "teacher with no class yet": make.teacher(school=world.school_a),
        "school admin": world.school_admin,
        "site admin": world.site_admin,
        "employer": world.employer,
        "employer awaiting verification": pending_member,
        "employer with no organisation": make.employer(with_organisation=False),
        "employer not yet confirmed": make.employer(
            with_organisation=False, email_confirmed_at=None
        ),
    }


NAV_STATES = [
    "anonymous", "student", "student on no team", "student told to change the password",
    "teacher", "teacher with no class yet", "school admin", "site admin", "employer",
    "employer awaiting verification", "employer with no organisation",
    "employer not yet confirmed",
]  # fmt: skip


def nav_links(page: str) -> list[str]:
    """The site's own links in the main nav (its account menu included)."""
    nav = page.split('<nav aria-label="Main">', 1)[1].split("</nav>", 1)[0]
    return sorted({href for href in re.findall(r'href="(/[^"]*)"', nav)})


@pytest.mark.parametrize("state", NAV_STATES)
def test_no_nav_link_leads_to_a_refusal(client, world, make, state):
    """A link the nav shows never answers 403 or 404 (or breaks), whoever follows it."""
    user = _nav_states(world, make)[state]
    if user is not None:
        login_as(client, user)
    home = client.get("/dashboard" if user is not None else "/", follow_redirects=True)
    links = nav_links(home.get_data(as_text=True))
    assert links, "the page has a main nav"
    answers = {link: client.get(link, follow_redirects=True).status_code for link in links}
    assert {link: status for link, status in answers.items() if status != 200} == {}
