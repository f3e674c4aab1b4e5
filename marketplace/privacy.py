"""How people are named to each other. The one place that decides what an employer sees.

Employers never see a student's surname or contact details: a student is shown as first name
plus last initial, and a student under 13 only by a pseudonym. School staff, the student and the
students of the same school see full names.
"""

from __future__ import annotations

import secrets
from datetime import date

from . import clock
from .models import Role, User

PSEUDONYM_AGE = 13
_ADJECTIVES = (
    "Amber", "Brave", "Bright", "Calm", "Clever", "Coral", "Crimson", "Curious", "Eager", "Gentle",
    "Golden", "Jade", "Keen", "Lively", "Lucky", "Mellow", "Nimble", "Quiet", "Rapid", "Silver",
    "Steady", "Sunny", "Swift", "Teal", "Witty",
)  # fmt: skip
_ANIMALS = (
    "Badger", "Beaver", "Crane", "Dolphin", "Falcon", "Fox", "Gecko", "Heron", "Ibis", "Koala",
    "Lynx", "Marten", "Narwhal", "Otter", "Owl", "Panda", "Puffin", "Quail", "Raven", "Robin",
    "Seal", "Sparrow", "Tiger", "Wombat", "Wren",
)  # fmt: skip


def new_pseudonym() -> str:
    """A friendly, random pseudonym such as "Teal Otter 42"."""
    number = secrets.randbelow(90) + 10
    return f"{secrets.choice(_ADJECTIVES)} {secrets.choice(_ANIMALS)} {number}"


def uses_pseudonym(student: User, today: date | None = None) -> bool:
    """Students under 13 (or of unknown age) are shown to outsiders only by their pseudonym."""
    age = student.age_on(today or clock.today_for(student))
    return age is None or age < PSEUDONYM_AGE


def public_name(person: User, today: date | None = None) -> str:
    """The name shown to employers and anyone outside the person's school."""
    if person.role is Role.STUDENT and uses_pseudonym(person, today):
        return person.pseudonym or "Student"
    initial = f" {person.last_name[:1].upper()}." if person.last_name else ""
    return f"{person.first_name}{initial}"


def can_see_full_name(viewer: User | None, person: User) -> bool:
    """Who may see `person`'s full name: themselves, site admins, and their own school."""
    if viewer is None or not viewer.is_authenticated:
        return False
    if viewer.id == person.id or viewer.is_site_admin:
        return True
    if person.role is Role.EMPLOYER:
        return viewer.is_staff or (
            viewer.is_employer and viewer.organisation_id == person.organisation_id
        )
    if person.school_id is None:
        return False
    return viewer.school_id == person.school_id and viewer.role is not Role.EMPLOYER


def name_for(viewer: User | None, person: User, today: date | None = None) -> str:
    """The name of `person` as `viewer` may see it; every template shows people through this."""
    if can_see_full_name(viewer, person):
        return person.full_name
    return public_name(person, today)
