"""How people are named: full names inside the school, "First L." or a pseudonym outside."""

from __future__ import annotations

import html
import re
from datetime import date

import pytest
from flask_login import AnonymousUserMixin

from marketplace.privacy import PSEUDONYM_AGE, name_for, public_name, uses_pseudonym

from .conftest import login_as, shared_world
from .helpers import text_of

BIRTHDAY = date(2012, 5, 20)
PSEUDONYM = "Teal Otter 42"


def row_cells(page: str, first_cell: str) -> list[str]:
    """The cells of the table row whose first cell is `first_cell`."""
    for row in re.findall(r"<tr>(.*?)</tr>", page, flags=re.S):
        cells = [html.unescape(c.strip()) for c in re.findall(r"<td>(.*?)</td>", row, flags=re.S)]
        if cells and cells[0] == first_cell:
            return cells
    raise AssertionError(f"no row for {first_cell!r}")


# --- public_name -------------------------------------------------------------------------------


@pytest.mark.parametrize("age", [13, 14, 16, 18])
def test_student_13_or_older_is_first_name_and_initial(make, age):
    """From 13 on, outsiders see "First L."."""
    student = make.student(first_name="Ada", last_name="Lovelace", pseudonym=PSEUDONYM, age=age)
    assert public_name(student) == "Ada L."


@pytest.mark.parametrize("age", [5, 10, 12])
def test_student_under_13_is_shown_by_pseudonym(make, age):
    """Under 13, outsiders see only the pseudonym."""
    student = make.student(first_name="Tim", last_name="Berners", pseudonym=PSEUDONYM, age=age)
    assert public_name(student) == PSEUDONYM


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2025, 5, 19), PSEUDONYM),  # the day before the 13th birthday
        (date(2025, 5, 20), "Ada L."),  # the 13th birthday
        (date(2025, 5, 21), "Ada L."),
        (date(2024, 12, 31), PSEUDONYM),
    ],
    ids=["day-before", "birthday", "day-after", "year-before"],
)
def test_thirteenth_birthday_is_the_boundary(make, today, expected):
    """The pseudonym is used up to the day before the 13th birthday, not on it."""
    student = make.student(
        first_name="Ada", last_name="Lovelace", pseudonym=PSEUDONYM, date_of_birth=BIRTHDAY
    )
    assert public_name(student, today=today) == expected
    assert uses_pseudonym(student, today=today) is (expected == PSEUDONYM)


@pytest.mark.parametrize(
    ("today", "expected"),
    [(date(2025, 2, 28), PSEUDONYM), (date(2025, 3, 1), "Ada L."), (date(2024, 2, 29), PSEUDONYM)],
    ids=["feb-28", "mar-1", "leap-day-at-12"],
)
def test_leap_day_birthday_turns_13_on_the_first_of_march(make, today, expected):
    """Someone born on 29 February turns 13 on 1 March in a common year."""
    student = make.student(
        first_name="Ada", last_name="Lovelace", pseudonym=PSEUDONYM, date_of_birth=date(2012, 2, 29)
    )
    assert public_name(student, today=today) == expected


def test_student_of_unknown_age_is_shown_by_pseudonym(make):
    """Without a date of birth, the safe choice is the pseudonym."""
    student = make.student(
        first_name="Ada", last_name="Lovelace", pseudonym=PSEUDONYM, date_of_birth=None
    )
    assert public_name(student) == PSEUDONYM


def test_young_student_without_a_pseudonym_is_just_student(make):
    """The real name never stands in for a missing pseudonym."""
    student = make.student(first_name="Tim", last_name="Berners", pseudonym=None, age=11)
    assert public_name(student) == "Student"


@pytest.mark.parametrize("role", ["teacher", "school_admin", "employer"])
def test_adults_are_first_name_and_initial(make, role):
    """Adults are shown as "First L." whatever their age or role."""
    adult = getattr(make, role)(first_name="Mary", last_name="Jackson")
    assert public_name(adult) == "Mary J."


def test_initial_is_upper_case(make):
    """A surname typed in lower case still gives a capital initial."""
    assert public_name(make.student(first_name="ada", last_name="lovelace")) == "ada L."


@pytest.mark.parametrize("age", [PSEUDONYM_AGE - 1, PSEUDONYM_AGE, 17])
def test_public_name_never_contains_the_surname(make, age):
    """Neither form of the public name reveals the surname."""
    student = make.student(first_name="Ada", last_name="Lovelace", age=age)
    assert "Lovelace" not in public_name(student)


# --- name_for ----------------------------------------------------------------------------------


def build_people(make):
    """A school, its staff and a class (a 16-year-old, an under-13, a classmate); outsiders."""
    school = make.school("Northside High")
    teacher = make.teacher(school=school)
    classroom = make.classroom(teacher)
    other_school = make.school("Southside Academy")
    organisation = make.organisation(verified_by=[school])
    return {
        "classroom": classroom,
        "ada": make.student(
            classroom, first_name="Ada", last_name="Lovelace", pseudonym="Amber Fox 11"
        ),
        "tim": make.student(
            classroom, first_name="Tim", last_name="Berners", pseudonym=PSEUDONYM, age=11
        ),
        "classmate": make.student(classroom),
        "teacher": teacher,
        "colleague": make.teacher(school=school),
        "school_admin": make.school_admin(school=school),
        "site_admin": make.site_admin(),
        "employer": make.employer(organisation),
        "other_school_teacher": make.teacher(school=other_school),
        "other_school_admin": make.school_admin(school=other_school),
        "other_school_student": make.student(make.classroom(school=other_school)),
    }


people = shared_world(build_people, name="people")  # built once; each test rolled back


FULL = ["self", "classmate", "teacher", "colleague", "school_admin", "site_admin"]
PUBLIC = ["employer", "other_school_teacher", "other_school_admin", "other_school_student"]


@pytest.mark.parametrize("viewer", FULL)
@pytest.mark.parametrize(("person", "full_name"), [("ada", "Ada Lovelace"), ("tim", "Tim Berners")])
def test_own_school_sees_the_full_name(people, viewer, person, full_name):
    """The student, classmates and the school's staff see the full name, at any age."""
    viewer_user = people[person] if viewer == "self" else people[viewer]
    assert name_for(viewer_user, people[person]) == full_name


@pytest.mark.parametrize("viewer", PUBLIC)
@pytest.mark.parametrize(("person", "public"), [("ada", "Ada L."), ("tim", PSEUDONYM)])
def test_outsiders_see_the_public_name(people, viewer, person, public):
    """Employers (even verified ones) and other schools see "First L." or the pseudonym."""
    assert name_for(people[viewer], people[person]) == public


@pytest.mark.parametrize("anonymous", [None, AnonymousUserMixin()], ids=["none", "anonymous-user"])
@pytest.mark.parametrize(("person", "public"), [("ada", "Ada L."), ("tim", PSEUDONYM)])
def test_anonymous_viewer_sees_the_public_name(people, anonymous, person, public):
    """Nobody logged in sees more than the public name."""
    assert name_for(anonymous, people[person]) == public


def test_name_for_follows_the_birthday(people):
    """`name_for` passes `today` on: an outsider sees the pseudonym until the 13th birthday."""
    tim, employer = people["tim"], people["employer"]
    tim.date_of_birth = BIRTHDAY
    assert name_for(employer, tim, today=date(2025, 5, 19)) == PSEUDONYM
    assert name_for(employer, tim, today=date(2025, 5, 20)) == "Tim B."
    assert name_for(people["teacher"], tim, today=date(2025, 5, 19)) == "Tim Berners"


@pytest.mark.parametrize(
    ("viewer", "expected"),
    [
        ("colleague", "Grace Hopper"),
        ("teacher", "Grace Hopper"),
        ("school_admin", "Grace Hopper"),
        ("stranger", "Grace H."),
        ("student", "Grace H."),
        ("anonymous", "Grace H."),
    ],
)
def test_employer_names(make, people, viewer, expected):
    """An employer's full name is seen by colleagues and school staff; students see "First L."."""
    organisation = people["employer"].organisation
    grace = make.employer(organisation, first_name="Grace", last_name="Hopper")
    viewers = {
        "colleague": people["employer"],
        "teacher": people["teacher"],
        "school_admin": people["school_admin"],
        "stranger": make.employer(),
        "student": people["ada"],
        "anonymous": None,
    }
    assert name_for(viewers[viewer], grace) == expected


# --- on pages ----------------------------------------------------------------------------------


def test_roster_shows_the_name_employers_will_see(client, make, people):
    """The roster of a class whose team has an under-13 and a 16-year-old shows both names."""
    ada, tim = people["ada"], people["tim"]
    make.team(people["classroom"], [ada, tim], name="Rockets")
    login_as(client, people["teacher"])
    page = text_of(client.get(f"/classes/{people['classroom'].id}"))
    assert "<th>Shown to employers as</th>" in page
    tim_row = row_cells(page, "Tim Berners")
    ada_row = row_cells(page, "Ada Lovelace")
    assert (tim_row[2], tim_row[5]) == ("11", PSEUDONYM)  # age; grade and number between
    assert (ada_row[2], ada_row[5]) == ("16", "Ada L.")
    # The team card shows the teacher the full names.
    assert "Ada Lovelace, Tim Berners" in page


def test_team_pages_show_full_names_inside_the_school(client, make, people):
    """A team of an under-13 and a 16-year-old: classmates and staff see both full names."""
    ada, tim = people["ada"], people["tim"]
    team = make.team(members=[ada, tim], name="Rockets")
    for viewer in (people["classmate"], people["teacher"], people["school_admin"], tim):
        login_as(client, viewer)
        page = text_of(client.get(f"/teams/{team.id}"))
        assert "Ada Lovelace" in page
        assert "Tim Berners" in page
        assert PSEUDONYM not in page
