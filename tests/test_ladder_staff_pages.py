"""The team's offers page, the teacher's approval queue and the school-wide ladder, as their
users see them (the background-check and settings pages: tests/test_ladder_school_admin.py)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from marketplace import clock
from marketplace.dashboard import staff as dashboard_staff
from marketplace.engagements import queues, rules
from marketplace.extensions import db
from marketplace.models import (
    Answer,
    Completion,
    EngagementStatus,
    GuardianConsent,
    OfferAnswer,
    OfferRecipient,
    OfferStatus,
    ProjectStatus,
    Rung,
    utcnow,
)

from .conftest import shared_world
from .helpers import field_errors, field_value, flashes, school_today, shown_day, text_of

TODAY = school_today()


def build_w(make):
    """One school with two classes of two teachers, an engaged team in each, and another
    school's engagement that must never show."""
    school = make.school("Riverside High")
    teacher = make.teacher(school=school, first_name="Rita")
    classroom = make.classroom(teacher, name="Design 101")
    ava = make.student(classroom, age=17, first_name="Ava", last_name="Moreno")
    ben = make.student(classroom, age=19, first_name="Ben", last_name="Okafor")
    team = make.team(classroom, [ava, ben], name="Pixel Pioneers")
    challenge = make.challenge(author=teacher, career_cluster="Digital Technology")
    project = make.project(team, challenge, ProjectStatus.PUBLISHED, title="Clinic check-in")
    organisation = make.organisation(verified_by=[school], name="Harbor Health")
    employer = make.employer(organisation, first_name="Erin", last_name="Lopez")
    engagement = make.engagement(project, employer)

    colleague = make.teacher(school=school)
    class_2 = make.classroom(colleague, name="Robotics")
    cara = make.student(class_2, first_name="Cara")
    team_2 = make.team(class_2, [cara], name="Gearheads")
    project_2 = make.project(
        team_2,
        make.challenge(author=colleague, career_cluster="Advanced Manufacturing"),
        ProjectStatus.PUBLISHED,
        title="Line balancer",
    )
    engagement_2 = make.engagement(project_2)

    elsewhere = make.engagement(make.project(status=ProjectStatus.PUBLISHED, title="Far away"))
    admin = make.school_admin(school=school)
    return locals()


w = shared_world(build_w, name="w")  # built once; each test rolled back


def offer_in(make, engagement, status=OfferStatus.APPROVED, **kw):
    return make.offer(engagement, status=status, **kw)


# --- the team view -----------------------------------------------------------------------------


def test_team_view_lists_the_teams_engagements_only(client, login, make, w):
    login(w["ava"])
    page = text_of(client.get("/my/engagements"))
    assert "Harbor Health" in page and "Clinic check-in" in page
    assert f'href="/engagements/{w["engagement"].id}"' in page
    assert "The employer can claim to mentor the team." in page  # the next step
    assert "Line balancer" not in page and "Far away" not in page
    assert "No offer is waiting for you" in page


def test_a_student_without_engagements_reads_an_encouraging_empty_page(client, login, make):
    login(make.student())
    page = text_of(client.get("/my/engagements"))
    assert "No employer has shown interest" in page
    assert "No offer is waiting for you" in page


def test_an_offer_waiting_for_the_teacher_shows_every_term_and_the_blocker(client, login, make, w):
    offer_in(
        make,
        w["engagement"],
        OfferStatus.PROPOSED,
        title="Junior UX mentee",
        remote=False,
        address="12 Harbor Road, Riverside",
        paid=True,
        amount=15,
        amount_unit="hour",
        paid_by="Harbor Health",
        student_needs="Photo ID and a bus pass",
        may_continue=True,
        details="Bring a laptop.",
    )
    login(w["ava"])
    page = text_of(client.get("/my/engagements"))
    for term in (
        "Junior UX mentee",
        "Mentorship",
        shown_day(TODAY + timedelta(days=14)),
        "1 day a week",
        "2 hours a week",
        "12 Harbor Road, Riverside",
        "15.00 per hour",
        "paid by Harbor Health",
        "Dr. Patel",
        "Photo ID and a bus pass",
        "Yes, it may continue",
        "Bring a laptop.",
        shown_day(TODAY + timedelta(days=7)),
    ):
        assert term in page, term
    assert "Waiting for the teacher&#39;s approval." in page
    assert 'name="confirm"' not in page
    assert "Decline the offer" not in page  # a proposed offer cannot be answered yet


def test_a_minor_sees_the_missing_consent_and_no_accept_button(client, login, make, w):
    offer_in(make, w["engagement"])
    login(w["ava"])
    page = text_of(client.get("/my/engagements"))
    assert "Waiting for your guardian&#39;s consent" in page
    assert 'name="confirm"' not in page
    assert "Decline the offer" in page


def give_consent(offer, student, teacher):
    """A guardian's consent, straight in the table."""
    db.session.add(
        GuardianConsent(
            offer_id=offer.id,
            student_id=student.id,
            given_on=school_today(),
            method="signed form",
            recorded_by_id=teacher.id,
        )
    )
    db.session.flush()
    db.session.expire(offer, ["consents"])


def test_an_eligible_adult_gets_the_accept_form(client, login, make, w):
    offer = offer_in(make, w["engagement"])
    give_consent(offer, w["ava"], w["teacher"])  # the whole team's minors have consent
    login(w["ben"])
    page = text_of(client.get("/my/engagements"))
    assert f'action="/offers/{offer.id}/accept"' in page
    assert 'name="confirm"' in page and 'name="next" value="/my/engagements"' in page
    assert "You cannot accept this offer yet" not in page


def test_a_student_too_young_for_the_rung_is_told_so(client, login, make, w):
    w["school"].min_age_job_shadowing = 18
    w["engagement"].rung = Rung.MENTORSHIP
    offer_in(make, w["engagement"], rung=Rung.JOB_SHADOWING)
    login(w["ava"])
    page = text_of(client.get("/my/engagements"))
    assert "Job shadowing is open to students aged 18 and over." in page
    assert 'name="confirm"' not in page


def test_drafts_and_offers_to_other_students_stay_out_of_the_team_view(client, login, make, w):
    offer_in(make, w["engagement"], OfferStatus.DRAFT, title="Secret draft")
    offer_in(
        make,
        w["engagement"],
        rung=Rung.JOB_SHADOWING,
        title="For Ben only",
        recipients=[OfferRecipient(student_id=w["ben"].id)],
    )
    login(w["ava"])
    page = text_of(client.get("/my/engagements"))
    assert "Secret draft" not in page and "For Ben only" not in page
    login(w["ben"])
    assert "For Ben only" in text_of(client.get("/my/engagements"))


def test_an_adult_cannot_accept_for_a_teammate_without_consent(client, login, make, w):
    offer_in(make, w["engagement"])
    login(w["ben"])
    page = text_of(client.get("/my/engagements"))
    assert "Waiting for the guardian&#39;s consent of Ava" in page
    assert 'name="confirm"' not in page


def test_accepting_from_the_team_view_climbs_and_comes_back(client, login, make, w):
    offer = offer_in(make, w["engagement"])
    give_consent(offer, w["ava"], w["teacher"])
    login(w["ben"])
    response = client.post(
        f"/offers/{offer.id}/accept", data={"confirm": "y", "next": "/my/engagements"}
    )
    assert response.status_code == 303 and response.location.endswith("/my/engagements")
    assert offer.status is OfferStatus.ACCEPTED and w["engagement"].rung is Rung.MENTORSHIP
    page = client.get("/my/engagements")
    assert any("Accepted" in m for m in flashes(page))


def test_declining_from_the_team_view(client, login, make, w):
    offer = offer_in(make, w["engagement"])
    login(w["ava"])
    response = client.post(
        f"/offers/{offer.id}/decline", data={"note": "Exams that month", "next": "/my/engagements"}
    )
    assert response.status_code == 303 and response.location.endswith("/my/engagements")
    assert offer.status is OfferStatus.DECLINED and offer.answer_note == "Exams that month"


def test_the_student_dashboard_counts_the_offers(client, login, make, w):
    offer_in(make, w["engagement"])
    login(w["ava"])
    page = text_of(client.get("/dashboard"))
    assert "1 offer from employers" in page and 'href="/my/engagements"' in page


# --- the approval queue -----------------------------------------------------------------------


def test_a_teacher_sees_the_offers_of_their_classes_only(client, login, make, w):
    mine = offer_in(make, w["engagement"], OfferStatus.PROPOSED, title="Mine to approve")
    offer_in(make, w["engagement_2"], OfferStatus.PROPOSED, title="A colleague's")
    offer_in(make, w["elsewhere"], OfferStatus.PROPOSED, title="Another school's")
    login(w["teacher"])
    page = text_of(client.get("/approvals"))
    assert "Mine to approve" in page and f'action="/offers/{mine.id}/approve"' in page
    assert "A colleague&#39;s" not in page and "Another school&#39;s" not in page


def test_a_school_admin_sees_the_whole_school_but_not_another(client, login, make, w):
    offer_in(make, w["engagement"], OfferStatus.PROPOSED, title="Mine to approve")
    offer_in(make, w["engagement_2"], OfferStatus.PROPOSED, title="A colleague's")
    offer_in(make, w["elsewhere"], OfferStatus.PROPOSED, title="Another school's")
    login(w["admin"])
    page = text_of(client.get("/approvals"))
    assert "Mine to approve" in page and "A colleague&#39;s" in page
    assert "Another school&#39;s" not in page


def test_an_empty_queue_says_so(client, login, make, w):
    login(w["teacher"])
    page = text_of(client.get("/approvals"))
    assert "All clear" in page and "No offer waits for you" in page


def test_approving_from_the_queue_comes_back_to_it(client, login, make, w):
    offer = offer_in(make, w["engagement"], OfferStatus.PROPOSED)
    login(w["teacher"])
    response = client.post(f"/offers/{offer.id}/approve", data={"next": "/approvals"})
    assert response.status_code == 303 and response.location.endswith("/approvals")
    assert offer.status is OfferStatus.APPROVED
    page = client.get("/approvals")
    assert flashes(page) and f'action="/offers/{offer.id}/approve"' not in text_of(page)


def test_a_gate_that_blocks_approval_is_explained_without_a_button(client, login, make, w):
    unchecked = make.engagement(w["engagement"].project, checked=False)
    offer = offer_in(make, unchecked, OfferStatus.PROPOSED)
    login(w["teacher"])
    page = text_of(client.get("/approvals"))
    assert "needs a background check" in page
    assert f'action="/offers/{offer.id}/approve"' not in page


def test_recording_consent_from_the_queue(client, login, make, w):
    offer = offer_in(make, w["engagement"], OfferStatus.PROPOSED)
    login(w["teacher"])
    page = text_of(client.get("/approvals"))
    form = re.search(rf'action="/offers/{offer.id}/consent".*?</form>', page, re.S).group(0)
    assert "Ava Moreno" in form and "Ben Okafor" not in form  # Ben is 19
    response = client.post(
        f"/offers/{offer.id}/consent",
        data={
            "student_id": w["ava"].id,
            "given_on": TODAY.isoformat(),
            "method": "signed form",
            "next": "/approvals",
        },
    )
    assert response.status_code == 303 and response.location.endswith("/approvals")
    assert db.session.query(GuardianConsent).filter_by(student_id=w["ava"].id).one()
    assert f'action="/offers/{offer.id}/consent"' not in text_of(client.get("/approvals"))


def test_a_consent_form_with_an_error_keeps_what_was_typed(client, login, make, w):
    offer = offer_in(make, w["engagement"], OfferStatus.PROPOSED)
    login(w["teacher"])
    response = client.post(
        f"/offers/{offer.id}/consent",
        data={
            "student_id": w["ava"].id,
            "given_on": (TODAY + timedelta(days=3)).isoformat(),
            "method": "signed form",
            "note": "Mum signed at parents' evening",
            "next": "/approvals",
        },
    )
    assert response.status_code == 422
    assert any("future" in error for error in field_errors(response))
    assert "Mum signed at parents&#39; evening" in text_of(response)
    assert field_value(response, "given_on") == (TODAY + timedelta(days=3)).isoformat()
    assert db.session.query(GuardianConsent).count() == 0


def test_allowing_a_skip_from_the_queue(client, login, make, w):
    offer = offer_in(make, w["engagement"], OfferStatus.DRAFT, rung=Rung.EXTERNSHIP)
    login(w["teacher"])
    page = text_of(client.get("/approvals"))
    assert f'action="/engagements/{w["engagement"].id}/skip"' in page
    assert "this offer jumps to <strong>externship</strong>" in page
    response = client.post(
        f"/engagements/{w['engagement'].id}/skip", data={"to": "externship", "next": "/approvals"}
    )
    assert response.status_code == 303 and response.location.endswith("/approvals")
    assert w["engagement"].skip_allowed_to is Rung.EXTERNSHIP
    assert offer.status is OfferStatus.DRAFT
    assert "/skip" not in text_of(client.get("/approvals")).split("</nav>")[1]


def test_confirming_a_completion_from_the_queue(client, login, make, w):
    engagement = w["engagement"]
    engagement.rung, engagement.completion = Rung.MENTORSHIP, Completion.MARKED
    login(w["teacher"])
    page = text_of(client.get("/approvals"))
    assert "Confirm the mentorship is complete" in page
    response = client.post(f"/engagements/{engagement.id}/confirm", data={"next": "/approvals"})
    assert response.status_code == 303 and response.location.endswith("/approvals")
    assert engagement.completion is Completion.CONFIRMED


def test_the_teacher_dashboard_counts_the_waiting_steps(client, login, make, w):
    offer_in(make, w["engagement"], OfferStatus.PROPOSED)
    login(w["teacher"])
    page = text_of(client.get("/dashboard"))
    # approval, and Ava's consent
    assert "2 ladder steps wait for your approval" in page


def _named(make, w, status, name):
    offer = offer_in(make, w["engagement"], status)
    db.session.add(OfferRecipient(offer=offer, student_id=w[name].id))


def _stepped_out(make, w, who):
    offer = offer_in(make, w["engagement"])
    db.session.add(OfferAnswer(offer=offer, student_id=w[who].id, answer=Answer.STEPPED_OUT))


def _consented(make, w):
    offer = offer_in(make, w["engagement"])
    db.session.add(
        GuardianConsent(offer=offer, student_id=w["ava"].id, given_on=TODAY, method="paper")
    )


def _born(make, w, who, days_after_adult):
    w[who].date_of_birth = rules.adult_born_by(clock.today_for(w["teacher"])) + timedelta(
        days=days_after_adult
    )
    offer_in(make, w["engagement"])


def _unknown_age(make, w):
    w["ben"].date_of_birth = None
    offer_in(make, w["engagement"], OfferStatus.PROPOSED)


def _skip(make, w, allowed):
    w["engagement"].skip_allowed_to = allowed
    offer_in(make, w["engagement"], OfferStatus.DRAFT, rung=Rung.EXTERNSHIP)


def _completion(make, w):
    w["engagement"].rung, w["engagement"].completion = Rung.MENTORSHIP, Completion.MARKED


def _colleagues(make, w):
    offer_in(make, w["engagement_2"], OfferStatus.PROPOSED)
    offer_in(make, w["elsewhere"], OfferStatus.PROPOSED)


def _closed(make, w):
    offer_in(make, w["engagement"], OfferStatus.PROPOSED)
    w["engagement"].status = EngagementStatus.CLOSED


@pytest.mark.parametrize(
    "arrange",
    [
        lambda make, w: offer_in(make, w["engagement"], OfferStatus.PROPOSED),
        lambda make, w: offer_in(make, w["engagement"], OfferStatus.ACCEPTED),
        lambda make, w: _named(make, w, OfferStatus.APPROVED, "ava"),
        lambda make, w: _named(make, w, OfferStatus.APPROVED, "ben"),
        lambda make, w: _named(make, w, OfferStatus.DRAFT, "ava"),
        lambda make, w: _stepped_out(make, w, "ava"),
        lambda make, w: _stepped_out(make, w, "ben"),
        _consented,
        lambda make, w: _born(make, w, "ava", 0),
        lambda make, w: _born(make, w, "ava", 1),
        _unknown_age,
        lambda make, w: _skip(make, w, None),
        lambda make, w: _skip(make, w, Rung.EXTERNSHIP),
        lambda make, w: _skip(make, w, Rung.JOB_SHADOWING),
        _completion,
        _colleagues,
        _closed,
    ],
    ids=[
        "proposed",
        "accepted",
        "named minor",
        "named adult",
        "named draft",
        "minor stepped out",
        "adult stepped out",
        "consented",
        "eighteen today",
        "eighteen tomorrow",
        "unknown age",
        "skip",
        "skip allowed",
        "skip allowed lower",
        "completion",
        "other classes",
        "closed",
    ],
)
def test_the_dashboards_ladder_count_is_the_approval_queues_total(make, w, arrange):
    """The dashboard counts in SQL what the queue works out from the offers it loads."""
    arrange(make, w)
    db.session.flush()
    for who in ("teacher", "colleague", "admin"):
        staff_member = w[who]
        today = clock.today_for(staff_member)
        expected = queues.approval_queue(staff_member, today).total
        assert dashboard_staff.for_staff(staff_member, today).ladder == expected, who


# --- the school-wide ladder -------------------------------------------------------------------


def test_the_ladder_counts_each_rung_and_puts_stalled_ones_first(client, login, make, w):
    w["engagement_2"].rung = Rung.MENTORSHIP
    w["engagement"].last_event_at = utcnow() - timedelta(days=30)
    ended = make.engagement(w["project"], status=EngagementStatus.CLOSED)
    login(w["teacher"])
    page = text_of(client.get("/ladder"))
    counts = dict(
        (label, int(n))
        for n, label in re.findall(r"<strong>(\d+)</strong> <small>([\w ]+)</small>", page)
    )
    assert counts == {
        "interest": 1,
        "mentorship": 1,
        "job shadowing": 0,
        "externship": 0,
        "internship": 0,
        "completed": 0,
        "closed": 1,
    }
    assert (
        page.index("Harbor Health")
        < page.index("Line balancer")
        < page.index(f'/engagements/{ended.id}"')
    )
    assert "stalled</span> The employer can claim to mentor the team." in page
    assert "Far away" not in page


def test_the_ladder_filters_by_class_cluster_and_organisation(client, login, make, w):
    login(w["admin"])
    by_class = text_of(client.get(f"/ladder?class={w['class_2'].id}"))
    assert "Line balancer" in by_class and "Clinic check-in" not in by_class
    by_cluster = text_of(client.get("/ladder?cluster=Digital+Technology"))
    assert "Clinic check-in" in by_cluster and "Line balancer" not in by_cluster
    by_org = text_of(client.get(f"/ladder?organisation={w['organisation'].id}"))
    assert "Clinic check-in" in by_org and "Line balancer" not in by_org
    assert "1 engagement match the filters" in by_org


def test_the_ladder_pages_by_fifty_keeping_its_filters(client, login, make, w):
    """Past fifty engagements the ladder has pages; the links keep the filters and swap the list
    in place; a page past the end shows the last one."""
    for n in range(50):
        project = make.project(w["team"], w["challenge"], ProjectStatus.PUBLISHED, title=f"P{n}")
        make.engagement(project, w["employer"])
    login(w["admin"])
    first = text_of(client.get(f"/ladder?class={w['classroom'].id}"))
    assert "Page 1 of 2" in first and first.count("<tr") == 51  # a header and fifty rows
    following = f"/ladder?class={w['classroom'].id}&amp;page=2"
    assert f'href="{following}" rel="next" hx-get="{following}"' in first
    last = text_of(client.get(f"/ladder?class={w['classroom'].id}&page=9"))
    assert "Page 2 of 2" in last and last.count("<tr") == 2  # the 51st: the world's own


def test_another_schools_ids_in_the_filters_are_ignored(client, login, make, w):
    login(w["teacher"])
    page = text_of(client.get(f"/ladder?organisation={w['elsewhere'].organisation_id}"))
    assert "Far away" not in page and "Clinic check-in" in page and "Line balancer" in page


def test_the_ladder_answers_htmx_with_the_fragment(client, login, make, w):
    login(w["teacher"])
    response = client.get(f"/ladder?class={w['classroom'].id}", headers={"HX-Request": "true"})
    fragment = text_of(response)
    assert "<html" not in fragment and "Clinic check-in" in fragment
    assert "Line balancer" not in fragment


def test_an_empty_ladder_invites_the_first_interest(client, login, make):
    teacher = make.teacher()
    login(teacher)
    assert "No employer has engaged with a project" in text_of(client.get("/ladder"))


def count_statements(app, client, url):
    """How many SQL statements one request runs (on a session's later pages, which read the
    nav's counts with the user)."""
    client.get(url)
    seen: list[str] = []

    def listen(conn, cursor, statement, *args):
        seen.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", listen)
    try:
        assert client.get(url).status_code == 200
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", listen)
    return len(seen)


def add_offers(make, w, n):
    for _ in range(n):
        project = make.project(w["team"], w["challenge"], ProjectStatus.PUBLISHED)
        offer_in(make, make.engagement(project, w["employer"]), OfferStatus.PROPOSED)


def test_the_ladder_runs_a_fixed_number_of_statements(app, client, login, make, w):
    login(w["admin"])
    add_offers(make, w, 1)
    few = count_statements(app, client, "/ladder")
    add_offers(make, w, 6)
    assert count_statements(app, client, "/ladder") == few


def test_the_approval_queue_runs_a_fixed_number_of_statements(app, client, login, make, w):
    """Everything the queue shows, the background-check gate included, is loaded with the
    offers."""
    login(w["admin"])
    add_offers(make, w, 1)
    few = count_statements(app, client, "/approvals")
    add_offers(make, w, 6)
    assert count_statements(app, client, "/approvals") == few


def test_what_waits_on_one_offer_sits_together_actions_first(client, login, make, w):
    """Approve, then a short consent form per minor, all in the offer's own article: recording
    three consents no longer means tabbing past every other pending item."""
    classroom = w["classroom"]
    minors = [make.student(classroom, age=15, first_name=n) for n in ("Dee", "Eli", "Fay")]
    team = make.team(classroom, minors, name="Trio")
    project = make.project(team, status=ProjectStatus.PUBLISHED, title="Trio app")
    offer = offer_in(make, make.engagement(project), OfferStatus.PROPOSED)
    other = offer_in(make, w["engagement"], OfferStatus.PROPOSED)
    login(w["teacher"])
    page = text_of(client.get("/approvals"))
    article = page.split(f'<article id="offer-{offer.id}"')[1].split("</article>")[0]
    approve = article.index(f'action="/offers/{offer.id}/approve"')
    consents = [article.index(f"Record consent for {m.first_name}") for m in minors]
    assert approve < consents[0] < consents[1] < consents[2]
    assert 'name="student_id" required' not in article  # no student to pick: each is named
    assert f"/offers/{other.id}/" not in article
    response = client.post(
        f"/offers/{offer.id}/consent",
        data={
            "student_id": minors[0].id,
            "given_on": TODAY.isoformat(),
            "method": "signed form",
            "next": f"/approvals#offer-{offer.id}",
        },
    )
    assert response.location.endswith(f"/approvals#offer-{offer.id}")  # back where they were
