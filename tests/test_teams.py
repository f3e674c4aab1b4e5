"""Classes and teams as teachers, school admins and students use them."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from marketplace.extensions import db
from marketplace.models import (
    Classroom,
    Enrollment,
    ProjectStatus,
    Team,
    TeamJoinRequest,
    TeamMembership,
    User,
)

from .conftest import login_as
from .factories import PASSWORD, birthday_for_age
from .helpers import field_errors, field_value, flashes, text_of

NEW_PASSWORD = "purple tractor singing loudly"


# --- helpers -----------------------------------------------------------------------------------


def is_enrolled(student: User, classroom: Classroom) -> bool:
    return db.session.get(Enrollment, (classroom.id, student.id)) is not None


def team_ids_of(student: User) -> set[int]:
    return set(
        db.session.scalars(sa.select(TeamMembership.team_id).filter_by(student_id=student.id))
    )


def team_named(classroom: Classroom, name: str) -> Team | None:
    return db.session.scalar(sa.select(Team).filter_by(classroom_id=classroom.id, name=name))


def join_with_code(client, code: str, username: str):
    """A new student signs up through /auth/join with a class code."""
    return client.post(
        "/auth/join",
        data={
            "class_code": code,
            "first_name": "Grace",
            "last_name": "Hopper",
            "username": username,
            "date_of_birth": birthday_for_age(15).isoformat(),
            "password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
        },
    )


def user_named(username: str) -> User | None:
    return db.session.scalar(sa.select(User).filter_by(username=username))


@pytest.fixture
def teacher(make):
    return make.teacher(first_name="Mary", last_name="Jackson")


@pytest.fixture
def classroom(make, teacher):
    return make.classroom(teacher, name="Engineering Design")


# --- classes -----------------------------------------------------------------------------------


def test_teacher_creates_a_class_with_a_join_code(client, login, teacher):
    """A new class belongs to the teacher and their school and gets a readable join code."""
    login(teacher)
    response = client.post("/classes", data={"name": "  Robotics, period 3 "})
    classroom = db.session.scalar(sa.select(Classroom).filter_by(teacher_id=teacher.id))
    assert classroom is not None
    assert response.status_code == 302
    assert response.location.endswith(f"/classes/{classroom.id}")
    assert classroom.name == "Robotics, period 3"
    assert classroom.school_id == teacher.school_id
    assert re.fullmatch(r"[A-Z2-9]{8}", classroom.join_code)
    page = client.get(response.location)
    assert f"Students join with the code {classroom.join_code}" in flashes(page)[0]
    assert classroom.join_code in text_of(page)


@pytest.mark.parametrize("name", ["", "   "])
def test_creating_a_class_without_a_name_shows_the_field_error(client, login, teacher, name):
    """An empty class name is refused with 422 and a message on the field; nothing is created."""
    login(teacher)
    response = client.post("/classes", data={"name": name})
    assert response.status_code == 422
    assert "This field is required." in field_errors(response)
    assert db.session.scalar(sa.select(sa.func.count(Classroom.id))) == 0


def test_teacher_renames_a_class(client, login, teacher, classroom):
    """The new name is saved and shown."""
    login(teacher)
    response = client.post(
        f"/classes/{classroom.id}/rename", data={"name": "Engineering Design II"}
    )
    assert response.status_code == 302
    assert classroom.name == "Engineering Design II"
    page = client.get(response.location)
    assert "Class renamed." in flashes(page)
    assert "<h1>Engineering Design II</h1>" in text_of(page)


def test_renaming_a_class_to_nothing_keeps_the_old_name(client, login, teacher, classroom):
    """An empty new name is refused with a field error."""
    login(teacher)
    response = client.post(f"/classes/{classroom.id}/rename", data={"name": ""})
    assert response.status_code == 422
    assert "This field is required." in field_errors(response)
    assert classroom.name == "Engineering Design"


def test_rotating_the_code_stops_the_old_one(app, client, login, teacher, classroom):
    """After a new code, the old code no longer lets students sign up; the new one does."""
    old_code = classroom.join_code
    login(teacher)
    response = client.post(f"/classes/{classroom.id}/code")
    assert response.status_code == 302
    new_code = classroom.join_code
    assert new_code != old_code
    assert f"The new class code is {new_code}." in flashes(client.get(response.location))

    visitor = app.test_client()
    refused = join_with_code(visitor, old_code, "grace.old")
    assert "No class has this code. Check it with your teacher." in field_errors(refused)
    assert user_named("grace.old") is None

    joined = join_with_code(visitor, new_code.lower(), "grace.new")
    assert joined.status_code == 302
    student = user_named("grace.new")
    assert student is not None
    assert is_enrolled(student, classroom)


def test_rotating_the_code_with_htmx_returns_only_the_fragment(client, login, teacher, classroom):
    """htmx gets the join-code widget with the new code, not a whole page."""
    old_code = classroom.join_code
    login(teacher)
    response = client.post(f"/classes/{classroom.id}/code", headers={"HX-Request": "true"})
    body = text_of(response)
    assert response.status_code == 200
    assert classroom.join_code != old_code
    assert body.lstrip().startswith('<div id="join-code"')
    assert classroom.join_code in body
    assert old_code not in body
    assert "<html" not in body
    assert "<nav" not in body


def test_roster_shows_full_names_to_the_teacher(client, login, make, teacher, classroom):
    """The teacher's roster lists every student's full name and username."""
    ada = make.student(classroom, first_name="Ada", last_name="Lovelace", username="ada")
    alan = make.student(classroom, first_name="Alan", last_name="Turing", username="alan")
    make.student(
        make.classroom(make.teacher(school=teacher.school)), first_name="Not", last_name="Mine"
    )
    login(teacher)
    page = text_of(client.get(f"/classes/{classroom.id}"))
    assert "Roster (2)" in page
    for student in (ada, alan):
        assert f"<td>{student.full_name}</td>" in page
        assert f"<code>{student.username}</code>" in page
    assert "Not Mine" not in page


def test_student_of_the_class_sees_teams_but_not_the_code_or_roster(client, login, make, classroom):
    """A student in the class can open it, without the join code or staff controls."""
    student = make.student(classroom)
    make.team(classroom, [student], name="Rockets")
    login(student)
    page = text_of(client.get(f"/classes/{classroom.id}"))
    assert "Rockets" in page
    assert classroom.join_code not in page
    assert "Roster" not in page
    assert "Reset password" not in page


def test_removing_a_student_takes_them_out_of_the_class_and_its_teams(
    client, login, make, teacher, classroom
):
    """The student leaves the class and its team; the account and other classes stay."""
    ada = make.student(classroom, first_name="Ada", last_name="Lovelace")
    team = make.team(classroom, [ada], name="Rockets")
    other_class = make.classroom(make.teacher(school=teacher.school))
    db.session.add(Enrollment(classroom=other_class, student=ada))
    db.session.flush()
    other_team = make.team(other_class, [ada], name="Bridges")
    login(teacher)

    response = client.post(f"/classes/{classroom.id}/students/{ada.id}/remove")

    assert response.status_code == 303
    assert "Ada Lovelace was removed from Engineering Design." in flashes(
        client.get(response.location)
    )
    assert not is_enrolled(ada, classroom)
    assert team_ids_of(ada) == {other_team.id}
    assert team.members == []
    assert db.session.get(User, ada.id) is not None
    assert is_enrolled(ada, other_class)


def test_removing_a_student_who_is_not_in_the_class_is_404(client, login, make, teacher, classroom):
    """A student id of another class cannot be used on this class."""
    outsider = make.student(make.classroom(make.teacher(school=teacher.school)))
    login(teacher)
    response = client.post(f"/classes/{classroom.id}/students/{outsider.id}/remove")
    assert response.status_code == 404
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Enrollment)) == 1


def test_resetting_a_student_password(app, client, login, make, teacher, classroom):
    """The teacher sees a temporary password once; it replaces the old one and forces a change."""
    ada = make.student(classroom, first_name="Ada", last_name="Lovelace", username="ada")
    ada_session = login_as(app.test_client(), ada)
    assert ada_session.get("/dashboard").status_code == 200
    login(teacher)

    response = client.post(f"/classes/{classroom.id}/students/{ada.id}/password")

    assert response.status_code == 200
    page = text_of(response)
    assert "Temporary password for Ada Lovelace" in page
    temporary = re.search(r'<p class="temporary-password">(.*?)</p>', page).group(1)
    assert re.fullmatch(r"[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}", temporary)
    assert ada.must_change_password
    assert temporary not in text_of(client.get(f"/classes/{classroom.id}"))

    # Ada's open session has ended.
    assert "/auth/login" in ada_session.get("/dashboard").location

    visitor = app.test_client()
    old = visitor.post("/auth/login", data={"login": "ada", "password": PASSWORD})
    assert old.status_code == 200
    assert "The username/e-mail or the password is not correct." in field_errors(old)

    new = visitor.post("/auth/login", data={"login": "ada", "password": temporary})
    assert new.status_code == 302
    assert new.location.endswith("/auth/password")
    # Until she chooses a new password, every page sends her back there.
    elsewhere = visitor.get("/dashboard")
    assert elsewhere.location.endswith("/auth/password")
    assert "Please choose a new password to continue." in flashes(visitor.get(elsewhere.location))
    changed = visitor.post(
        "/auth/password",
        data={"current_password": temporary, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert changed.status_code == 302
    assert not ada.must_change_password
    assert visitor.get("/dashboard").status_code == 200


def test_school_admin_manages_the_classes_of_their_school(client, make, teacher, classroom):
    """A school admin sees every class of the school and can rename, rotate, reset and remove."""
    admin = make.school_admin(school=teacher.school)
    ada = make.student(classroom, first_name="Ada", last_name="Lovelace")
    alan = make.student(classroom, first_name="Alan", last_name="Turing")
    make.classroom(make.teacher(school=make.school()), name="Elsewhere")
    login_as(client, admin)

    listing = text_of(client.get("/classes"))
    assert f'<a href="/classes/{classroom.id}">Engineering Design</a>' in listing
    assert "Mary Jackson" in listing
    assert "Elsewhere" not in listing
    assert classroom.join_code in text_of(client.get(f"/classes/{classroom.id}"))

    old_code = classroom.join_code
    assert (
        client.post(f"/classes/{classroom.id}/rename", data={"name": "Design"}).status_code == 302
    )
    assert client.post(f"/classes/{classroom.id}/code").status_code == 302
    reset = client.post(f"/classes/{classroom.id}/students/{ada.id}/password")
    assert reset.status_code == 200
    assert client.post(f"/classes/{classroom.id}/students/{alan.id}/remove").status_code == 303
    assert classroom.name == "Design"
    assert classroom.join_code != old_code
    assert ada.must_change_password
    assert not is_enrolled(alan, classroom)


def test_school_admin_of_another_school_cannot_open_the_class(client, make, classroom):
    """Classes of other schools answer 404."""
    login_as(client, make.school_admin(school=make.school()))
    assert client.get(f"/classes/{classroom.id}").status_code == 404
    assert client.post(f"/classes/{classroom.id}/rename", data={"name": "Mine"}).status_code == 404
    assert classroom.name == "Engineering Design"


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("GET", "/classes/{c}", {}),
        ("POST", "/classes/{c}/rename", {"name": "Taken over"}),
        ("POST", "/classes/{c}/code", {}),
        ("POST", "/classes/{c}/students/{s}/remove", {}),
        ("POST", "/classes/{c}/students/{s}/password", {}),
        ("POST", "/classes/{c}/teams", {"name": "Intruders"}),
    ],
)
def test_teacher_cannot_manage_a_colleagues_class(
    client, make, teacher, classroom, method, path, data
):
    """A colleague of the same school gets 404 and changes nothing."""
    student = make.student(classroom)
    code = classroom.join_code
    login_as(client, make.teacher(school=teacher.school))
    response = client.open(path.format(c=classroom.id, s=student.id), method=method, data=data)
    assert response.status_code == 404
    assert classroom.name == "Engineering Design"
    assert classroom.join_code == code
    assert is_enrolled(student, classroom)
    assert not student.must_change_password
    assert classroom.teams == []


def test_colleague_does_not_see_the_class_in_their_list(client, make, teacher, classroom):
    """A teacher's class list shows only their own classes."""
    login_as(client, make.teacher(school=teacher.school))
    page = text_of(client.get("/classes"))
    assert f'href="/classes/{classroom.id}"' not in page
    assert "No classes yet." in page


# --- teams -------------------------------------------------------------------------------------


def test_teacher_creates_a_team(client, login, teacher, classroom):
    """The teacher's new team starts empty (the teacher is its advisor, not a member)."""
    login(teacher)
    response = client.post(f"/classes/{classroom.id}/teams", data={"name": "Rockets"})
    team = team_named(classroom, "Rockets")
    assert team is not None
    assert response.location.endswith(f"/teams/{team.id}")
    assert team.members == []
    page = client.get(response.location)
    assert "Team Rockets created." in flashes(page)
    assert "Advisor: Mary Jackson" in text_of(page)


def test_teacher_adds_and_removes_members(client, login, make, teacher, classroom):
    """Added students appear on the team; a removed one leaves it."""
    ada = make.student(classroom, first_name="Ada", last_name="Lovelace")
    alan = make.student(classroom, first_name="Alan", last_name="Turing")
    team = make.team(classroom, name="Rockets")
    login(teacher)

    for student in (ada, alan):
        response = client.post(f"/teams/{team.id}/members", data={"student_id": student.id})
        assert response.status_code == 303
        assert f"{student.full_name} joined Rockets." in flashes(client.get(response.location))
    assert team.members == [ada, alan]

    response = client.post(f"/teams/{team.id}/members/{ada.id}/remove")
    assert response.status_code == 303
    page = client.get(response.location)
    assert "Ada Lovelace left the team." in flashes(page)
    assert team.members == [alan]
    assert "Alan Turing" in text_of(page)


@pytest.mark.parametrize("others_free", [True, False], ids=["form-shown", "everyone-taken"])
def test_teacher_cannot_add_a_student_who_is_on_another_team(
    client, login, make, teacher, classroom, others_free
):
    """A student on another team of the class is not offered; posting them anyway is refused."""
    ada = make.student(classroom, first_name="Ada", last_name="Lovelace")
    if others_free:
        make.student(classroom, first_name="Alan", last_name="Turing")
    make.team(classroom, [ada], name="Rockets")
    team = make.team(classroom, name="Bridges")
    login(teacher)
    page = text_of(client.get(f"/teams/{team.id}"))
    assert f'<option value="{ada.id}"' not in page
    assert ("Every student of the class is on a team." in page) is not others_free
    response = client.post(f"/teams/{team.id}/members", data={"student_id": ada.id})
    assert response.status_code == 422
    assert "Not a valid choice." in field_errors(response)
    assert team.members == []


def test_teacher_cannot_add_a_student_of_another_class(client, login, make, teacher, classroom):
    """Only the class's own students can be put on its teams."""
    outsider = make.student(make.classroom(make.teacher(school=teacher.school)))
    team = make.team(classroom, name="Rockets")
    login(teacher)
    response = client.post(f"/teams/{team.id}/members", data={"student_id": outsider.id})
    assert response.status_code == 422
    assert team.members == []
    assert team_ids_of(outsider) == set()


def test_student_creates_a_team_and_is_its_first_member(client, login, make, classroom):
    """A student who founds a team is on it."""
    ada = make.student(classroom, first_name="Ada", last_name="Lovelace")
    login(ada)
    response = client.post(f"/classes/{classroom.id}/teams", data={"name": "Rockets"})
    team = team_named(classroom, "Rockets")
    assert team is not None
    assert team.members == [ada]
    page = text_of(client.get(response.location))
    assert "Leave the team" in page
    assert "Join this team" not in page


def test_student_on_a_team_cannot_found_another(client, login, make, classroom):
    """A student already on a team of the class gets a message and no second team exists."""
    ada = make.student(classroom, first_name="Ada", last_name="Lovelace")
    make.team(classroom, [ada], name="Rockets")
    login(ada)
    response = client.post(f"/classes/{classroom.id}/teams", data={"name": "Bridges"})
    assert response.status_code == 422
    assert "Ada is already on team Rockets." in field_errors(response)
    assert team_named(classroom, "Bridges") is None


@pytest.mark.parametrize("name", ["Rockets", "rockets", "  ROCKETS "])
def test_duplicate_team_name_in_the_class_is_refused(client, login, teacher, make, classroom, name):
    """Team names are unique in a class, whatever their case."""
    make.team(classroom, name="Rockets")
    login(teacher)
    response = client.post(f"/classes/{classroom.id}/teams", data={"name": name})
    assert response.status_code == 422
    assert "Engineering Design already has a team called" in " ".join(field_errors(response))
    assert len(classroom.teams) == 1


def test_same_team_name_is_fine_in_another_class(client, login, make, teacher, classroom):
    """Uniqueness is per class."""
    make.team(make.classroom(teacher), name="Rockets")
    login(teacher)
    response = client.post(f"/classes/{classroom.id}/teams", data={"name": "Rockets"})
    assert response.status_code == 302
    assert team_named(classroom, "Rockets") is not None


def test_creating_a_team_without_a_name_shows_the_field_error(client, login, teacher, classroom):
    """An empty team name is refused on the class page."""
    login(teacher)
    response = client.post(f"/classes/{classroom.id}/teams", data={"name": ""})
    assert response.status_code == 422
    assert "This field is required." in field_errors(response)
    assert classroom.teams == []


def test_student_joins_a_team_at_once_where_the_class_allows(client, login, make, classroom):
    """In a class set to let students join freely, joining adds the student and says so."""
    classroom.team_joining = "open"
    ada = make.student(classroom, first_name="Ada", last_name="Lovelace")
    team = make.team(classroom, name="Rockets")
    login(ada)
    assert "Join this team" in text_of(client.get(f"/teams/{team.id}"))
    response = client.post(f"/teams/{team.id}/join")
    assert response.status_code == 303
    assert "You joined Rockets." in flashes(client.get(response.location))
    assert team.has_member(ada)


def test_by_default_a_student_asks_and_sees_nothing_of_the_team_until_accepted(
    client, login, make, classroom
):
    """The newcomer asks; until a teammate or the teacher accepts, the team's drafts,
    engagements and threads stay closed to them."""
    ada = make.student(classroom, first_name="Ada", last_name="Lovelace")
    grace = make.student(classroom, first_name="Grace", last_name="Hopper")
    team = make.team(classroom, [grace], name="Rockets")
    draft = make.project(team)
    engagement = make.engagement(make.project(team, status=ProjectStatus.PUBLISHED))
    login(ada)
    response = client.post(f"/teams/{team.id}/join")
    assert "You asked to join Rockets" in flashes(client.get(response.location))[0]
    assert not team.has_member(ada)
    assert "You asked to join Rockets" in text_of(client.get(f"/teams/{team.id}"))
    for closed in (f"/projects/{draft.id}", f"/engagements/{engagement.id}/messages"):
        assert client.get(closed).status_code == 404, closed
    again = client.post(f"/teams/{team.id}/join")
    assert "You already asked to join Rockets" in flashes(client.get(again.location))[0]

    login(grace)  # the teammate is told, and answers on the team's page
    assert "Ada Lovelace asks to join Rockets" in text_of(client.get("/notifications"))
    page = text_of(client.get(f"/teams/{team.id}"))
    assert "Asking to join (1)" in page
    request_id = db.session.scalars(sa.select(TeamJoinRequest.id)).one()
    accepted = client.post(f"/teams/join-requests/{request_id}/accept")
    assert "is on Rockets now." in flashes(client.get(accepted.location))[0]
    assert team.has_member(ada)

    login(ada)
    assert client.get(f"/projects/{draft.id}").status_code == 200
    assert "You are on Rockets" in text_of(client.get("/notifications"))


def test_only_the_team_and_its_teacher_answer_an_ask(client, login, make, teacher, classroom):
    """Another student of the class cannot answer; the teacher can, and may decline."""
    ada, cleo, grace = (make.student(classroom) for _ in range(3))
    team = make.team(classroom, [grace], name="Rockets")
    make.team(classroom, [cleo], name="Bridges")
    login(ada)
    client.post(f"/teams/{team.id}/join")
    request_id = db.session.scalars(sa.select(TeamJoinRequest.id)).one()
    login(cleo)
    assert client.post(f"/teams/join-requests/{request_id}/accept").status_code == 404
    assert "Asking to join" not in text_of(client.get(f"/teams/{team.id}"))
    login(teacher)
    declined = client.post(f"/teams/join-requests/{request_id}/decline")
    assert "You declined" in flashes(client.get(declined.location))[0]
    assert not team.has_member(ada)
    assert db.session.scalars(sa.select(TeamJoinRequest)).all() == []
    login(ada)
    assert "Rockets did not take you on" in text_of(client.get("/notifications"))
    assert "Ask to join this team" in text_of(client.get(f"/teams/{team.id}"))


def test_the_teacher_chooses_how_students_join_teams(client, login, teacher, classroom):
    """Asking is the default; the teacher may let students join at once."""
    login(teacher)
    page = text_of(client.get(f"/classes/{classroom.id}"))
    assert "students ask, a teammate or you accept" in page
    response = client.post(f"/classes/{classroom.id}/team-joining", data={"joining": "open"})
    assert "Students now join teams at once." in flashes(client.get(response.location))
    assert classroom.team_joining == "open"
    bad = client.post(f"/classes/{classroom.id}/team-joining", data={"joining": "everyone"})
    assert bad.status_code == 422 and classroom.team_joining == "open"


def test_student_on_a_team_cannot_join_another_in_the_same_class(client, login, make, classroom):
    """One team per class: the second join is refused with a clear message."""
    ada = make.student(classroom, first_name="Ada", last_name="Lovelace")
    rockets = make.team(classroom, [ada], name="Rockets")
    bridges = make.team(classroom, name="Bridges")
    login(ada)
    page = text_of(client.get(f"/teams/{bridges.id}"))
    assert "You are on team Rockets in this class." in page
    assert "Join this team" not in page

    response = client.post(f"/teams/{bridges.id}/join")
    assert "Ada is already on team Rockets." in flashes(client.get(response.location))
    assert team_ids_of(ada) == {rockets.id}


def test_student_can_be_on_one_team_in_each_of_their_classes(
    client, login, make, teacher, classroom
):
    """The one-team rule is per class."""
    ada = make.student(classroom)
    make.team(classroom, [ada], name="Rockets")
    other_class = make.classroom(teacher)
    db.session.add(Enrollment(classroom=other_class, student=ada))
    other_class.team_joining = "open"
    other_team = make.team(other_class, name="Rockets")
    login(ada)
    client.post(f"/teams/{other_team.id}/join")
    assert other_team.has_member(ada)


def test_student_leaves_a_team(client, login, make, classroom):
    """Leaving takes the student off the team and says so."""
    ada = make.student(classroom, first_name="Ada", last_name="Lovelace")
    alan = make.student(classroom, first_name="Alan", last_name="Turing")
    team = make.team(classroom, [ada, alan], name="Rockets")
    login(ada)
    response = client.post(f"/teams/{team.id}/members/{ada.id}/remove")
    assert response.status_code == 303
    page = client.get(response.location)
    assert "You left the team." in flashes(page)
    assert team.members == [alan]
    assert "Ask to join this team" in text_of(page)


def test_student_cannot_remove_a_teammate(client, login, make, classroom):
    """Only the teacher removes other members."""
    ada, alan = make.student(classroom), make.student(classroom)
    team = make.team(classroom, [ada, alan])
    login(ada)
    assert client.post(f"/teams/{team.id}/members/{alan.id}/remove").status_code == 403
    assert team.has_member(alan)


def test_student_cannot_add_members(client, login, make, teacher, classroom):
    """Adding members is the teacher's job, whichever class the student comes from."""
    ada = make.student(classroom)
    classmate = make.student(classroom)
    outsider = make.student(make.classroom(make.teacher(school=teacher.school)))
    team = make.team(classroom, [ada])
    login(ada)
    for student in (classmate, outsider):
        assert (
            client.post(f"/teams/{team.id}/members", data={"student_id": student.id}).status_code
            == 403
        )
    assert team.members == [ada]


def test_student_of_another_class_cannot_see_or_join_a_team(
    client, login, make, teacher, classroom
):
    """Teams of a class the student is not in answer 404."""
    outsider = make.student(make.classroom(make.teacher(school=teacher.school)))
    team = make.team(classroom, name="Rockets")
    login(outsider)
    assert client.get(f"/teams/{team.id}").status_code == 404
    assert client.post(f"/teams/{team.id}/join").status_code == 404
    assert team.members == []


# --- a logged-in student joins another class -----------------------------------------------------


def test_student_joins_a_second_class_with_its_code(client, login, make, teacher, classroom):
    """The code may be typed in lower case with a dash; the student lands on the new class."""
    ada = make.student(make.classroom(make.teacher(school=teacher.school)))
    login(ada)
    assert client.get("/classes/join").status_code == 200
    typed = f"{classroom.join_code[:4].lower()}-{classroom.join_code[4:].lower()}"
    response = client.post("/classes/join", data={"class_code": typed})
    assert response.status_code == 302
    assert response.location.endswith(f"/classes/{classroom.id}")
    assert "You joined Engineering Design." in flashes(client.get(response.location))
    assert is_enrolled(ada, classroom)


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("ZZZZ2222", "No class has this code. Check it with your teacher."),
        ("", "This field is required."),
    ],
)
def test_joining_with_a_wrong_code_shows_a_field_message(
    client, login, make, classroom, code, message
):
    """A code that matches no class is refused on the field, keeping what was typed."""
    ada = make.student()
    login(ada)
    response = client.post("/classes/join", data={"class_code": code})
    assert message in field_errors(response)
    assert f'value="{code}"' in text_of(response)
    assert not is_enrolled(ada, classroom)


def test_joining_a_class_one_is_already_in_shows_a_message(client, login, make, classroom):
    """Using the code of one's own class says so and changes nothing."""
    ada = make.student(classroom)
    login(ada)
    response = client.post("/classes/join", data={"class_code": classroom.join_code})
    assert "You are already in Engineering Design." in field_errors(response)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Enrollment)) == 1


def test_student_of_another_school_cannot_be_enrolled(client, login, make, classroom):
    """A class code of another school is refused; the student stays in their own school."""
    outsider = make.student(make.classroom(make.teacher(school=make.school())))
    own_school = outsider.school_id
    login(outsider)
    response = client.post("/classes/join", data={"class_code": classroom.join_code})
    assert "No class has this code. Check it with your teacher." in field_errors(response)
    assert not is_enrolled(outsider, classroom)
    assert outsider.school_id == own_school


@pytest.mark.parametrize("role", ["teacher", "employer", "school_admin"])
def test_only_students_join_classes_with_a_code(client, make, classroom, role):
    """Adults get 403 on the student's join page."""
    login_as(client, getattr(make, role)())
    assert client.post("/classes/join", data={"class_code": classroom.join_code}).status_code == 403


def test_the_join_forms_example_code_has_the_real_format(client):
    from marketplace.models.classroom import CODE_ALPHABET, CODE_LENGTH

    page = text_of(client.get("/auth/join"))
    example = re.search(r"for example (\S+?)\.<", page)
    assert example is not None, "the form gives an example code"
    assert re.fullmatch(f"[{CODE_ALPHABET}]{{{CODE_LENGTH}}}", example.group(1)), example.group(1)


# --- grades and student numbers (the state's record) ---------------------------------------------


def test_the_teacher_keeps_grades_and_student_numbers_on_the_roster(make, client, login):
    classroom = make.classroom()
    ana = make.student(classroom, last_name="Alvarez")
    ben = make.student(classroom, last_name="Brooks")
    login(classroom.teacher)
    page = text_of(client.get(f"/classes/{classroom.id}/records"))
    assert "Alvarez" in page and "Brooks" in page
    response = client.post(
        f"/classes/{classroom.id}/records",
        data={
            "rows-0-student_id": str(ana.id),
            "rows-0-grade": "11",
            "rows-0-student_number": " S-1042 ",
            "rows-1-student_id": str(ben.id),
            "rows-1-grade": "",
            "rows-1-student_number": "",
        },
    )
    assert response.status_code == 303
    assert (ana.grade, ana.student_number) == (11, "S-1042")
    assert (ben.grade, ben.student_number) == (None, "")
    roster = text_of(client.get(f"/classes/{classroom.id}"))
    assert "S-1042" in roster


def test_a_student_number_of_another_student_is_refused_and_what_was_typed_stays(
    make, client, login
):
    classroom = make.classroom()
    ana = make.student(classroom)
    ben = make.student(classroom)
    elsewhere = make.classroom(teacher=make.teacher(school=classroom.school))
    make.student(elsewhere, student_number="S-7")
    other_school = make.student(make.classroom(), student_number="S-8")  # another school's: fine
    login(classroom.teacher)
    response = client.post(
        f"/classes/{classroom.id}/records",
        data={
            "rows-0-student_id": str(ana.id),
            "rows-0-grade": "10",
            "rows-0-student_number": "s-7",
            "rows-1-student_id": str(ben.id),
            "rows-1-grade": "14",
            "rows-1-student_number": "S-8",
        },
    )
    assert response.status_code == 422
    assert field_errors(response) == [
        "Another student of the school has this number.",
        "Not a valid choice.",  # grade 14: not a grade the form offers
    ]
    assert field_value(response, "rows-0-student_number") == "s-7"
    assert ana.grade is None and ana.student_number == ""
    assert other_school.student_number == "S-8"


def test_two_students_given_one_number_are_both_told(make, client, login):
    classroom = make.classroom()
    ana, ben = make.student(classroom), make.student(classroom)
    login(classroom.teacher)
    response = client.post(
        f"/classes/{classroom.id}/records",
        data={
            "rows-0-student_id": str(ana.id),
            "rows-0-student_number": "S-9",
            "rows-1-student_id": str(ben.id),
            "rows-1-student_number": "s-9",
        },
    )
    assert response.status_code == 422
    assert field_errors(response) == ["Two students were given this number."] * 2


def test_a_number_moves_between_two_students_in_one_save_and_another_class_is_untouched(
    make, client, login
):
    classroom = make.classroom()
    ana = make.student(classroom, student_number="S-1")
    ben = make.student(classroom)
    stranger = make.student(make.classroom(teacher=make.teacher(school=classroom.school)))
    login(classroom.teacher)
    response = client.post(
        f"/classes/{classroom.id}/records",
        data={
            "rows-0-student_id": str(ana.id),
            "rows-0-student_number": "",
            "rows-1-student_id": str(ben.id),
            "rows-1-student_number": "S-1",
            "rows-2-student_id": str(stranger.id),
            "rows-2-grade": "9",
            "rows-2-student_number": "S-2",
        },
    )
    assert response.status_code == 303
    assert (ana.student_number, ben.student_number) == ("", "S-1")
    assert (stranger.grade, stranger.student_number) == (None, "")  # not of this class
