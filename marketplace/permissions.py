"""Who may reach what: role decorators and one load-and-check helper for rows.

The rules themselves live with their feature, in its `rules.py` (`projects.rules.can_edit`,
`messaging.rules.can_moderate` …): plain functions `rule(row, user, …) -> bool`, the one answer
to "who may do this?". A view passes the rule itself to `load_or_404` or `require`, never its
name; each answer given there is announced on `rule_required`, so the route × role matrix names
the rule each of its rows exercises and fails if the view stops asking it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import wraps
from typing import Any, TypeVar

import sqlalchemy as sa
from blinker import Namespace
from flask import abort
from flask_login import current_user, login_required

from .extensions import db
from .models import Role

M = TypeVar("M")
F = TypeVar("F", bound=Callable[..., Any])

# Every answer a rule gives at a door (load_or_404, require) is announced: sender the rule,
# `allowed` its answer. The route × role matrix listens, to check each row's rule is asked.
rule_required = Namespace().signal("rule-required")


def roles_required(*roles: Role) -> Callable[[F], F]:
    """Require login and one of `roles`; anyone else gets 403."""

    def decorator(view: F) -> F:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


staff_required = roles_required(Role.TEACHER, Role.SCHOOL_ADMIN)
teacher_required = roles_required(Role.TEACHER)
student_required = roles_required(Role.STUDENT)
employer_required = roles_required(Role.EMPLOYER)
school_admin_required = roles_required(Role.SCHOOL_ADMIN)
site_admin_required = roles_required(Role.SITE_ADMIN)


def load_or_404(
    model: type[M],
    id_: int,
    check: Callable[[M, Any], bool] | None = None,
    options: Sequence[Any] = (),
    statement: sa.Select[M] | None = None,
) -> M:
    """Load a row or answer 404; with `check` (a rule), ask `check(row, user)` or answer 404.

    A row the user may not see is answered with 404, not 403, so ids of other schools' rows
    cannot be probed. `options` are loader options (eager loading for the page). A page opened
    often may give instead a `statement` built once: a select of `model` by the bound `id`
    (`session.get` builds its select afresh on every call, and works out its cache key from
    every loader option: 0.15 ms on the project page); its loader options are its own, and
    `options` may not be given with it.
    """
    assert statement is None or not options, "a statement carries its own loader options"
    if statement is not None:
        row = db.session.execute(statement, {"id": id_}).unique().scalar_one_or_none()
    else:
        row = db.session.get(model, id_, options=options)
    if row is None:
        abort(404)
    if check is not None:
        require(check, row)
    return row


def require(check: Callable[..., bool], row: M, *args: Any, status: int = 404) -> None:
    """Answer `status` (404: the row is not there for them; 403: seen, but not theirs to do)
    unless the rule `check(row, user, *args)` lets the current user at `row`."""
    allowed = check(row, current_user, *args)
    if rule_required.receivers:
        rule_required.send(check, allowed=allowed)
    if not allowed:
        abort(status)
