"""Challenges as teachers, students and employers use them."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from marketplace.challenges import services
from marketplace.extensions import db
from marketplace.models import (
    CHALLENGE_TRANSITIONS,
    AdoptionRequest,
    Challenge,
    ChallengeInterest,
    ChallengeStatus,
    OrganisationStatus,
    VerificationStatus,
)

from .helpers import field_errors, field_value, flashes, text_of

VALID = {
    "title": "Paper-free check-in for clinics",
    "statement": "Patients fill in **three** paper forms.\n\n<script>alert(1)</script>",
    "career_cluster": "Healthcare & Human Services",
    "skills": "User research, python, , USER RESEARCH",
    "deliverables": ["Slide deck", "Prototype demo"],
    "starts_on": "2027-01-10",
    "due_on": "2027-03-01",
}


def _only_challenge() -> Challenge:
    return db.session.scalars(sa.select(Challenge)).one()


def test_teacher_writes_a_draft_challenge(client, login, make):
    """A new challenge is a draft of the teacher's school, with tidy skills and safe Markdown."""
    teacher = make.teacher()
    login(teacher)
    response = client.post("/challenges/new", data=VALID)
    assert response.status_code == 303
    challenge = _only_challenge()
    assert challenge.status is ChallengeStatus.DRAFT
    assert challenge.school_id == teacher.school_id
    assert challenge.skills == ["user research", "python"]
    assert challenge.deliverables == ["Slide deck", "Prototype demo"]
    page = text_of(client.get(response.location))
    assert "<strong>three</strong>" in page
    assert "<script>alert(1)</script>" not in page


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"title": ""}, "title", "This field is required."),
        ({"career_cluster": "Space Piracy"}, "career_cluster", "Not a valid choice."),
        ({"due_on": "2027-01-01"}, "due_on", "The due date must be on or after the start date."),
        ({"deliverables": ["Interpretive dance"]}, "deliverables", "Choose among the deliverables"),
    ],
)
def test_wrong_challenge_form_shows_the_message_and_keeps_the_rest(
    client, login, make, change, field, message
):
    """Each wrong field is explained; what was typed elsewhere stays."""
    login(make.teacher())
    response = client.post("/challenges/new", data={**VALID, **change})
    assert response.status_code == 422
    assert any(message in error for error in field_errors(response))
    if field != "title":
        assert field_value(response, "title") == VALID["title"]
    assert db.session.scalar(sa.select(sa.func.count(Challenge.id))) == 0


def test_sponsor_can_be_a_prospect_nobody_asked_yet(client, login, make):
    """Naming a new prospect adds it to the school's network as the sponsor."""
    teacher = make.teacher()
    login(teacher)
    client.post("/challenges/new", data={**VALID, "new_prospect": "Harbor Dental"})
    challenge = _only_challenge()
    assert challenge.sponsor.name == "Harbor Dental"
    assert challenge.sponsor.status is OrganisationStatus.PROSPECT
    assert challenge.sponsor.partnership_with(teacher.school_id) is not None
    assert "prospect — not asked yet" in text_of(client.get(f"/challenges/{challenge.id}"))


def test_sponsor_from_another_schools_network_is_refused(client, login, make):
    """A forged sponsor id outside the school's network is refused with a message."""
    teacher = make.teacher()
    elsewhere = make.organisation(verified_by=[make.school()])
    login(teacher)
    response = client.post("/challenges/new", data={**VALID, "sponsor_id": str(elsewhere.id)})
    assert response.status_code == 422
    assert "Choose a sponsor from your school's partner network." in field_errors(response)


def test_teacher_edits_a_challenge(client, login, make):
    """The edit form shows the skills as typed text and saves changes."""
    challenge = make.challenge(skills=["cad", "welding"])
    login(challenge.created_by)
    assert field_value(client.get(f"/challenges/{challenge.id}/edit"), "skills") == "cad, welding"
    client.post(f"/challenges/{challenge.id}/edit", data={**VALID, "title": "New title"})
    assert challenge.title == "New title"


ALL_MOVES = [(a, b) for a in ChallengeStatus for b in ChallengeStatus if a is not b]


@pytest.mark.parametrize(("start", "to"), ALL_MOVES, ids=[f"{a}->{b}" for a, b in ALL_MOVES])
def test_transition_table_is_enforced(client, login, make, start, to):
    """Allowed moves happen; every other move is refused with a message."""
    challenge = make.challenge(status=start)
    login(challenge.created_by)
    if to is ChallengeStatus.DRAFT:
        assert client.post(f"/challenges/{challenge.id}/status/draft").status_code == 404
        return
    response = client.post(f"/challenges/{challenge.id}/status/{to.value}", follow_redirects=True)
    if to in CHALLENGE_TRANSITIONS[start]:
        assert challenge.status is to
        assert f"is {to.value}." in flashes(response)[0]
    else:
        assert challenge.status is start
        assert f"A {start.value} challenge cannot become {to.value}." in flashes(response)


def test_a_stale_transition_loses(make, app):
    """Two teachers acting on the same state: the second one is refused, not applied twice."""
    challenge = make.challenge(status=ChallengeStatus.OPEN)
    # Another request closes it; this one still holds the row as open.
    db.session.execute(
        sa.update(Challenge)
        .where(Challenge.id == challenge.id)
        .values(status=ChallengeStatus.CLOSED)
        .execution_options(synchronize_session=False)
    )
    assert challenge.status is ChallengeStatus.OPEN
    with pytest.raises(services.ChallengeError, match="a moment ago"):
        services.transition(challenge, challenge.created_by, ChallengeStatus.CLOSED)


def test_students_see_open_challenges_of_their_school_and_shared_ones(client, login, make):
    """Drafts and other schools' unshared challenges stay hidden from students."""
    student = make.student()
    school = student.school
    mine = make.challenge(school, title="Ours, open")
    make.challenge(school, title="Ours, draft", status=ChallengeStatus.DRAFT)
    make.challenge(title="Theirs, shared", shared=True)
    make.challenge(title="Theirs, private")
    login(student)
    page = text_of(client.get("/challenges"))
    assert "Ours, open" in page and "Theirs, shared" in page
    assert "Ours, draft" not in page and "Theirs, private" not in page
    assert client.get(f"/challenges/{mine.id}").status_code == 200


def test_employers_see_open_challenges_of_schools_that_verified_them(client, login, make):
    """An employer sees only what the schools that verified it have open."""
    school = make.school()
    employer = make.employer(make.organisation(verified_by=[school]))
    make.challenge(school, title="Verified school's")
    make.challenge(title="Another school's")
    make.challenge(school, title="Closed one", status=ChallengeStatus.CLOSED)
    login(employer)
    page = text_of(client.get("/challenges"))
    assert "Verified school&#39;s" in page or "Verified school's" in page
    assert "Another school" not in page and "Closed one" not in page


def test_unverified_employer_sees_no_challenge(client, login, make):
    """Before any school verifies the organisation, there is nothing to see, and the page
    says why."""
    school = make.school()
    challenge = make.challenge(school)
    login(make.employer(make.organisation(pending_with=[school])))
    page = text_of(client.get("/challenges"))
    assert f"Your organisation is awaiting verification by {school.name}; once verified" in page
    assert challenge.title not in page
    assert client.get(f"/challenges/{challenge.id}").status_code == 404


def test_employer_adopts_a_challenge_when_the_teacher_accepts(client, login, make, outbox):
    """Ask, get accepted, become the sponsor; both sides are told by e-mail."""
    school = make.school()
    challenge = make.challenge(school)
    organisation = make.organisation(verified_by=[school], name="Harbor Health")
    employer = make.employer(organisation)
    login(employer)
    response = client.post(
        f"/challenges/{challenge.id}/adopt",
        data={"message": "We can mentor."},
        follow_redirects=True,
    )
    assert "We asked the teacher." in flashes(response)[0]
    assert "You asked to adopt this challenge" in text_of(response)
    assert outbox.to(challenge.created_by.email)[-1]["Subject"].startswith("Harbor Health asks")
    again = client.post(f"/challenges/{challenge.id}/adopt", follow_redirects=True)
    assert "You asked to adopt this challenge" in text_of(again)

    request = db.session.scalars(sa.select(AdoptionRequest)).one()
    login(challenge.created_by)
    assert "We can mentor." in text_of(client.get(f"/challenges/{challenge.id}"))
    client.post(f"/challenges/adoptions/{request.id}/accept")
    assert challenge.sponsor_id == organisation.id
    assert request.status is VerificationStatus.VERIFIED
    assert "you are the sponsor" in outbox.to(employer.email)[-1]["Subject"]
    second = client.post(f"/challenges/adoptions/{request.id}/decline", follow_redirects=True)
    assert "Someone already answered this request." in flashes(second)
    assert challenge.sponsor_id == organisation.id


def test_a_sponsored_challenge_cannot_be_adopted(client, login, make):
    """Only unsponsored, open challenges take adoption requests."""
    school = make.school()
    sponsor = make.organisation(verified_by=[school])
    challenge = make.challenge(school, sponsor=sponsor)
    login(make.employer(make.organisation(verified_by=[school])))
    response = client.post(f"/challenges/{challenge.id}/adopt", follow_redirects=True)
    assert "This challenge cannot be adopted by your organisation." in flashes(response)
    assert db.session.scalar(sa.select(sa.func.count(AdoptionRequest.id))) == 0


def test_accepting_a_second_adoption_keeps_the_first_sponsor(client, login, make):
    """Two organisations asked; once one is the sponsor, the other cannot also become it."""
    school = make.school()
    challenge = make.challenge(school)
    first = make.adoption(challenge, make.organisation(verified_by=[school]))
    second = make.adoption(challenge, make.organisation(verified_by=[school]))
    login(challenge.created_by)
    client.post(f"/challenges/adoptions/{first.id}/accept")
    response = client.post(f"/challenges/adoptions/{second.id}/accept", follow_redirects=True)
    assert "This challenge already has a sponsor." in flashes(response)
    assert challenge.sponsor_id == first.organisation_id
    assert second.status is VerificationStatus.PENDING


def test_teacher_dashboard_points_to_waiting_adoption_requests(client, login, make):
    """A request to adopt shows up in the teacher's "what to do next"."""
    school = make.school()
    challenge = make.challenge(school)
    make.adoption(challenge, make.organisation(verified_by=[school]))
    login(challenge.created_by)
    page = text_of(client.get("/dashboard"))
    assert "1 employer request to adopt a challenge" in page
    assert f"/challenges/{challenge.id}" in page


def test_a_sponsor_never_asked_is_not_named_to_employers_or_students_until_it_agrees(
    client, login, make
):
    school = make.school()
    prospect = make.organisation(
        name="Keystone Builders", industry="Construction", status=OrganisationStatus.PROSPECT
    )
    challenge = make.challenge(school, sponsor=prospect)
    employer = make.employer(make.organisation(verified_by=[school]))
    student = make.student(make.classroom(make.teacher(school=school)))
    for reader in (employer, student):
        login(reader)
        for path in ("/challenges", f"/challenges/{challenge.id}"):
            page = text_of(client.get(path))
            assert "a local construction business" in page and "Keystone" not in page, path
    login(make.teacher(school=school))
    assert "Keystone Builders" in text_of(client.get(f"/challenges/{challenge.id}"))
    prospect.status = OrganisationStatus.ACTIVE  # it said yes: a partner now
    login(employer)
    assert "Keystone Builders" in text_of(client.get("/challenges"))


def test_archive_is_a_secondary_action_asked_twice(client, login, make):
    teacher = make.teacher()
    challenge = make.challenge(teacher.school, status=ChallengeStatus.CLOSED)
    login(teacher)
    page = text_of(client.get(f"/challenges/{challenge.id}"))
    confirm = page.split('<details class="confirm-archive">')[1].split("</details>")[0]
    assert "<summary" in confirm and "Archive…" in confirm and "Yes, archive it" in confirm
    before_it = page.split('<details class="confirm-archive">')[0].split("<h2>Workflow</h2>")[1]
    assert "archived" not in before_it  # no one-click Archive among the main buttons


# --- students' interest ------------------------------------------------------------------------


def test_students_say_they_would_like_a_challenge_teacher_sees_who_sponsor_how_many(
    client, login, make
):
    school = make.school()
    teacher = make.teacher(school=school)
    classroom = make.classroom(teacher, name="Period 3")
    ava, ben = (make.student(classroom, first_name=n, last_name="Kim") for n in ("Ava", "Ben"))
    sponsor = make.organisation(verified_by=[school], name="Harbor Health")
    challenge = make.challenge(school, sponsor=sponsor, author=teacher)
    for student in (ava, ben):
        login(student)
        response = client.post(f"/challenges/{challenge.id}/interest", data={"want": "yes"})
        assert response.status_code == 303
    client.post(f"/challenges/{challenge.id}/interest", data={"want": "yes"})  # twice: once
    assert "You'd like to work on this" in text_of(client.get(f"/challenges/{challenge.id}"))

    login(teacher)
    page = text_of(client.get(f"/challenges/{challenge.id}"))
    assert "2 students would like to work on this" in page and "Ava Kim" in page
    assert "Ben Kim" in text_of(client.get(f"/classes/{classroom.id}"))
    assert "2 students interested" in text_of(client.get("/challenges"))

    login(make.employer(sponsor))
    page = text_of(client.get(f"/challenges/{challenge.id}"))
    assert "2 students would like to work on this" in page
    assert "Ava" not in page and "Kim" not in page  # a count, never names

    login(make.employer(make.organisation(verified_by=[school])))  # not the sponsor
    assert "would like to work on this" not in text_of(client.get(f"/challenges/{challenge.id}"))


def test_a_student_takes_their_interest_back_and_only_open_challenges_take_it(client, login, make):
    school = make.school()
    classroom = make.classroom(make.teacher(school=school))
    student = make.student(classroom)
    challenge = make.challenge(school)
    closed = make.challenge(school, status=ChallengeStatus.CLOSED)
    login(student)
    client.post(f"/challenges/{challenge.id}/interest", data={"want": "yes"})
    client.post(f"/challenges/{challenge.id}/interest", data={"want": "no"})
    assert db.session.query(ChallengeInterest).count() == 0
    assert client.post(f"/challenges/{closed.id}/interest", data={"want": "yes"}).status_code in (
        403,
        404,
    )
    assert db.session.query(ChallengeInterest).count() == 0
