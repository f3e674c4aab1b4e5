"""Exact outcomes for the route × role table: what one role must get from one request.

A page (200), a redirect to a stated place (302 or 303), the log-in page with `next` pointing back,
403, 404, 410 — and whether the domain refused (a form sent back with 422, or a redirect with an
error flash), so a form that failed never passes for one that worked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from .world import ROLES, World

_NEW, _SIGNED = "\x00new\x00", "\x00signed\x00"


@dataclass(frozen=True)
class Outcome:
    status: int | None  # None: a redirect (302 or 303)
    to: str = ""  # where it leads, formatted with the world; {new} is a row the request made,
    # {signed} a signed token
    refused: bool = False  # the domain said no (an error flash, or a form sent back)
    login: bool = False  # to the log-in page, `next` the requested URL

    def __str__(self) -> str:
        if self.login:
            return "LOGIN"
        if self.status is None:
            return f"{'refused' if self.refused else 'to'}({self.to!r})"
        return str(self.status)

    def problem(self, response, errors: list[str], world: World, url: str) -> str | None:
        """Why `response` (with the error flashes it left) is not this outcome, or None."""
        status, location = response.status_code, response.location or ""
        if self.status is not None:
            if status != self.status:
                return f"expected {self.status}, got {status} {location}"
            if status < 300 and errors:
                return f"expected {self.status} without an error, got {errors}"
            return None
        if status not in (302, 303):
            return f"expected a redirect ({self}), got {status}"
        if self.login:
            target = urlsplit(location)
            asked = parse_qs(target.query).get("next", [""])[0]
            if target.path != "/auth/login" or asked != url:
                return f"expected the log-in page with next={url}, got {location}"
            return None
        pattern = re.escape(self.to.format(w=world, new=_NEW, signed=_SIGNED))
        pattern = pattern.replace(re.escape(_NEW), r"\d+").replace(re.escape(_SIGNED), r"[\w.-]+")
        if not re.fullmatch(pattern, location):
            expected = self.to.format(w=world, new="…", signed="…")
            return f"expected a redirect to {expected}, got {location}"
        if self.refused != bool(errors):
            return f"expected {'an error' if self.refused else 'no error'} flash, got {errors}"
        return None


PAGE, CREATED, NO_CONTENT = Outcome(200), Outcome(201), Outcome(204)
FORBIDDEN, NOT_FOUND, GONE = Outcome(403), Outcome(404), Outcome(410)
REFUSED = Outcome(422, refused=True)  # the form is sent back with the domain's reason
LOGIN = Outcome(None, login=True)


def to(target: str) -> Outcome:
    """A redirect to `target` after the action worked."""
    return Outcome(None, target)


def refused(target: str) -> Outcome:
    """A redirect to `target` with an error flash: the role may act, the state says no."""
    return Outcome(None, target, refused=True)


Expect = dict[str, Outcome]


def roles(
    anonymous: Outcome,
    student: Outcome,
    teacher: Outcome,
    employer: Outcome,
    school_admin: Outcome,
    site_admin: Outcome,
) -> Expect:
    return dict(
        zip(ROLES, (anonymous, student, teacher, employer, school_admin, site_admin), strict=True)
    )


def everyone(outcome: Outcome) -> Expect:
    """The same for every role, anonymous included."""
    return dict.fromkeys(ROLES, outcome)


def signed_in(outcome: Outcome) -> Expect:
    """`outcome` for everyone logged in; anonymous is sent to log in."""
    return {**dict.fromkeys(ROLES, outcome), "anonymous": LOGIN}


def only(role: str, outcome: Outcome) -> Expect:
    """`outcome` for `role`; anonymous is sent to log in, every other role gets 403."""
    return {**signed_in(FORBIDDEN), role: outcome}


def staff(outcome: Outcome) -> Expect:
    """`outcome` for teachers and school admins; anonymous to log in, the others 403."""
    return {**signed_in(FORBIDDEN), "teacher": outcome, "school_admin": outcome}
