"""Walk the whole url_map: every endpoint has a row in tests/routes.py, and every row holds."""

from __future__ import annotations

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
