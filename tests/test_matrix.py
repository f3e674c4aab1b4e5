"""Walk the whole url_map: every endpoint has a row in tests/routes.py, and every row holds."""

from __future__ import annotations

import pytest

from .conftest import login_as
from .routes import DENY, GONE, LOGIN, OK, ROUTES, Route
from .world import ROLES, build_world


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


def _outcome(response) -> str:
    status = response.status_code
    if status in (403, 404):
        return DENY
    if status == 410:
        return GONE
    if status in (301, 302, 303) and "/auth/login" in response.location:
        return LOGIN
    assert status < 500, f"server error {status}"
    return OK if status < 400 or status == 422 else f"status {status}"


CASES = [(route, role) for route in ROUTES for role in ROLES]


@pytest.mark.parametrize(("route", "role"), CASES, ids=[f"{r.id}-{role}" for r, role in CASES])
def test_route_for_role(app, client, make, route: Route, role: str):
    world = build_world(make)
    user = world.user(role)
    if user is not None:
        login_as(client, user)
    response = client.open(route.url(world), method=route.method)
    assert _outcome(response) == route.expect[role], response.get_data(as_text=True)[:500]
