"""The bell, the list of notifications, e-mail preferences (logged in and by the signed link in
every mail, with one-click unsubscribe), and the events that notify people."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from marketplace.extensions import db
from marketplace.models import (
    MailFrequency,
    Notification,
    NotificationMail,
    OutgoingMail,
    ProjectStatus,
    User,
    VerificationStatus,
)
from marketplace.notifications.service import notify, preferences_token

from .conftest import login_as
from .helpers import field_errors, flashes, text_of


def tell(person: User, n: int = 1, link: str = "/dashboard", prefix: str = "note") -> list[int]:
    """`n` notifications for `person`, oldest first; returns their ids."""
    notes = [
        notify(
            person, kind="test", subject=f"{prefix} {i}", key=f"{prefix}-{person.id}-{i}", link=link
        )
        for i in range(n)
    ]
    db.session.flush()
    return [note.id for note in notes]


def notes_of(person: User) -> list[Notification]:
    return list(
        db.session.scalars(
            sa.select(Notification).filter_by(user_id=person.id).order_by(Notification.id)
        )
    )


def mails_to(person: User) -> list[OutgoingMail]:
    return list(db.session.scalars(sa.select(OutgoingMail).filter_by(user_id=person.id)))


def bell_of(page: str) -> str:
    match = re.search(r'<a [^>]*id="bell".*?</a>', page, re.S)
    assert match, "no bell on the page"
    return match.group(0)


# --- the bell ----------------------------------------------------------------------------------


def test_the_bell_shows_the_unread_count(client, login, make):
    """A badge with the number unread, said in words for screen readers; none at 0."""
    teacher = make.teacher()
    login(teacher)
    bell = bell_of(text_of(client.get("/dashboard")))
    assert 'aria-label="Notifications, none unread"' in bell
    assert "badge" not in bell

    tell(teacher, 3)
    bell = bell_of(text_of(client.get("/dashboard")))
    assert 'aria-label="Notifications, 3 unread"' in bell
    assert '<span class="badge badge-count">3</span>' in bell
    assert 'href="/notifications"' in bell


def test_no_bell_for_visitors(client):
    assert 'id="bell"' not in text_of(client.get("/"))


def test_the_count_costs_one_query_per_page(app, client, login, make):
    """The nav asks for the count once, however many times the page shows it."""
    student = make.student(email="ava@example.org")
    login(student)
    tell(student, 2)
    seen: list[str] = []

    def listen(conn, cursor, statement, *args):
        seen.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", listen)
    try:
        assert client.get("/dashboard").status_code == 200
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", listen)
    assert len([s for s in seen if "FROM notification" in s]) == 1


def test_the_badge_is_polled_as_a_fragment(client, login, make):
    """htmx asks every 30 s for the badge alone and swaps it in place."""
    employer = make.employer()
    login(employer)
    bell = bell_of(text_of(client.get("/dashboard")))
    assert 'hx-get="/notifications/bell"' in bell
    assert 'hx-trigger="every 30s"' in bell and 'hx-swap="outerHTML"' in bell

    tell(employer, 2)
    fragment = client.get("/notifications/bell", headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    body = text_of(fragment)
    assert "<html" not in body and "<nav" not in body
    assert 'aria-label="Notifications, 2 unread"' in body
    assert body.lstrip().startswith('<a href="/notifications" id="bell"')

    plain = client.get("/notifications/bell")  # without JS: the list itself
    assert plain.status_code == 302 and plain.location.endswith("/notifications")


def test_a_logged_out_poll_stops_instead_of_swapping_a_log_in_page(client):
    response = client.get("/notifications/bell", headers={"HX-Request": "true"})
    assert response.status_code == 286 and text_of(response) == ""
    assert "/auth/login" in client.get("/notifications/bell").location


# --- the list ----------------------------------------------------------------------------------


def test_the_list_says_what_will_appear_when_empty(client, login, make):
    login(make.student())
    page = text_of(client.get("/notifications"))
    assert "No notifications yet." in page
    assert "an employer's interest or offer" in page
    assert "Mark all as read" not in page


def test_the_list_is_newest_first_with_unread_marked(client, login, make):
    teacher = make.teacher()
    first, second = tell(teacher, 2)
    db.session.get(Notification, first).read_at = db.func.now()
    login(teacher)
    page = text_of(client.get("/notifications"))
    assert page.index("note 1") < page.index("note 0")
    assert re.search(rf'class="unread">\s*<a href="/notifications/{second}">', page)
    assert re.search(rf'class="read">\s*<a href="/notifications/{first}">', page)
    assert page.count(">New</span>") == 1


def test_the_list_is_paginated_thirty_a_page(client, login, make):
    teacher = make.teacher()
    tell(teacher, 35)
    login(teacher)
    first = text_of(client.get("/notifications"))
    assert len(re.findall(r'<a href="/notifications/\d+">', first)) == 30
    assert "note 34" in first and "note 4<" not in first
    assert "Page 1 of 2" in first and 'href="/notifications?page=2"' in first
    second = text_of(client.get("/notifications?page=2"))
    assert len(re.findall(r'<a href="/notifications/\d+">', second)) == 5
    assert "note 0" in second and 'rel="prev"' in second
    assert client.get("/notifications?page=3").status_code == 404
    assert "note 34" in text_of(client.get("/notifications?page=x"))  # not a number: page 1


def test_opening_a_notification_marks_it_read_and_goes_to_its_page(client, login, make):
    student = make.student()
    [note_id] = tell(student, link="/projects/7")
    login(student)
    response = client.get(f"/notifications/{note_id}")
    assert response.status_code == 303 and response.location == "/projects/7"
    note = db.session.get(Notification, note_id)
    assert note.read_at is not None
    opened_at = note.read_at
    client.get(f"/notifications/{note_id}")
    assert db.session.get(Notification, note_id).read_at == opened_at  # the first time is kept
    assert 'aria-label="Notifications, none unread"' in text_of(client.get("/dashboard"))


@pytest.mark.parametrize(
    "link", ["https://evil.example/x", "//evil.example/x", "/\\evil.example", "javascript:x", ""]
)
def test_opening_never_leaves_the_site(client, login, make, link):
    student = make.student()
    [note_id] = tell(student, link=link)
    login(student)
    response = client.get(f"/notifications/{note_id}")
    assert response.status_code == 303 and response.location == "/notifications"


def test_someone_elses_notification_is_a_404(client, login, make):
    owner, other = make.student(), make.student()
    [note_id] = tell(owner)
    login(other)
    assert client.get(f"/notifications/{note_id}").status_code == 404
    assert client.get("/notifications/999999").status_code == 404
    assert db.session.get(Notification, note_id).read_at is None
    assert f"/notifications/{note_id}" not in text_of(client.get("/notifications"))


def test_mark_all_as_read_leaves_others_alone(client, login, make):
    mine, theirs = make.teacher(), make.teacher()
    tell(mine, 3)
    tell(theirs, 2)
    login(mine)
    response = client.post("/notifications/read")
    assert response.status_code == 303
    assert "All notifications are marked as read." in flashes(client.get(response.location))
    assert all(n.read_at is not None for n in notes_of(mine))
    assert all(n.read_at is None for n in notes_of(theirs))
    again = client.post("/notifications/read", follow_redirects=True)
    assert "Nothing was unread." in flashes(again)


# --- preferences -------------------------------------------------------------------------------


def checked_choice(page: str) -> str:
    """The value of the checked e-mail frequency radio ("" if none is checked)."""
    checked = [
        re.search(r'value="(\w+)"', tag).group(1)
        for tag in re.findall(r'<input[^>]*name="mail_frequency"[^>]*>', page)
        if re.search(r"\bchecked\b", tag)
    ]
    assert len(checked) <= 1
    return checked[0] if checked else ""


def test_preferences_logged_in(client, login, make):
    """The form shows the current choice; saving says so and keeps the new one."""
    employer = make.employer()
    login(employer)
    page = text_of(client.get("/notifications/settings"))
    assert checked_choice(page) == "immediately"
    assert "One daily digest" in page and "No e-mail (only the bell)" in page

    response = client.post("/notifications/settings", data={"mail_frequency": "daily"})
    assert response.status_code == 303
    after = client.get(response.location)
    assert "Saved: One daily digest." in flashes(after)
    assert checked_choice(text_of(after)) == "daily"
    assert employer.mail_frequency is MailFrequency.DAILY


def test_a_bad_choice_is_refused_with_a_message(client, login, make):
    employer = make.employer()
    login(employer)
    response = client.post("/notifications/settings", data={"mail_frequency": "hourly"})
    assert response.status_code == 422
    assert field_errors(response) == ["Not a valid choice."]
    assert client.post("/notifications/settings").status_code == 422
    assert employer.mail_frequency is MailFrequency.IMMEDIATELY


def test_preferences_by_the_mailed_link_without_logging_in(client, make):
    teacher = make.teacher()
    token = preferences_token(teacher)
    page = client.get(f"/notifications/preferences/{token}")
    assert page.status_code == 200
    assert checked_choice(text_of(page)) == "immediately"
    assert teacher.mail_frequency is MailFrequency.IMMEDIATELY  # a GET changes nothing
    # A forwarded link never shows the whole address.
    masked = f"{teacher.email[0]}•••@{teacher.email.split('@')[1]}"
    assert teacher.email not in text_of(page) and masked in text_of(page)

    response = client.post(f"/notifications/preferences/{token}", data={"mail_frequency": "off"})
    assert response.status_code == 303
    assert response.location == f"/notifications/preferences/{token}"
    after = client.get(response.location)
    assert "Saved: No e-mail (only the bell)." in flashes(after)
    assert checked_choice(text_of(after)) == "off"
    assert teacher.mail_frequency is MailFrequency.OFF


def test_a_tampered_or_dead_token_is_a_404(client, make):
    teacher, gone = make.teacher(), make.teacher(active=False)
    token = preferences_token(teacher)
    for bad in (token[:-2] + "xx", "nonsense", preferences_token(gone)):
        assert client.get(f"/notifications/preferences/{bad}").status_code == 404
        response = client.post(f"/notifications/preferences/{bad}/unsubscribe")
        assert response.status_code == 404
    assert teacher.mail_frequency is MailFrequency.IMMEDIATELY


def test_one_click_unsubscribe_needs_no_token_and_no_log_in(app, client, make):
    """RFC 8058: the mail client posts "List-Unsubscribe=One-Click" and nothing else."""
    app.config["WTF_CSRF_ENABLED"] = True
    employer = make.employer()
    token = preferences_token(employer)
    opened = client.get(f"/notifications/preferences/{token}/unsubscribe")
    assert opened.status_code == 200 and "Stop all notification e-mail" in text_of(opened)
    assert employer.mail_frequency is MailFrequency.IMMEDIATELY  # opening it changes nothing

    response = client.post(
        f"/notifications/preferences/{token}/unsubscribe",
        data={"List-Unsubscribe": "One-Click"},
    )
    assert response.status_code == 200
    assert "gets no more notification e-mail" in text_of(response)
    assert employer.mail_frequency is MailFrequency.OFF
    # the preferences form itself still needs the CSRF token
    refused = client.post(f"/notifications/preferences/{token}", data={"mail_frequency": "daily"})
    assert refused.status_code == 400
    assert employer.mail_frequency is MailFrequency.OFF


def test_the_unsubscribe_link_in_a_mail_works(client, make, outbox):
    employer = make.employer()
    tell(employer)
    db.session.commit()  # inline delivery happens after the commit
    [message] = outbox.to(employer.email)
    unsubscribe = message["List-Unsubscribe"].strip("<>")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    path = "/" + unsubscribe.split("/", 3)[3]
    assert client.post(path).status_code == 200
    assert employer.mail_frequency is MailFrequency.OFF


def test_a_student_without_e_mail_is_told_why_there_is_none(client, login, make):
    student = make.student()
    login(student)
    page = text_of(client.get("/notifications/settings"))
    assert "you gave no e-mail address" in page
    assert 'name="mail_frequency"' not in page
    token_page = text_of(client.get(f"/notifications/preferences/{preferences_token(student)}"))
    assert "you gave no e-mail address" in token_page


# --- the choice applies to the next notifications ----------------------------------------------


@pytest.mark.parametrize(
    ("choice", "mail_state", "mails"),
    [("immediately", "queued", 1), ("daily", "digest", 0), ("off", "none", 0)],
)
def test_the_choice_decides_the_next_notifications_mail(
    client, login, make, outbox, choice, mail_state, mails
):
    teacher = make.teacher()
    login(teacher)
    client.post("/notifications/settings", data={"mail_frequency": choice})
    tell(teacher)
    db.session.commit()
    [note] = notes_of(teacher)
    assert note.mail_state == mail_state
    assert len(mails_to(teacher)) == mails
    assert len(outbox.to(teacher.email)) == mails


def test_a_student_without_e_mail_gets_only_the_bell(make, outbox):
    student = make.student()
    tell(student)
    db.session.commit()
    [note] = notes_of(student)
    assert note.mail_state == NotificationMail.NONE.value
    assert mails_to(student) == [] and outbox.messages == []


# --- events that notify ------------------------------------------------------------------------


@pytest.fixture
def submitted(make):
    """A submitted project of a team: Ava (e-mail, daily digest), Leo (no e-mail), Mia (e-mail)."""
    classroom = make.classroom()
    ava = make.student(classroom, first_name="Ava", email="ava@example.org")
    ava.mail_frequency = MailFrequency.DAILY
    leo = make.student(classroom, first_name="Leo")
    mia = make.student(classroom, first_name="Mia", email="mia@example.org")
    team = make.team(classroom, members=[ava, leo, mia])
    project = make.project(team, status=ProjectStatus.SUBMITTED, title="CheckIn Buddy")
    return project, ava, leo, mia


def test_publishing_notifies_the_team_per_preference(client, login, make, outbox, submitted):
    project, ava, leo, mia = submitted
    login(project.team.classroom.teacher)
    client.post(f"/projects/{project.id}/review/publish")
    assert project.status is ProjectStatus.PUBLISHED
    for student in (ava, leo, mia):
        [note] = notes_of(student)
        assert note.kind == "project_published"
        assert note.subject == "“CheckIn Buddy” is published"
        assert note.link == f"/projects/{project.id}"
    assert [n.mail_state for n in notes_of(ava) + notes_of(leo) + notes_of(mia)] == [
        "digest",
        "none",
        "queued",
    ]
    [message] = outbox.to("mia@example.org")
    assert message["Subject"] == "“CheckIn Buddy” is published"
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert f"/projects/{project.id}" in text and "/notifications/preferences/" in text
    assert outbox.to("ava@example.org") == []

    login(leo)  # no e-mail, but the bell
    assert 'aria-label="Notifications, 1 unread"' in text_of(client.get("/dashboard"))


def test_changes_requested_tells_the_team_what_to_change(client, login, make, outbox, submitted):
    project, _, leo, _ = submitted
    login(project.team.classroom.teacher)
    client.post(f"/projects/{project.id}/review/changes", data={"comment": "Add test results."})
    [note] = notes_of(leo)
    assert note.kind == "changes_requested"
    assert note.subject == "“CheckIn Buddy” is back for changes"
    assert "Add test results." in note.body
    [message] = outbox.to("mia@example.org")
    assert "Add test results." in message.get_body(preferencelist=("plain",)).get_content()


@pytest.fixture
def pending(make):
    school = make.school("Northside High")
    organisation = make.organisation(name="Acme Robotics", pending_with=[school])
    ada = make.employer(organisation, first_name="Ada")
    bob = make.employer(organisation, first_name="Bob")
    bob.mail_frequency = MailFrequency.OFF
    partnership = organisation.partnerships[0]
    return make.teacher(school=school), partnership, ada, bob


def test_verifying_an_organisation_notifies_its_members(client, login, outbox, pending):
    teacher, partnership, ada, bob = pending
    login(teacher)
    client.post(f"/partners/verification/{partnership.id}/verify")
    assert partnership.status is VerificationStatus.VERIFIED
    for member in (ada, bob):
        [note] = notes_of(member)
        assert note.kind == "organisation_verified"
        assert note.subject == "Northside High verified Acme Robotics"
        assert note.link == "/organisation"
    [message] = outbox.to(ada.email)
    assert message["Subject"] == "Northside High verified Acme Robotics"
    assert outbox.to(bob.email) == []  # Bob chose no e-mail: only the bell
    assert notes_of(bob)[0].mail_state == "none"


def test_a_changed_decision_notifies_again(client, login, outbox, pending):
    """Declined with a note, then verified after all: two notifications, no clash of keys."""
    teacher, partnership, ada, _ = pending
    login(teacher)
    client.post(f"/partners/verification/{partnership.id}/decline", data={"note": "Not yet."})
    client.post(f"/partners/verification/{partnership.id}/verify")
    client.post(f"/partners/verification/{partnership.id}/decline", data={"note": "Sorry."})
    kinds = [n.kind for n in notes_of(ada)]
    assert kinds == ["organisation_declined", "organisation_verified", "organisation_declined"]
    assert "Note from the school: Not yet." in notes_of(ada)[0].body
    assert len(outbox.to(ada.email)) == 3


def test_interest_on_the_ladder_rings_the_teams_and_teachers_bell(client, login, make):
    """An employer's interest: the team's students and their teacher see it under the bell."""
    classroom = make.classroom()
    ava, leo = make.student(classroom), make.student(classroom)
    team = make.team(classroom, members=[ava, leo])
    project = make.project(team, status=ProjectStatus.PUBLISHED, title="CheckIn Buddy")
    employer = make.employer(make.organisation(name="Acme", verified_by=[classroom.school]))
    login(employer)
    client.post(f"/projects/{project.id}/interest", data={"note": "We'd love to help."})
    for person in (ava, leo, classroom.teacher):
        [note] = notes_of(person)
        assert note.subject == "Acme is interested in CheckIn Buddy"
        assert note.link.startswith("/engagements/")
        login_as(client, person)
        assert 'aria-label="Notifications, 1 unread"' in text_of(client.get("/dashboard"))
        assert "Acme is interested in CheckIn Buddy" in text_of(client.get("/notifications"))
    assert notes_of(employer) == []  # never the one who acted
