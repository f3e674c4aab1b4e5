"""Accounts as a user sees them: log-in and log-out, throttling, joining a class, employer
sign-up and e-mail confirmation, password resets and changes, and teacher invitations."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa
from itsdangerous import TimestampSigner

from marketplace.extensions import db
from marketplace.models import Enrollment, Role, User, utcnow
from marketplace.security import set_password

from .conftest import login_as
from .factories import PASSWORD, birthday_for_age
from .helpers import field_value, flashes, school_today, text_of

NEW_PASSWORD = "a quiet walk by the river"
WRONG_LOGIN = "The username/e-mail or the password is not correct."


# --- helpers ------------------------------------------------------------------------------


def is_logged_in(client) -> bool:
    """True if the client's session still opens the dashboard."""
    response = client.get("/dashboard")
    assert response.status_code in (200, 302)
    return response.status_code == 200


def user_by(**criteria) -> User | None:
    return db.session.scalar(sa.select(User).filter_by(**criteria))


def log_in(client, login: str, password: str = PASSWORD, address: str = "127.0.0.1"):
    """Post the log-in form from a given client address."""
    return client.post(
        "/auth/login",
        data={"login": login, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def join_data(code: str, **changes: str) -> dict[str, str]:
    """A complete, valid class-join form; `password` also sets `confirm` unless given."""
    data = {
        "class_code": code,
        "first_name": "Maya",
        "last_name": "Lopez",
        "username": "maya.l",
        "date_of_birth": birthday_for_age(15).isoformat(),
        "password": NEW_PASSWORD,
    }
    data.update(changes)
    data.setdefault("confirm", data["password"])
    return data


def signup_data(**changes: str) -> dict[str, str]:
    """A complete, valid employer sign-up form."""
    data = {
        "first_name": "Alex",
        "last_name": "Rivera",
        "email": "alex@acme.example",
        "password": NEW_PASSWORD,
    }
    data.update(changes)
    data.setdefault("confirm", data["password"])
    return data


def password_data(password: str, **extra: str) -> dict[str, str]:
    return {"password": password, "confirm": password, **extra}


def tampered(token: str) -> str:
    """`token` with one character of its payload changed."""
    return token[:5] + ("B" if token[5] != "B" else "C") + token[6:]


# --- logging in ---------------------------------------------------------------------------


def test_student_logs_in_with_username(make, client, log_in_with_form):
    """A student logs in with their username (any case) and lands on the dashboard."""
    student = make.student(username="sam.k")
    response = log_in_with_form("  Sam.K ")
    assert response.status_code == 302
    assert response.location == "/dashboard"
    assert student.first_name in text_of(client.get("/dashboard"))
    assert student.last_login_at is not None


def test_adult_logs_in_with_email(make, client, log_in_with_form):
    """A teacher logs in with their e-mail address."""
    teacher = make.teacher(email="ms.hill@school.example")
    response = log_in_with_form("Ms.Hill@School.example")
    assert response.location == "/dashboard"
    assert f"Welcome, {teacher.first_name}" in text_of(client.get("/dashboard"))


def test_wrong_password_shows_error_and_keeps_login(make, client, log_in_with_form):
    """A wrong password explains itself, keeps the typed login and never echoes the password."""
    make.student(username="sam.k")
    response = log_in_with_form("sam.k", "not the password")
    assert response.status_code == 200
    assert WRONG_LOGIN in text_of(response)
    assert field_value(response, "login") == "sam.k"
    assert field_value(response, "password") == ""
    assert not is_logged_in(client)


def test_unknown_account_gets_the_same_message(client, log_in_with_form):
    """An unknown login is told exactly what a wrong password is told (no enumeration)."""
    response = log_in_with_form("nobody@example.org", "whatever it is")
    assert response.status_code == 200
    assert WRONG_LOGIN in text_of(response)
    assert field_value(response, "login") == "nobody@example.org"


def test_inactive_account_is_refused(make, client, log_in_with_form):
    """A deactivated account cannot log in, even with the right password."""
    make.student(username="gone.kid", active=False)
    response = log_in_with_form("gone.kid")
    assert response.status_code == 200
    assert WRONG_LOGIN in text_of(response)
    assert not is_logged_in(client)


def test_deactivating_an_account_ends_its_session(make, client, log_in_with_form):
    """A session of an account that is then deactivated stops working."""
    student = make.student()
    log_in_with_form(student.username)
    student.active = False
    assert not is_logged_in(client)


def test_login_form_needs_both_fields(client, log_in_with_form):
    """An empty form is answered with field errors, not a log-in."""
    response = log_in_with_form("", "")
    assert response.status_code == 200
    assert "This field is required." in text_of(response)


def test_protected_page_sends_to_login_and_back(make, client, log_in_with_form):
    """Opening a page while logged out leads through the log-in form back to that page."""
    student = make.student()
    response = client.get("/auth/password")
    assert response.status_code == 302
    assert response.location.startswith("/auth/login?next=")
    login_page = client.get(response.location)
    assert field_value(login_page, "next") == "/auth/password"
    response = log_in_with_form(student.username, next_url="/auth/password")
    assert response.location == "/auth/password"


@pytest.mark.parametrize(
    "next_url",
    [
        "https://evil.example/",
        "//evil.example",
        "/\\evil.example",
        "http:/evil.example",
        "javascript:alert(1)",
    ],
)
def test_next_pointing_elsewhere_is_ignored(make, log_in_with_form, next_url):
    """A `next` that leaves the site is dropped: the user goes to their dashboard."""
    student = make.student()
    response = log_in_with_form(student.username, next_url=next_url)
    assert response.status_code == 302
    assert response.location == "/dashboard"


# --- throttling ---------------------------------------------------------------------------


@pytest.fixture
def strict_app(app, app_factory):
    """An app allowing 3 failed log-ins per account (any address), 2 per account and address,
    and 4 per address; DB work goes to it."""
    other = app_factory(
        LOGIN_LIMIT_PER_ACCOUNT="3 per minute",
        LOGIN_LIMIT_PER_ACCOUNT_AND_ADDRESS="2 per minute",
        LOGIN_LIMIT_PER_ADDRESS="4 per minute",
    )
    with other.app_context():
        yield other
        db.session.rollback()


def test_failed_logins_per_account_are_throttled(strict_app, make):
    """Guessing one account's password from many addresses is stopped, right password included."""
    student = make.student(username="target")
    bystander = make.student(username="bystander")
    client = strict_app.test_client()
    for n in range(3):
        assert log_in(client, "target", "guess", address=f"10.0.0.{n}").status_code == 200
    refused = log_in(client, "Target", "guess", address="10.0.1.1")
    assert refused.status_code == 429
    assert "Too many attempts" in text_of(refused)
    assert log_in(client, student.username, PASSWORD, address="10.0.1.2").status_code == 429
    assert not is_logged_in(client)
    # Other accounts are not locked out by it.
    assert log_in(client, bystander.username, PASSWORD, address="10.0.1.3").status_code == 302


def test_failed_logins_per_address_are_throttled(strict_app, make):
    """One address trying many accounts is stopped; other addresses are not."""
    students = [make.student() for _ in range(6)]
    client = strict_app.test_client()
    for student in students[:4]:
        assert log_in(client, student.username, "guess", address="10.9.9.9").status_code == 200
    assert log_in(client, students[4].username, "guess", address="10.9.9.9").status_code == 429
    assert log_in(client, students[4].username, PASSWORD, address="10.9.9.9").status_code == 429
    assert log_in(client, students[5].username, PASSWORD, address="10.8.8.8").status_code == 302


def test_successful_logins_are_not_counted(strict_app, make):
    """Logging in correctly many times never uses up the failed-attempt allowance."""
    student = make.student()
    client = strict_app.test_client()
    for _ in range(6):
        assert log_in(client, student.username, PASSWORD, address="10.7.7.7").status_code == 302
    response = log_in(client, student.username, "typo", address="10.7.7.7")
    assert response.status_code == 200
    assert WRONG_LOGIN in text_of(response)


def test_default_limit_per_account_applies(make, client):
    """With the shipped per-account limit used up, even the right password is refused to a
    browser that never logged in to the account."""
    student = make.student()
    limit = int(client.application.config["LOGIN_LIMIT_PER_ACCOUNT"].split()[0])
    for n in range(limit):
        assert log_in(client, student.username, "guess", address=f"10.1.0.{n}").status_code == 200
    assert log_in(client, student.username, PASSWORD, address="10.1.1.1").status_code == 429


def test_one_address_guessing_one_account_is_stopped_before_the_account_is(strict_app, make):
    student = make.student(username="target")
    client = strict_app.test_client()
    for _ in range(2):
        assert log_in(client, "target", "guess", address="10.2.2.2").status_code == 200
    assert log_in(client, "target", "guess", address="10.2.2.2").status_code == 429
    # The owner at another address (a new device) still gets in: the account is not locked.
    assert log_in(client, student.username, PASSWORD, address="10.3.3.3").status_code == 302


def test_guessing_never_locks_the_owner_out_of_a_device_they_logged_in_from(strict_app, make):
    """Throttling cannot be turned against the person it protects."""
    make.student(username="owner")
    own_laptop, attacker = strict_app.test_client(), strict_app.test_client()
    assert log_in(own_laptop, "owner", PASSWORD, address="10.4.4.4").status_code == 302
    own_laptop.post("/auth/logout")
    for n in range(8):  # the account's and the address's limits, used up by someone else
        log_in(attacker, "owner", "guess", address="10.4.4.4" if n % 2 else f"10.5.5.{n}")
    assert log_in(attacker, "owner", PASSWORD, address="10.6.6.6").status_code == 429
    assert log_in(own_laptop, "owner", PASSWORD, address="10.4.4.4").status_code == 302
    assert is_logged_in(own_laptop)


def test_a_classmate_behind_the_same_address_as_a_guesser_still_logs_in(strict_app, make):
    """A whole school shares one address: a guesser there does not lock out students whose
    browsers logged in before."""
    victims = [make.student() for _ in range(5)]
    classmate = make.student(username="classmate")
    device, guesser = strict_app.test_client(), strict_app.test_client()
    assert log_in(device, "classmate", PASSWORD, address="10.7.0.1").status_code == 302
    device.post("/auth/logout")
    for victim in victims:
        log_in(guesser, victim.username, "guess", address="10.7.0.1")
    assert log_in(guesser, victims[0].username, PASSWORD, address="10.7.0.1").status_code == 429
    assert log_in(device, classmate.username, PASSWORD, address="10.7.0.1").status_code == 302


# --- logging out and ending sessions -------------------------------------------------------


def test_logout_is_post_only(make, client, log_in_with_form):
    """A GET to the log-out URL does not log anyone out (no log-out by link or image)."""
    student = make.student()
    log_in_with_form(student.username)
    assert client.get("/auth/logout").status_code == 405
    assert is_logged_in(client)


def test_logout_ends_every_copy_of_the_session(make, app, client, log_in_with_form):
    """After log-out, a copy of the old session cookie no longer logs anyone in."""
    student = make.student()
    log_in_with_form(student.username)
    stolen = app.test_client()
    stolen.set_cookie("session", client.get_cookie("session").value)
    assert is_logged_in(stolen)

    response = client.post("/auth/logout", follow_redirects=True)
    assert "You are logged out." in text_of(response)
    assert not is_logged_in(client)
    assert not is_logged_in(stolen)


def test_logout_when_logged_out_goes_to_login(client):
    """Logging out without a session just asks to log in."""
    response = client.post("/auth/logout")
    assert response.status_code == 302
    assert response.location.startswith("/auth/login")


def test_password_change_ends_other_sessions_only(make, app, client, log_in_with_form):
    """Changing the password keeps this session, ends the others, and swaps the passwords."""
    teacher = make.teacher()
    log_in_with_form(teacher.email)
    laptop = app.test_client()
    assert log_in(laptop, teacher.email).status_code == 302

    response = client.post(
        "/auth/password", data=password_data(NEW_PASSWORD, current_password=PASSWORD)
    )
    assert response.location == "/dashboard"
    assert "Your password is changed." in text_of(client.get("/dashboard"))
    assert is_logged_in(client)
    assert not is_logged_in(laptop)
    assert WRONG_LOGIN in text_of(log_in(laptop, teacher.email, PASSWORD))
    assert log_in(laptop, teacher.email, NEW_PASSWORD).status_code == 302


def test_password_change_needs_the_current_password(make, client, log_in_with_form):
    """A wrong current password changes nothing and says why."""
    teacher = make.teacher()
    log_in_with_form(teacher.email)
    old_hash = teacher.password_hash
    response = client.post(
        "/auth/password", data=password_data(NEW_PASSWORD, current_password="not it at all")
    )
    assert response.status_code == 200
    assert "The current password is not correct." in text_of(response)
    assert teacher.password_hash == old_hash
    assert is_logged_in(client)


@pytest.fixture
def csrf_app(app, app_factory):
    """An app with CSRF protection on, as in production; DB work goes to it."""
    other = app_factory(WTF_CSRF_ENABLED=True)
    with other.app_context():
        yield other
        db.session.rollback()


def test_login_and_logout_need_the_form_token(csrf_app, make):
    """With CSRF on, log-in and log-out only work from the site's own forms."""
    student = make.student()
    client = csrf_app.test_client()
    assert log_in(client, student.username).status_code == 400
    token = field_value(client.get("/auth/login"), "csrf_token")
    data = {"login": student.username, "password": PASSWORD, "csrf_token": token}
    assert client.post("/auth/login", data=data).location == "/dashboard"

    assert client.post("/auth/logout").status_code == 400
    assert is_logged_in(client)
    token = field_value(client.get("/dashboard"), "csrf_token")
    assert client.post("/auth/logout", data={"csrf_token": token}).location == "/"
    assert not is_logged_in(client)


# --- students join with a class code -------------------------------------------------------


def test_student_joins_class_with_code(make, client):
    """Joining creates a student of the class's school, enrolled and logged in."""
    classroom = make.classroom(name="Robotics 10B")
    response = client.post("/auth/join", data=join_data(classroom.join_code))
    assert response.status_code == 302
    assert response.location == "/dashboard"

    student = user_by(username="maya.l")
    assert student.role is Role.STUDENT
    assert student.school_id == classroom.school_id
    assert student.email is None
    assert student.pseudonym
    assert db.session.get(Enrollment, (classroom.id, student.id)) is not None

    dashboard = text_of(client.get("/dashboard"))
    assert "Welcome! You joined Robotics 10B." in dashboard
    assert "Hi Maya!" in dashboard
    assert "Your classes" in dashboard
    assert "You are not in a class yet." not in dashboard


def test_join_link_fills_in_the_code(make, client):
    """A join link carrying the code pre-fills the class code field."""
    classroom = make.classroom()
    page = client.get(f"/auth/join?code={classroom.join_code}")
    assert field_value(page, "class_code") == classroom.join_code


def test_wrong_class_code_keeps_typed_fields(make, client):
    """A wrong code is explained and what was typed stays in the form (except passwords)."""
    make.classroom()
    response = client.post("/auth/join", data=join_data("ZZZZ-ZZZZ", first_name="Maya"))
    assert response.status_code == 422
    assert "No class has this code. Check it with your teacher." in text_of(response)
    assert field_value(response, "first_name") == "Maya"
    assert field_value(response, "last_name") == "Lopez"
    assert field_value(response, "username") == "maya.l"
    assert field_value(response, "password") == ""
    assert user_by(username="maya.l") is None


def test_class_code_in_lower_case_with_dash_works(make, client):
    """A code copied as `k7qp-m2xa` finds the class `K7QPM2XA`."""
    classroom = make.classroom()
    code = classroom.join_code
    typed = f" {code[:4].lower()}-{code[4:].lower()} "
    response = client.post("/auth/join", data=join_data(typed))
    assert response.location == "/dashboard"
    student = user_by(username="maya.l")
    assert db.session.get(Enrollment, (classroom.id, student.id)) is not None


def test_duplicate_username_is_refused_whatever_the_case(make, client):
    """A username taken in any letter case gets a message, and no second account."""
    classroom = make.classroom()
    make.student(username="maya.l")
    response = client.post("/auth/join", data=join_data(classroom.join_code, username="Maya.L"))
    assert response.status_code == 422
    assert "This username is taken; try adding a number." in text_of(response)
    count = db.session.scalar(sa.select(sa.func.count()).where(User.username == "maya.l"))
    assert count == 1


def test_username_with_odd_characters_is_refused(make, client):
    """Spaces and symbols in a username are explained."""
    classroom = make.classroom()
    data = join_data(classroom.join_code, username="maya lopez!")
    response = client.post("/auth/join", data=data)
    assert response.status_code == 422
    assert "Use 3\N{EN DASH}30 letters, digits, dots, dashes or underscores." in text_of(response)


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("password123", "one of the most common ones"),
        ("qwertyuiop", "one of the most common ones"),
        ("seven77", "Use at least 8 characters."),
        ("maya.lopez9", "Do not use your name, username or e-mail address"),
        ("x" * 129, "Use at most 128 characters."),
    ],
    ids=["common", "keyboard-row", "seven-chars", "same-as-username", "too-long"],
)
def test_weak_passwords_are_refused_on_join(make, client, password, message):
    """The password rules (length, common passwords, not the username) are explained."""
    classroom = make.classroom()
    data = join_data(classroom.join_code, username="maya.lopez9", password=password)
    response = client.post("/auth/join", data=data)
    assert response.status_code == 422
    assert message in text_of(response)
    assert user_by(username="maya.lopez9") is None


def test_long_password_is_accepted(make, client):
    """A 64-character passphrase is welcome, and works for logging in."""
    classroom = make.classroom()
    long_password = "correct horse battery staple and a few more words to reach 64!!!"
    assert len(long_password) == 64
    data = join_data(classroom.join_code, password=long_password)
    response = client.post("/auth/join", data=data)
    assert response.location == "/dashboard"
    client.post("/auth/logout")
    assert log_in(client, "maya.l", long_password).location == "/dashboard"


def test_passwords_must_match(make, client):
    """A mistyped repeat of the password is explained."""
    classroom = make.classroom()
    data = join_data(classroom.join_code, confirm="a quiet walk by the rivet")
    response = client.post("/auth/join", data=data)
    assert "The two passwords differ." in text_of(response)
    assert user_by(username="maya.l") is None


@pytest.mark.parametrize(
    ("born", "message"),
    [
        (school_today() + timedelta(days=30), "The date of birth must be in the past."),
        (birthday_for_age(3), "Please check the date of birth."),
        (birthday_for_age(70), "Please check the date of birth."),
    ],
    ids=["future", "age-3", "age-70"],
)
def test_implausible_date_of_birth_is_refused(make, client, born, message):
    """A date of birth no school student could have is refused."""
    classroom = make.classroom()
    data = join_data(classroom.join_code, date_of_birth=born.isoformat())
    response = client.post("/auth/join", data=data)
    assert response.status_code == 422
    assert message in text_of(response)
    assert user_by(username="maya.l") is None


def test_join_ignores_fields_a_student_may_not_set(make, client):
    """Posting role, school or flags along with the form changes nothing."""
    classroom = make.classroom()
    other_school = make.school()
    data = join_data(
        classroom.join_code,
        role="teacher",
        school_id=str(other_school.id),
        organisation_id="1",
        email="maya@example.org",
        email_confirmed_at="2024-01-01",
        active="0",
    )
    response = client.post("/auth/join", data=data)
    assert response.location == "/dashboard"
    student = user_by(username="maya.l")
    assert student.role is Role.STUDENT
    assert student.school_id == classroom.school_id != other_school.id
    assert student.email is None
    assert student.active


# --- employers sign up and confirm their address ---------------------------------------------


def test_employer_signs_up_and_confirms_email(client, outbox):
    """Sign-up makes an unconfirmed employer, mails a link, and the link confirms the address."""
    response = client.post("/auth/signup", data=signup_data(email="Alex@ACME.example"))
    assert response.location == "/auth/login"  # the same answer as for a taken address
    employer = user_by(email="alex@acme.example")
    assert employer.role is Role.EMPLOYER
    assert employer.email_confirmed_at is None
    assert employer.organisation_id is None

    [mail] = outbox.to("alex@acme.example")
    assert mail["Subject"] == "Confirm your e-mail address"
    link = outbox.last_link("alex@acme.example", "/auth/confirm/")
    assert link in mail.get_body(preferencelist=("plain",)).get_content()
    assert (
        f'href="http://127.0.0.1:5000{link}"'
        in mail.get_body(preferencelist=("html",)).get_content()
    )

    login_as(client, employer)
    dashboard = text_of(client.get("/dashboard"))
    assert "confirm your e-mail address" in dashboard
    assert "Set up your organisation" not in dashboard

    response = client.get(link)
    assert response.location == "/dashboard"
    assert employer.email_confirmed_at is not None
    dashboard = text_of(client.get("/dashboard"))
    assert "Thank you — your e-mail address is confirmed." in dashboard
    assert "Set up your organisation" in dashboard
    assert "confirm your e-mail address" not in dashboard


def test_confirmation_link_works_in_another_browser(app, client, outbox):
    """Opening the link logged out confirms the address and offers to log in."""
    client.post("/auth/signup", data=signup_data())
    link = outbox.last_link("alex@acme.example", "/auth/confirm/")
    phone = app.test_client()
    response = phone.get(link)
    assert response.location == "/auth/login"
    assert user_by(email="alex@acme.example").email_confirmed_at is not None


def test_confirmation_link_survives_logging_out(client, outbox):
    """An employer who logs out before reading their mail can still confirm the address."""
    client.post("/auth/signup", data=signup_data())
    link = outbox.last_link("alex@acme.example", "/auth/confirm/")
    client.post("/auth/logout")
    response = client.get(link)
    assert response.status_code == 302
    assert user_by(email="alex@acme.example").email_confirmed_at is not None


@pytest.mark.parametrize("kind", ["tampered", "garbage"])
def test_bad_confirmation_link_is_gone(client, outbox, kind):
    """A damaged confirmation link answers 410 with a clear message and confirms nothing."""
    client.post("/auth/signup", data=signup_data())
    link = outbox.last_link("alex@acme.example", "/auth/confirm/")
    token = link.rsplit("/", 1)[1]
    bad = tampered(token) if kind == "tampered" else "not-a-token"
    response = client.get(f"/auth/confirm/{bad}")
    assert response.status_code == 410
    assert "This confirmation link is not valid." in text_of(response)
    assert user_by(email="alex@acme.example").email_confirmed_at is None


def test_confirmation_link_of_another_purpose_is_refused(make, client, outbox):
    """A password-reset token cannot be used as a confirmation link."""
    teacher = make.teacher(email_confirmed_at=None)
    client.post("/auth/forgot", data={"email": teacher.email})
    token = outbox.last_link(teacher.email, "/auth/reset/").rsplit("/", 1)[1]
    response = client.get(f"/auth/confirm/{token}")
    assert response.status_code == 410
    assert teacher.email_confirmed_at is None


def test_signing_up_with_a_taken_address_answers_the_same_and_tells_its_owner(make, client, outbox):
    """Sign-up does not say which addresses have accounts: the page answers as for a new one,
    and the address's owner is mailed that someone tried (any case of the address)."""
    make.employer(email="alex@acme.example", first_name="Alexandra")
    taken = client.post("/auth/signup", data=signup_data(email="ALEX@acme.example"))
    fresh = client.post("/auth/signup", data=signup_data(email="sam@acme.example"))
    assert (taken.status_code, taken.location) == (fresh.status_code, fresh.location)
    said = flashes(client.get("/auth/login"))
    assert said == [
        "We sent a link to alex@acme.example: open it to confirm your address, then log in.",
        "We sent a link to sam@acme.example: open it to confirm your address, then log in.",
    ]
    [mail] = outbox.to("alex@acme.example")
    assert mail["Subject"] == "You already have an account"
    assert db.session.query(User).filter_by(email="alex@acme.example").count() == 1
    assert user_by(email="alex@acme.example").first_name == "Alexandra"  # nothing changed


def test_signup_refuses_bad_email_and_weak_password(client, outbox):
    """An invalid address and a common password are both explained, keeping the names."""
    data = signup_data(email="not-an-address", password="password123")
    response = client.post("/auth/signup", data=data)
    assert response.status_code == 422
    assert "Invalid email address." in text_of(response)
    assert "one of the most common ones" in text_of(response)
    assert field_value(response, "last_name") == "Rivera"
    assert outbox.messages == []


def test_signup_ignores_fields_an_employer_may_not_set(make, client):
    """Posting a role, organisation or confirmation date with the form changes nothing."""
    organisation = make.organisation()
    data = signup_data(
        role="site_admin", organisation_id=str(organisation.id), email_confirmed_at="2024-01-01"
    )
    client.post("/auth/signup", data=data)
    employer = user_by(email="alex@acme.example")
    assert employer.role is Role.EMPLOYER
    assert employer.organisation_id is None
    assert employer.email_confirmed_at is None


def test_resend_confirmation_sends_another_link(client, outbox):
    """'Send the link again' mails a new link, which works."""
    client.post("/auth/signup", data=signup_data())
    login_as(client, user_by(email="alex@acme.example"))
    response = client.post("/auth/confirm/resend", follow_redirects=True)
    assert "We sent a new confirmation link to alex@acme.example." in text_of(response)
    assert len(outbox.to("alex@acme.example")) == 2
    client.get(outbox.last_link("alex@acme.example", "/auth/confirm/"))
    assert user_by(email="alex@acme.example").email_confirmed_at is not None


def test_resend_confirmation_does_nothing_once_confirmed(make, client, login, outbox):
    """A confirmed employer asking for another link gets no mail."""
    employer = make.employer()
    login(employer)
    client.post("/auth/confirm/resend")
    assert outbox.to(employer.email) == []


# --- password reset by e-mail ----------------------------------------------------------------

FORGOT_SAYS = "If an account uses that address, we sent it a link to reset the password."


def request_reset(client, email: str):
    return client.post("/auth/forgot", data={"email": email}, follow_redirects=True)


def test_forgot_password_says_the_same_for_everyone(make, client, outbox):
    """Known, unknown and student addresses get the same answer; only the adult gets mail."""
    teacher = make.teacher(email="ms.hill@school.example")
    make.student(email="kid@example.org")
    make.teacher(email="left@school.example", active=False)
    pages = {}
    for address in (
        "ms.hill@school.example",
        "nobody@school.example",
        "kid@example.org",
        "left@school.example",
    ):
        response = request_reset(client, address)
        assert response.status_code == 200
        assert FORGOT_SAYS in text_of(response)
        pages[address] = response.request.path
    assert set(pages.values()) == {"/auth/login"}
    assert [m["To"] for m in outbox.messages] == [teacher.email]
    assert outbox.messages[0]["Subject"] == "Reset your password"


def raw_links(outbox, address: str) -> list[str]:
    """Every address in the mail sent to `address`, whole."""
    body = outbox.to(address)[-1].get_body(preferencelist=("plain",)).get_content()
    return re.findall(r"https?://\S+", body)


def test_in_development_mailed_links_follow_the_address_served(app_factory, make, outbox):
    """`make run PORT=5055` without BASE_URL: the reset link leads back to port 5055."""
    served = app_factory(BASE_URL_FROM_REQUEST=True)
    teacher = make.teacher()
    served.test_client().post(
        "/auth/forgot", data={"email": teacher.email}, base_url="http://127.0.0.1:5055"
    )
    assert [link.split("/auth/")[0] for link in raw_links(outbox, teacher.email)] == [
        "http://127.0.0.1:5055"
    ]


def test_elsewhere_mailed_links_are_built_on_base_url_not_the_host_asked(make, client, outbox):
    """A request to another Host (a client chooses it) never moves where a reset link points."""
    teacher = make.teacher()
    client.post("/auth/forgot", data={"email": teacher.email}, base_url="http://evil.example")
    assert raw_links(outbox, teacher.email)[0].startswith("http://127.0.0.1:5000/auth/reset/")


@pytest.mark.parametrize(
    ("kind", "base_url", "follows"),
    [("development", None, True), ("development", "https://wbl.example", False),
     ("test", None, False)],
)  # fmt: skip
def test_development_without_base_url_follows_requests(monkeypatch, kind, base_url, follows):
    from config import load_config

    monkeypatch.delenv("BASE_URL", raising=False)
    if base_url:
        monkeypatch.setenv("BASE_URL", base_url)
    monkeypatch.setenv("SECRET_KEY", "k" * 40)
    assert load_config(kind).BASE_URL_FROM_REQUEST is follows


def test_reset_link_sets_a_new_password_once(make, client, outbox):
    """The link sets a new password; the old one stops working and the link dies."""
    teacher = make.teacher()
    request_reset(client, teacher.email)
    link = outbox.last_link(teacher.email, "/auth/reset/")
    assert "Choose a new password" in text_of(client.get(link))

    response = client.post(link, data=password_data(NEW_PASSWORD), follow_redirects=True)
    assert response.request.path == "/auth/login"
    assert "Your password is changed. Log in with the new one." in text_of(response)
    assert WRONG_LOGIN in text_of(log_in(client, teacher.email, PASSWORD))
    assert log_in(client, teacher.email, NEW_PASSWORD).location == "/dashboard"

    again = client.get(link)
    assert again.status_code == 410
    assert "This reset link is not valid or has already been used." in text_of(again)
    assert client.post(link, data=password_data("another fine sentence")).status_code == 410


def test_reset_link_survives_logging_out_elsewhere(make, client, outbox, log_in_with_form):
    """Logging out (which ends sessions) does not kill a reset link; only using it does."""
    teacher = make.teacher()
    request_reset(client, teacher.email)
    link = outbox.last_link(teacher.email, "/auth/reset/")
    log_in_with_form(teacher.email)
    client.post("/auth/logout")
    assert client.get(link).status_code == 200
    assert client.post(link, data=password_data(NEW_PASSWORD)).status_code == 302


def test_reset_ends_existing_sessions(make, app, client, outbox, log_in_with_form):
    """Resetting the password logs out a session someone else may hold."""
    teacher = make.teacher()
    log_in_with_form(teacher.email)
    stranger = app.test_client()
    request_reset(stranger, teacher.email)
    stranger.post(outbox.last_link(teacher.email, "/auth/reset/"), data=password_data(NEW_PASSWORD))
    assert not is_logged_in(client)


def test_reset_refuses_weak_password(make, client, outbox):
    """A common new password is refused and the link stays usable."""
    teacher = make.teacher()
    request_reset(client, teacher.email)
    link = outbox.last_link(teacher.email, "/auth/reset/")
    response = client.post(link, data=password_data("qwertyuiop"))
    assert response.status_code == 200
    assert "one of the most common ones" in text_of(response)
    assert client.get(link).status_code == 200


def test_tampered_reset_link_is_gone(make, client, outbox):
    """A tampered reset link answers 410 and changes nothing."""
    teacher = make.teacher()
    request_reset(client, teacher.email)
    token = outbox.last_link(teacher.email, "/auth/reset/").rsplit("/", 1)[1]
    old_hash = teacher.password_hash
    response = client.post(f"/auth/reset/{tampered(token)}", data=password_data(NEW_PASSWORD))
    assert response.status_code == 410
    assert "not valid" in text_of(response)
    assert teacher.password_hash == old_hash


def test_reset_link_expires_after_an_hour(make, client, outbox, monkeypatch):
    """A reset link older than an hour says it has expired."""
    teacher = make.teacher()
    an_hour_ago = int(time.time()) - 3601
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: an_hour_ago)
    request_reset(client, teacher.email)
    monkeypatch.undo()
    response = client.get(outbox.last_link(teacher.email, "/auth/reset/"))
    assert response.status_code == 410
    assert "This reset link has expired. Ask for a new one." in text_of(response)


def test_reset_link_confirms_an_unconfirmed_address(make, client, outbox):
    """Using a reset link proves the address, so it counts as confirmed."""
    employer = make.employer(email_confirmed_at=None)
    request_reset(client, employer.email)
    client.post(outbox.last_link(employer.email, "/auth/reset/"), data=password_data(NEW_PASSWORD))
    assert employer.email_confirmed_at is not None


# --- teacher invitations ----------------------------------------------------------------------


def accept_data(**changes: str) -> dict[str, str]:
    data = {"first_name": "Grace", "last_name": "Hopper", "password": NEW_PASSWORD}
    data.update(changes)
    data.setdefault("confirm", data["password"])
    return data


def test_accepting_invitation_creates_teacher(make, client):
    """A valid invitation makes a confirmed teacher of the school, logged in."""
    school = make.school(name="Lakeside High")
    invitation, token = make.invitation(school=school, email="g.hopper@lakeside.example")
    page = client.get(f"/auth/invite/{token}")
    assert page.status_code == 200
    assert "Join Lakeside High" in text_of(page)
    assert "g.hopper@lakeside.example" in text_of(page)

    response = client.post(f"/auth/invite/{token}", data=accept_data())
    assert response.location == "/dashboard"
    teacher = user_by(email="g.hopper@lakeside.example")
    assert teacher.role is Role.TEACHER
    assert teacher.school_id == school.id
    assert teacher.email_confirmed_at is not None
    assert invitation.accepted_at is not None
    dashboard = text_of(client.get("/dashboard"))
    assert "Welcome to Lakeside High!" in dashboard
    assert "Welcome, Grace" in dashboard


def test_invitation_for_school_admin_makes_school_admin(make, client):
    """The role comes from the invitation, not from the form."""
    _, token = make.invitation(role=Role.SCHOOL_ADMIN, email="head@lakeside.example")
    client.post(f"/auth/invite/{token}", data=accept_data(role="site_admin", school_id="999"))
    admin = user_by(email="head@lakeside.example")
    assert admin.role is Role.SCHOOL_ADMIN


def test_used_invitation_is_gone(make, app, client):
    """A second use of the link, by anyone, answers 410 'already been used'."""
    _, token = make.invitation()
    client.post(f"/auth/invite/{token}", data=accept_data())
    other = app.test_client()
    for response in (
        other.get(f"/auth/invite/{token}"),
        other.post(f"/auth/invite/{token}", data=accept_data(first_name="Mallory")),
    ):
        assert response.status_code == 410
        assert "This invitation has already been used. Log in instead." in text_of(response)
    assert user_by(first_name="Mallory") is None


def test_expired_invitation_is_gone(make, client):
    """An invitation past its date answers 410 and says it expired."""
    invitation, token = make.invitation(expires_at=utcnow() - timedelta(minutes=1))
    response = client.get(f"/auth/invite/{token}")
    assert response.status_code == 410
    assert "This invitation has expired. Ask your school to send a new one." in text_of(response)
    assert client.post(f"/auth/invite/{token}", data=accept_data()).status_code == 410
    assert user_by(email=invitation.email) is None


def test_revoked_invitation_is_gone(make, client):
    """A withdrawn invitation answers 410 and creates nothing."""
    invitation, token = make.invitation(revoked_at=utcnow())
    response = client.post(f"/auth/invite/{token}", data=accept_data())
    assert response.status_code == 410
    assert "This invitation was withdrawn." in text_of(response)
    assert user_by(email=invitation.email) is None


def test_unknown_invitation_is_not_found(make, client):
    """A token that matches no invitation is a plain 404."""
    make.invitation()
    assert client.get("/auth/invite/no-such-token").status_code == 404
    assert client.post("/auth/invite/no-such-token", data=accept_data()).status_code == 404


def test_invitation_to_existing_address_is_refused(make, client):
    """An invitation to an address that already has an account cannot make a second one."""
    make.employer(email="dual@lakeside.example")
    invitation, token = make.invitation(email="dual@lakeside.example")
    response = client.post(f"/auth/invite/{token}", data=accept_data())
    assert response.status_code == 410
    assert "An account with this e-mail already exists. Log in instead." in text_of(response)
    assert user_by(email="dual@lakeside.example").role is Role.EMPLOYER
    assert invitation.accepted_at is None


def test_invitation_form_keeps_names_on_password_error(make, client):
    """A refused password keeps the typed names, and the invitation stays usable."""
    invitation, token = make.invitation()
    response = client.post(f"/auth/invite/{token}", data=accept_data(password="password123"))
    assert response.status_code == 200
    assert "one of the most common ones" in text_of(response)
    assert field_value(response, "first_name") == "Grace"
    assert field_value(response, "last_name") == "Hopper"
    assert invitation.accepted_at is None
    assert client.post(f"/auth/invite/{token}", data=accept_data()).location == "/dashboard"


# --- a password the teacher reset -------------------------------------------------------------


@pytest.mark.parametrize("page", ["/dashboard", "/", "/classes/join", "/auth/join"])
def test_temporary_password_must_be_changed_first(make, client, log_in_with_form, page):
    """A student with a teacher-set password is sent to change it, whatever page they open."""
    student = make.student(must_change_password=True)
    assert log_in_with_form(student.username, next_url="/classes/join").location == "/auth/password"
    response = client.get(page)
    assert response.status_code == 302
    assert response.location == "/auth/password"
    form_page = text_of(client.get("/auth/password"))
    assert "Your teacher gave you a temporary password." in form_page
    assert "Please choose a new password to continue." in form_page
    assert 'name="current_password"' not in form_page  # typed a moment ago to log in
    nav = form_page.split("</nav>")[0]
    assert "Log out" in nav and not re.findall(r'<a href="(?!/dashboard")[^"]*"', nav), (
        "nothing but log-out (and the brand) until the password is changed"
    )


def test_changing_temporary_password_frees_the_student(make, client, log_in_with_form):
    """Once the student picks their own password, pages open normally again."""
    student = make.student(must_change_password=True)
    log_in_with_form(student.username)
    response = client.post("/auth/password", data=password_data(NEW_PASSWORD))
    assert response.location == "/dashboard"
    assert not student.must_change_password
    assert client.get("/dashboard").status_code == 200
    assert client.get("/classes/join").status_code == 200


def test_student_with_temporary_password_can_log_out(make, client, log_in_with_form):
    """Logging out is allowed before changing the temporary password."""
    student = make.student(must_change_password=True)
    log_in_with_form(student.username)
    response = client.post("/auth/logout")
    assert response.location == "/"
    assert not is_logged_in(client)


def test_logged_in_student_following_a_join_link_joins_a_class_not_a_new_account(
    make, client, login
):
    """A student already logged in is sent to "join another class" with the code filled in."""
    student = make.student()
    other = make.classroom(school=db.session.get(User, student.id).school)
    login(student)
    response = client.get(f"/auth/join?code={other.join_code}")
    assert response.status_code == 302
    assert response.location == f"/classes/join?code={other.join_code}"
    assert other.join_code in text_of(client.get(response.location))


def test_logged_in_adult_cannot_make_a_student_account(make, client, login):
    """A teacher opening the join page is told to log out first."""
    login(make.teacher())
    response = client.post("/auth/join", data=join_data("ABCDEFGH"), follow_redirects=True)
    assert "Log out first to create a student account." in text_of(response)
    assert db.session.scalar(sa.select(sa.func.count(User.id)).filter_by(role=Role.STUDENT)) == 0


def test_new_password_cannot_be_ones_own_username(make, client, login):
    """Changing the password refuses the account's own username, as joining does."""
    student = make.student(username="robot.maker")
    login(student)
    response = client.post(
        "/auth/password",
        data={"current_password": PASSWORD, "password": "robot.maker", "confirm": "robot.maker"},
    )
    assert response.status_code == 200
    assert "Do not use your name, username or e-mail address" in text_of(response)


def test_a_wrong_class_code_does_not_reveal_taken_usernames(make, client):
    make.student(username="ava.m")
    response = client.post(
        "/auth/join",
        data={
            "class_code": "WRONG123",
            "first_name": "Ava",
            "last_name": "M",
            "username": "ava.m",
            "date_of_birth": "2010-05-01",
            "password": "violet kettle orbit 42",
            "confirm": "violet kettle orbit 42",
        },
    )
    assert response.status_code == 422
    assert "taken" not in text_of(response)


@pytest.mark.parametrize("path", ["/auth/forgot", "/auth/signup"])
def test_account_probing_pages_answer_no_sooner_than_the_floor_either_way(app, client, make, path):
    """Whether the address has an account or not, the answer waits for the same floor, so its
    timing tells nothing (the work done is shorter than the floor in both cases)."""
    app.config["EVEN_ANSWER_SECONDS"] = 0.25
    teacher = make.teacher(email="rivera@riverside.example")
    for email in (teacher.email, "nobody@riverside.example"):
        data = {"email": email} if path == "/auth/forgot" else signup_data(email=email)
        started = time.perf_counter()
        response = client.post(path, data=data)
        assert response.status_code == 302
        assert time.perf_counter() - started >= 0.25, email


def test_a_known_device_has_its_own_allowance_and_a_reset_forgets_it(app, app_factory, make):
    other = app_factory(
        LOGIN_LIMIT_PER_ACCOUNT="3 per minute",
        LOGIN_LIMIT_PER_ACCOUNT_AND_ADDRESS="2 per minute",
        LOGIN_LIMIT_PER_ADDRESS="4 per minute",
        LOGIN_LIMIT_KNOWN_DEVICE="2 per minute",
    )
    with other.app_context():
        student = make.student(username="labpc")
        shared_pc = other.test_client()
        assert log_in(shared_pc, "labpc", PASSWORD, address="10.9.0.1").status_code == 302
        shared_pc.post("/auth/logout")
        for _ in range(2):  # someone else at the lab computer guesses
            assert log_in(shared_pc, "labpc", "guess", address="10.9.0.1").status_code == 200
        assert log_in(shared_pc, "labpc", "guess", address="10.9.0.1").status_code == 429
        set_password(student, "a brand new passphrase 7")
        db.session.commit()
        # The note was earned with the old password: the browser is an unknown device again,
        # held to the per-account limits (not refused at once by the used-up allowance).
        assert log_in(shared_pc, "labpc", "guess", address="10.9.0.1").status_code == 200
        db.session.rollback()


def test_a_log_in_keeps_the_one_before_for_since_your_last_visit(make, client):
    student = make.student(username="twice")
    log_in(client, "twice", PASSWORD)
    first = db.session.get(User, student.id).last_login_at
    client.post("/auth/logout")
    log_in(client, "twice", PASSWORD)
    again = db.session.get(User, student.id)
    assert again.previous_login_at == first and again.last_login_at >= first
