"""Who may reach what: role decorators and one load-and-check helper for rows."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user, login_required

from .extensions import db
from .models import Role

M = TypeVar("M")
F = TypeVar("F", bound=Callable[..., Any])


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
    model: type[M], id_: int, check: str | None = None, options: Sequence[Any] = ()
) -> M:
    """Load a row or answer 404; with `check`, ask the row (`row.<check>(user)`) or answer 404.

    A row the user may not see is answered with 404, not 403, so ids of other schools' rows
    cannot be probed. `options` are loader options (eager loading for the page).
    """
    row = db.session.get(model, id_, options=options)
    if row is None:
        abort(404)
    if check is not None and not getattr(row, check)(current_user):
        abort(404)
    return row
