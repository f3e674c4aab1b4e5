"""Questions to the sponsor: teams working on a challenge ask (a quota per team), the sponsor
answers (or the teacher, for a prospect), every team of the challenge reads the answer, and
students' text passes the contact-detail check."""

from __future__ import annotations

import sqlalchemy as sa

from marketplace.extensions import db
from marketplace.models import (
    Notification,
    OrganisationStatus,
    ProjectStatus,
    QuestionState,
    SponsorQuestion,
    VerificationStatus,
)

from .helpers import field_errors, text_of


def scene(make, prospect: bool = False):
    school = make.school()
    teacher = make.teacher(school=school, first_name="Maria", last_name="Rivera")
    classroom = make.classroom(teacher)
    ava = make.student(classroom, first_name="Ava", last_name="Martinez")
    ben = make.student(classroom, first_name="Ben", last_name="Okafor")
    outsider = make.student(classroom, first_name="Cy", last_name="Lee")
    owls, larks = (
        make.team(classroom, [ava], name="Owls"),
        make.team(classroom, [ben], name="Larks"),
    )
    make.team(classroom, [outsider], name="Wrens")  # no project for the challenge
    if prospect:
        sponsor = make.organisation(name="Summit Builders", status=OrganisationStatus.PROSPECT)
        member = None
    else:
        sponsor = make.organisation(verified_by=[school], name="Harbor Health")
        member = make.employer(sponsor)
    challenge = make.challenge(school, sponsor=sponsor, author=teacher)
    make.project(owls, challenge)
    make.project(larks, challenge, ProjectStatus.PUBLISHED)
    return locals()


def ask(client, login, s, who, body):
    login(s[who])
    return client.post(f"/challenges/{s['challenge'].id}/questions", data={"body": body})


def told(user, kind: str) -> list[Notification]:
    return list(db.session.scalars(sa.select(Notification).filter_by(user_id=user.id, kind=kind)))


def test_a_team_asks_the_sponsor_answers_and_every_team_reads_it(client, login, make):
    s = scene(make)
    response = ask(client, login, s, "ava", "How many patients check in each morning?")
    assert response.status_code == 303
    question = db.session.scalar(sa.select(SponsorQuestion))
    assert question.state is QuestionState.OPEN
    assert told(s["member"], "question")  # the sponsor hears of it

    login(s["member"])
    page = text_of(client.get(f"/challenges/{s['challenge'].id}"))
    assert "Team Owls" in page and "How many patients" in page
    assert "Ava" not in page and "Martinez" not in page  # a team, never its students
    response = client.post(
        f"/challenges/questions/{question.id}/answer", data={"answer": "About forty, 8 to 10am."}
    )
    assert response.status_code == 303
    assert question.state is QuestionState.ANSWERED
    assert told(s["ben"], "question_answered")  # the other team of the challenge too
    assert not told(s["outsider"], "question_answered")

    login(s["ben"])
    page = text_of(client.get(f"/challenges/{s['challenge'].id}"))
    assert "How many patients" in page and "About forty, 8 to 10am." in page


def test_each_team_has_a_quota_and_a_refused_question_keeps_its_text(client, login, make):
    s = scene(make)
    s["challenge"].question_quota = 2
    for n in range(2):
        assert ask(client, login, s, "ava", f"Question {n}?").status_code == 303
    refused = ask(client, login, s, "ava", "A third one, kept as typed?")
    assert refused.status_code == 422
    assert any("asked its 2 questions" in e for e in field_errors(refused))
    assert "A third one, kept as typed?" in text_of(refused)
    assert ask(client, login, s, "ben", "The Larks ask theirs?").status_code == 303


def test_a_question_with_contact_details_waits_for_the_teacher(client, login, make):
    s = scene(make)
    assert ask(client, login, s, "ava", "Text me on 555 201 7788 about it").status_code == 303
    question = db.session.scalar(sa.select(SponsorQuestion))
    assert question.state is QuestionState.HELD
    assert told(s["teacher"], "question_held") and not told(s["member"], "question")
    login(s["member"])
    assert "555" not in text_of(client.get(f"/challenges/{s['challenge'].id}"))
    login(s["teacher"])
    assert client.post(f"/challenges/questions/{question.id}/reject").status_code == 303
    assert question.state is QuestionState.REJECTED


def test_a_prospect_sponsor_is_answered_for_by_the_teacher(client, login, make):
    s = scene(make, prospect=True)
    ask(client, login, s, "ava", "What do builders measure on site?")
    question = db.session.scalar(sa.select(SponsorQuestion))
    assert told(s["teacher"], "question")
    login(s["teacher"])
    page = text_of(client.get(f"/challenges/{s['challenge'].id}"))
    assert "on behalf of Summit Builders" in page
    response = client.post(
        f"/challenges/questions/{question.id}/answer", data={"answer": "Slope, and drainage."}
    )
    assert response.status_code == 303 and question.state is QuestionState.ANSWERED


def test_an_answer_with_contact_details_is_refused(client, login, make):
    s = scene(make)
    ask(client, login, s, "ava", "Can we visit?")
    question = db.session.scalar(sa.select(SponsorQuestion))
    login(s["member"])
    response = client.post(
        f"/challenges/questions/{question.id}/answer",
        data={"answer": "Sure, e-mail me at jordan@harborhealth.example"},
    )
    assert response.status_code == 422
    assert any("Students read every answer" in e for e in field_errors(response))
    assert question.state is QuestionState.OPEN


def test_only_teams_working_on_the_challenge_ask(client, login, make):
    s = scene(make)
    refused = ask(client, login, s, "outsider", "May we ask too?")
    assert refused.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count(SponsorQuestion.id))) == 0
    assert "Ask the sponsor" not in text_of(client.get(f"/challenges/{s['challenge'].id}"))


def test_the_sponsor_sees_unanswered_questions_on_the_dashboard(client, login, make):
    s = scene(make)
    ask(client, login, s, "ava", "Which clinics would test it?")
    login(s["member"])
    page = text_of(client.get("/dashboard"))
    assert "Questions from student teams (1)" in page and "Which clinics would test it?" in page


def test_a_declined_sponsor_no_longer_answers_nor_sees_the_questions(client, login, make):
    s = scene(make)
    ask(client, login, s, "ava", "Which clinics would test it?")
    question = db.session.scalar(sa.select(SponsorQuestion))
    s["sponsor"].partnership_with(s["school"].id).status = VerificationStatus.DECLINED
    login(s["member"])
    response = client.post(f"/challenges/questions/{question.id}/answer", data={"answer": "Hi"})
    assert response.status_code == 404 and question.state is QuestionState.OPEN
    assert "Questions from student teams" not in text_of(client.get("/dashboard"))


def test_a_held_question_is_checked_once_by_the_teams_own_school(client, login, make):
    s = scene(make)
    s["challenge"].shared = True
    other_school = make.school()
    their_teacher = make.teacher(school=other_school)
    classroom = make.classroom(their_teacher)
    dee = make.student(classroom, first_name="Dee", last_name="Quinn")
    make.project(make.team(classroom, [dee], name="Finches"), s["challenge"])
    ask(client, login, s, "ava", "ok")  # keep the scene's own flow working
    login(dee)
    client.post(f"/challenges/{s['challenge'].id}/questions", data={"body": "Text 555 201 7788"})
    held = db.session.scalar(sa.select(SponsorQuestion).filter_by(state=QuestionState.HELD))
    login(s["teacher"])  # the challenge's school, not the student's
    assert client.post(f"/challenges/questions/{held.id}/release").status_code in (403, 404)
    assert "Quinn" not in text_of(client.get(f"/challenges/{s['challenge'].id}"))
    login(their_teacher)
    assert client.post(f"/challenges/questions/{held.id}/release").status_code == 303
    again = client.post(f"/challenges/questions/{held.id}/reject", follow_redirects=True)
    assert "already checked" in text_of(again) and held.state is QuestionState.OPEN
