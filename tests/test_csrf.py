"""CSRF: every state-changing route refuses a request without a token; htmx sends it in a header."""

from __future__ import annotations

import re

import pytest

from .conftest import login_as
from .isolation import database_state
from .outcomes import FORBIDDEN, GONE, LOGIN, NOT_FOUND
from .routes import ROUTES
from .world import ROLES

# RFC 8058 one-click unsubscribe: mail clients post it without a token, and it can only lower
# mail (tests/test_notifications.py checks it works without one).
CSRF_EXEMPT = {"notifications.unsubscribe", "partners.unsubscribe"}
POST_ROUTES = [r for r in ROUTES if r.method != "GET" and r.endpoint not in CSRF_EXEMPT]


def test_every_state_changing_endpoint_is_checked(app):
    """The table below covers every endpoint that accepts POST, PUT, PATCH or DELETE."""
    changing = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if (rule.methods or set()) & {"POST", "PUT", "PATCH", "DELETE"}
    }
    assert changing - CSRF_EXEMPT <= {r.endpoint for r in POST_ROUTES}


def may_act(route) -> str:
    """A role that gets past the door of `route` (anonymous if none does)."""
    shut = (LOGIN, FORBIDDEN, NOT_FOUND, GONE)
    return next((role for role in ROLES if route.expect[role] not in shut), "anonymous")


@pytest.mark.parametrize("route", POST_ROUTES, ids=[r.id for r in POST_ROUTES])
def test_post_without_token_is_refused(app, client, world, route):
    """A POST without a CSRF token gets 400 and changes nothing, even from a user who may act
    and sends the form that would otherwise work."""
    app.config["WTF_CSRF_ENABLED"] = True
    user = world.user(may_act(route))
    if user is not None:
        login_as(client, user)
    url, body = route.url(world), route.body(world)
    before = database_state()
    response = client.open(url, method=route.method, data=body)
    assert response.status_code == 400
    assert "This form has expired" in response.get_data(as_text=True)
    assert database_state() == before


def _token_from(page: str) -> str:
    return re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)


def test_htmx_request_carries_the_token_in_a_header(app, client, make):
    """The page puts the token in hx-headers, and a request with that header is accepted."""
    app.config["WTF_CSRF_ENABLED"] = True
    classroom = make.classroom()
    old_code = classroom.join_code
    login_as(client, classroom.teacher)
    token = _token_from(client.get(f"/classes/{classroom.id}").get_data(as_text=True))
    response = client.post(
        f"/classes/{classroom.id}/code", headers={"HX-Request": "true", "X-CSRFToken": token}
    )
    assert response.status_code == 200
    assert classroom.join_code != old_code
    assert classroom.join_code in response.get_data(as_text=True)
    assert "<html" not in response.get_data(as_text=True)  # a fragment, not a page


def test_form_with_token_is_accepted(app, client, make):
    """A normal form post with the token from the page works."""
    app.config["WTF_CSRF_ENABLED"] = True
    teacher = make.teacher()
    login_as(client, teacher)
    page = client.get("/classes").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/classes", data={"name": "Robotics", "csrf_token": token})
    assert response.status_code == 302
