"""A placement once it runs: the supervisor's evaluations on the school's rubric (by link and by
account), the student's reflection and rating (shared with the organisation only as an average
over several students), site visits, completing it (on its record, or by the teacher's decision
with a reason), the certificate, the endorsement, and the engagement's rung following."""

from __future__ import annotations

import io
from datetime import date, time, timedelta

import pypdfium2 as pdfium
import pytest
import sqlalchemy as sa

from marketplace import clock
from marketplace.engagements import ladder
from marketplace.extensions import db
from marketplace.models import (
    Completion,
    Engagement,
    EngagementStatus,
    Evaluation,
    EvaluationKind,
    Notification,
    Placement,
    PlacementStatus,
    SiteVisit,
    User,
)
from marketplace.placements import completion, evaluations, hours, records
from marketplace.placements.plans import DEFAULT_RUBRIC
from marketplace.placements.records import AlreadyDone, PlacementError

from .helpers import field_errors, flashes, text_of, words
from .racing import race
from .test_placement_hours import _week_logged, signed
from .test_placements import SUPERVISOR, placed


def all_levels(skills, level: int = 3) -> dict[str, str]:
    return {f"skill_{i}": str(level) for i in range(len(skills))}


def evaluated_by_link(w, client, outbox, kind=EvaluationKind.FINAL) -> str:
    evaluations.ask(w["placement"], kind, w["teacher"])
    db.session.commit()
    path = outbox.last_link(SUPERVISOR, "/p/evaluate/")
    data = {
        **all_levels(DEFAULT_RUBRIC),
        "skill_0": "4",
        "evaluator_name": "Sam Ortiz",
        "strengths": "Calm with patients.",
    }
    response = client.post(path, data=data)
    assert response.status_code == 200, text_of(response)
    return path


def verified_week(w, client, outbox) -> None:
    day = _week_logged(w)
    hours.ask_verification(w["placement"], day)
    db.session.commit()
    client.post(outbox.last_link(SUPERVISOR, "/p/verify/"), data={"verifier": "Sam Ortiz"})


def test_the_supervisor_evaluates_by_link_once_on_the_schools_rubric(make, client, outbox):
    w = signed(make, age=16)
    evaluations.ask(w["placement"], EvaluationKind.MIDPOINT, w["teacher"])
    db.session.commit()
    path = outbox.last_link(SUPERVISOR, "/p/evaluate/")
    page = text_of(client.get(path))
    assert "Maya L.'s midpoint evaluation" in page and "Lopez" not in page
    assert all(skill in page for skill in DEFAULT_RUBRIC)
    # One skill left out: the form says which, and keeps what was chosen.
    partial = {**all_levels(DEFAULT_RUBRIC[:-1]), "skill_0": "4", "evaluator_name": "Sam Ortiz"}
    response = client.post(path, data=partial)
    assert response.status_code == 422
    assert field_errors(response) == [f"Choose a level for {DEFAULT_RUBRIC[-1]}."]
    assert 'checked id="skill_0-3"' in response.get_data(as_text=True)  # its "4" stays chosen
    assert db.session.query(Evaluation).count() == 0
    response = client.post(path, data={**partial, f"skill_{len(DEFAULT_RUBRIC) - 1}": "2"})
    assert response.status_code == 200 and "Thank you" in text_of(response)
    evaluation = db.session.scalars(sa.select(Evaluation)).one()
    assert evaluation.kind is EvaluationKind.MIDPOINT and evaluation.link_id is not None
    assert evaluation.scores[DEFAULT_RUBRIC[0]] == 4 and evaluation.scores[DEFAULT_RUBRIC[-1]] == 2
    assert client.get(path).status_code == 410  # once
    with pytest.raises(AlreadyDone):
        evaluations.ask(w["placement"], EvaluationKind.MIDPOINT, w["teacher"])


def test_a_school_with_its_own_rubric_scores_its_own_skills(make, client, outbox):
    w = signed(make, age=19)
    w["school"].rubric = ["Safety habits", "Customer care", "Punctuality"]
    db.session.commit()
    evaluations.ask(w["placement"], EvaluationKind.FINAL)
    db.session.commit()
    path = outbox.last_link(SUPERVISOR, "/p/evaluate/")
    assert "Customer care" in text_of(client.get(path))
    client.post(path, data={**all_levels(range(3), 4), "evaluator_name": "Sam Ortiz"})
    scores = db.session.scalars(sa.select(Evaluation)).one().scores
    assert scores == {"Safety habits": 4, "Customer care": 4, "Punctuality": 4}


def test_the_supervisor_with_an_account_evaluates_in_the_app(make, client, login):
    w = signed(make, age=19)
    supervisor = make.employer(w["org"], first_name="Sam", last_name="Ortiz", email=SUPERVISOR)
    url = f"/placements/{w['placement'].id}/evaluations/final"
    for who in (w["employer"], w["maya"]):  # another member of the organisation; the student
        login(who)
        assert client.get(url).status_code == 403
    login(supervisor)
    assert "Give the final evaluation" in text_of(client.get(f"/placements/{w['placement'].id}"))
    response = client.post(url, data={**all_levels(DEFAULT_RUBRIC), "evaluator_name": "Sam O."})
    assert response.status_code == 303
    evaluation = db.session.scalars(sa.select(Evaluation)).one()
    assert (evaluation.user_id, evaluation.kind) == (supervisor.id, EvaluationKind.FINAL)
    assert client.get(f"/placements/{w['placement'].id}/evaluations/later").status_code == 404


def test_no_evaluation_before_the_agreement_is_signed(make):
    w = placed(make)
    with pytest.raises(PlacementError, match="under way"):
        evaluations.ask(w["placement"], EvaluationKind.MIDPOINT)


def test_the_evaluations_fall_due_at_the_middle_and_the_end(make):
    w = signed(make, age=19)
    p = w["placement"]
    assert (
        evaluations.due_on(p, EvaluationKind.MIDPOINT)
        == p.start_date + (p.end_date - p.start_date) / 2
    )
    assert evaluations.due(p, p.start_date) == []
    assert evaluations.due(p, p.end_date) == [EvaluationKind.MIDPOINT, EvaluationKind.FINAL]


def test_the_student_reflects_and_rates_and_the_organisation_sees_only_an_average(
    make, client, login
):
    w = signed(make, age=19)
    url = f"/placements/{w['placement'].id}"
    login(w["maya"])
    bad = client.post(f"{url}/reflection", data={"reflection": "Great", "rating": "9"})
    assert bad.status_code == 422 and "Great" in bad.get_data(as_text=True)
    response = client.post(
        f"{url}/reflection",
        data={"reflection": "I learned triage.", "rating": "4", "rating_comment": "Busy days"},
    )
    assert response.status_code == 303
    assert (w["placement"].rating, w["placement"].reflection) == (4, "I learned triage.")
    login(w["teacher"])
    assert "I learned triage." in text_of(client.get(url)) and "4 of 5" in text_of(client.get(url))
    login(w["employer"])
    host_page = text_of(client.get(url))
    assert "I learned triage." not in host_page and "4 of 5" not in host_page
    assert client.post(f"{url}/reflection", data={"rating": "1"}).status_code == 403
    assert client.post(f"{url}/reflection", data={"rating": "1"}).status_code == 403


def test_ratings_reach_the_organisation_as_an_average_three_completed_placements_at_a_time(
    make,
):
    w = signed(make, age=19)
    placements = [w["placement"]]
    for _ in range(3):
        other = make.student(w["classroom"], age=18)
        twin = Placement(
            **{
                c: getattr(w["placement"], c)
                for c in ("offer_id", "engagement_id", "organisation_id", "school_id")
            },
            coordinator_id=w["teacher"].id,
            student_id=other.id,
            rung=w["placement"].rung,
            start_date=w["placement"].start_date,
            status=PlacementStatus.ACTIVE,
        )
        db.session.add(twin)
        placements.append(twin)
    db.session.flush()
    summary = evaluations.rating_summary
    for placement, rating in zip(placements, (5, 4, 3, 1), strict=True):
        placement.rating = rating
    db.session.flush()
    assert summary(w["org"].id).average is None  # rated, but none completed yet
    for placement in placements[:2]:
        completion.complete(placement, w["teacher"], "Timesheets kept on paper by the clinic.")
    assert summary(w["org"].id) == evaluations.RatingSummary(0, None)  # two: too few
    completion.complete(placements[2], w["teacher"], "Timesheets kept on paper by the clinic.")
    assert summary(w["org"].id) == evaluations.RatingSummary(3, 4.0)
    # A fourth does not move the average on its own (it would tell that student's rating).
    completion.complete(placements[3], w["teacher"], "Timesheets kept on paper by the clinic.")
    assert summary(w["org"].id) == evaluations.RatingSummary(3, 4.0)
    # Nor can a rating change once its placement completed.
    with pytest.raises(PlacementError, match="kept as it was"):
        evaluations.reflect(placements[0], placements[0].student, "", 1, "", False)


def test_site_visits_are_logged_by_the_school_against_its_target(make, client, login):
    w = signed(make, age=19)
    url = f"/placements/{w['placement'].id}"
    today = clock.school_today(w["school"])
    login(w["maya"])
    assert client.post(f"{url}/visits", data={"visited_on": today.isoformat()}).status_code == 403
    login(w["teacher"])
    future = (today + timedelta(days=3)).isoformat()
    response = client.post(
        f"{url}/visits", data={"visited_on": future, "mode": "in person", "notes": "Met Sam"}
    )
    assert response.status_code == 422 and "once it has happened" in text_of(response)
    assert "Met Sam" in response.get_data(as_text=True)  # kept
    client.post(f"{url}/visits", data={"visited_on": today.isoformat(), "mode": "video call"})
    assert db.session.query(SiteVisit).count() == 1
    assert "1 of 2 planned visits" in text_of(client.get(url))


def test_completing_needs_the_record_or_the_teachers_reason(make, client, login):
    w = signed(make, age=19)
    url = f"/placements/{w['placement'].id}"
    login(w["teacher"])
    page = text_of(client.get(url))
    assert "No hours are verified yet." in page and "final evaluation is not in" in page
    response = client.post(f"{url}/complete", data={})
    assert response.status_code == 422
    assert "To complete it anyway, give the reason" in " ".join(field_errors(response))
    assert w["placement"].status is PlacementStatus.ACTIVE
    reason = "Hours were kept on the clinic's paper timesheets."
    assert client.post(f"{url}/complete", data={"override_reason": reason}).status_code == 303
    db.session.expire_all()
    p = w["placement"]
    assert p.status is PlacementStatus.COMPLETED and p.override_reason == reason
    assert p.certificate_key
    assert flashes(client.get(url)) == ["Completed. The certificate is in the student's portfolio."]
    with pytest.raises(AlreadyDone):
        completion.complete(p, w["teacher"], reason)


def test_completing_on_the_record_makes_the_certificate_and_completes_the_rung(
    make, client, login, outbox
):
    w = signed(make, age=16)
    p = w["placement"]
    verified_week(w, client, outbox)
    records.change_terms(p, w["teacher"], {"expected_hours": 3})
    make.signatures(p)  # the change reopened the signatures: everyone signs again
    evaluated_by_link(w, client, outbox)
    db.session.commit()
    assert completion.problems(p) == []
    login(w["maya"])
    client.post(
        f"/placements/{p.id}/reflection",
        data={"reflection": "Busy and good.", "rating": "5", "show_endorsement": "y"},
    )
    login(w["teacher"])
    assert client.post(f"/placements/{p.id}/complete", data={}).status_code == 303
    db.session.expire_all()
    assert p.status is PlacementStatus.COMPLETED and p.override_reason == ""
    engagement = w["engagement"]
    assert engagement.completion is Completion.CONFIRMED
    assert engagement.status is EngagementStatus.COMPLETED  # the internship was the last rung
    # The certificate: the student's and the school's, with the record's facts.
    login(w["maya"])
    portfolio = words(client.get("/portfolio"))
    assert "Internship at Harbor Health" in portfolio and "certificate (PDF)" in portfolio
    download = client.get(f"/placements/{p.id}/certificate.pdf")
    assert download.status_code == 303
    pdf = client.get(download.headers["Location"])
    text = "".join(
        page.get_textpage().get_text_range() for page in pdfium.PdfDocument(io.BytesIO(pdf.data))
    )
    for fact in ("Maya Lopez", "Harbor Health", "internship", "Verified hours\r\n3", "Exceeds"):
        assert fact in text, (fact, text)
    assert DEFAULT_RUBRIC[0] in text
    login(w["employer"])
    assert client.get(f"/placements/{p.id}/certificate.pdf").status_code == 403
    # The endorsement the student agreed to show is on the team's project, by public name.
    project_page = words(client.get(f"/projects/{w['project'].id}"))
    assert "Maya L. is endorsed by Harbor Health after internship" in project_page
    assert DEFAULT_RUBRIC[0] in project_page  # rated Exceeds: endorsed
    assert DEFAULT_RUBRIC[1] not in project_page  # Proficient: on the certificate only


def test_an_endorsement_the_student_keeps_private_is_not_shown(make, client, login):
    w = signed(make, age=19)
    completion.complete(w["placement"], w["teacher"], "Timesheets kept on paper by the clinic.")
    db.session.add(
        Evaluation(
            placement_id=w["placement"].id,
            kind=EvaluationKind.FINAL,
            scores={"Communication": 4},
            evaluator_name="Sam Ortiz",
        )
    )
    db.session.commit()
    login(w["employer"])
    assert "endorsed by" not in words(client.get(f"/projects/{w['project'].id}"))
    w["placement"].show_endorsement = True
    db.session.commit()
    assert "endorsed by Harbor Health" in words(client.get(f"/projects/{w['project'].id}"))


def test_the_engagement_waits_for_its_placements(make):
    w = signed(make, age=19)
    e = w["engagement"]
    with pytest.raises(ladder.LadderError, match="completes with the students' placements"):
        ladder.mark_complete(e, w["employer"])
    # Noah's placement of the same offer ends early: the rung still waits for Maya's.
    today = clock.school_today(w["school"])
    w["offer"].recipients.append(type(w["offer"].recipients[0])(student_id=w["noah"].id))
    db.session.flush()
    ladder.record_consent(w["offer"], w["teacher"], w["noah"], today, "signed form")
    ladder.accept(w["offer"], w["noah"], today)
    noah = next(p for p in records.placements_of(w["offer"]) if p.student_id == w["noah"].id)
    completion.end(noah, w["teacher"], "Noah moved to another school.")
    assert noah.status is PlacementStatus.ENDED and e.completion is Completion.OPEN
    completion.complete(w["placement"], w["teacher"], "Timesheets kept on paper by the clinic.")
    assert e.completion is Completion.CONFIRMED


def test_a_placement_that_only_ended_does_not_complete_the_rung(make):
    w = signed(make, age=19)
    completion.end(w["placement"], w["teacher"], "The clinic closed its front desk.")
    assert w["engagement"].completion is Completion.OPEN
    with pytest.raises(AlreadyDone):
        completion.end(w["placement"], w["teacher"], "Again")


def test_hours_and_evaluations_stop_once_the_placement_is_complete(make):
    w = signed(make, age=19)
    completion.complete(w["placement"], w["teacher"], "Timesheets kept on paper by the clinic.")
    with pytest.raises(PlacementError):
        hours.log(w["placement"], w["maya"], w["placement"].start_date, time(9), time(10), "x")
    with pytest.raises(PlacementError, match="under way"):
        evaluations.ask(w["placement"], EvaluationKind.FINAL)


def test_the_timeline_tells_the_placement_in_sentences(make, client, login):
    w = signed(make, age=19)
    completion.complete(w["placement"], w["teacher"], "Timesheets kept on paper by the clinic.")
    db.session.commit()
    login(w["teacher"])
    page = words(client.get(f"/engagements/{w['engagement'].id}"))
    assert "Maria Rivera completed the internship placement." in page
    # The rung's completion names the rung it completed, whatever the engagement is at later.
    assert "Maria Rivera confirmed the internship is complete." in page
    assert "placement completed" not in page  # never the state's name


def test_verified_hours_show_on_the_students_dashboard_and_the_teachers_ladder(
    make, client, login, outbox
):
    w = signed(make, age=19)
    verified_week(w, client, outbox)  # 3 hours
    login(w["maya"])
    dashboard = words(client.get("/dashboard"))
    assert "Internship at Harbor Health active 3.0 of 90 hours verified" in dashboard
    login(w["teacher"])
    ladder_page = words(client.get("/ladder"))
    assert "Maya Lopez Internship at Harbor Health active 3.0 of 90" in ladder_page
    login(w["employer"])
    assert 'href="/placements"' in text_of(client.get("/dashboard"))


def test_the_organisation_sees_its_rating_only_as_an_average_of_three(make, client, login):
    w = signed(make, age=19)
    w["placement"].rating = 2
    completion.complete(w["placement"], w["teacher"], "Timesheets kept on paper by the clinic.")
    db.session.commit()
    login(w["employer"])
    page = words(client.get("/placements"))
    assert "once three have completed and rated" in page and "2 of 5" not in page


def test_the_reasons_of_a_teachers_decision_stay_off_what_the_host_reads(make, client, login):
    w = signed(make, age=19)
    reason = "Maya was in hospital for two weeks."
    completion.complete(w["placement"], w["teacher"], reason)
    db.session.commit()
    login(w["employer"])
    for url in (f"/engagements/{w['engagement'].id}", f"/placements/{w['placement'].id}"):
        assert "hospital" not in text_of(client.get(url))
    told = db.session.scalars(
        sa.select(Notification.body).where(Notification.user_id == w["employer"].id)
    ).all()
    assert told and not any("hospital" in body for body in told)
    login(w["teacher"])
    assert reason in text_of(client.get(f"/placements/{w['placement'].id}"))


def test_a_placement_that_completed_takes_no_more_hours_or_evaluations_by_link(
    make, client, outbox
):
    w = signed(make, age=19)
    day = _week_logged(w)
    hours.ask_verification(w["placement"], day)
    evaluations.ask(w["placement"], EvaluationKind.FINAL)
    db.session.commit()
    verify = outbox.last_link(SUPERVISOR, "/p/verify/")
    evaluate = outbox.last_link(SUPERVISOR, "/p/evaluate/")
    completion.complete(w["placement"], w["teacher"], "Timesheets kept on paper by the clinic.")
    db.session.commit()
    assert client.post(verify, data={"verifier": "Sam Ortiz"}).status_code == 410
    assert client.get(evaluate).status_code == 410
    assert db.session.query(Evaluation).count() == 0


def test_a_rubric_changed_while_the_form_was_open_is_not_scored_against_other_skills(
    make, client, outbox
):
    w = signed(make, age=19)
    evaluations.ask(w["placement"], EvaluationKind.FINAL)
    db.session.commit()
    path = outbox.last_link(SUPERVISOR, "/p/evaluate/")
    drawn = text_of(client.get(path))
    rubric_hash = drawn.split('name="rubric_hash" type="hidden" value="')[1].split('"')[0]
    w["school"].rubric = list(reversed(DEFAULT_RUBRIC))  # the admin reorders the skills
    db.session.commit()
    response = client.post(
        path,
        data={
            **all_levels(DEFAULT_RUBRIC),
            "skill_0": "4",
            "evaluator_name": "Sam Ortiz",
            "rubric_hash": rubric_hash,
        },
    )
    assert response.status_code == 422
    assert "changed its evaluation skills while this form was open" in text_of(response)
    assert db.session.query(Evaluation).count() == 0


def test_an_evaluation_given_signed_in_withdraws_the_link_mailed_for_it(
    make, client, login, outbox
):
    w = signed(make, age=19)
    supervisor = make.employer(w["org"], first_name="Sam", last_name="Ortiz", email=SUPERVISOR)
    evaluations.ask(w["placement"], EvaluationKind.FINAL)
    db.session.commit()
    path = outbox.last_link(SUPERVISOR, "/p/evaluate/")
    login(supervisor)
    url = f"/placements/{w['placement'].id}/evaluations/final"
    client.post(url, data={**all_levels(DEFAULT_RUBRIC), "evaluator_name": "Sam Ortiz"})
    assert client.get(path).status_code == 410
    again = client.get(url)  # the form is not shown for an evaluation already given
    assert again.status_code == 303
    assert flashes(client.get(again.headers["Location"])) == [
        "The final evaluation is already given. Thank you."
    ]


def test_no_site_visit_is_logged_on_an_ended_placement(make):
    w = signed(make, age=19)
    completion.end(w["placement"], w["teacher"], "The clinic closed its front desk.")
    with pytest.raises(PlacementError, match="ended"):
        evaluations.log_visit(
            w["placement"], w["teacher"], w["placement"].start_date, "in person", "", date.max
        )


@pytest.mark.commits
def test_two_teachers_completing_the_last_two_placements_at_once_complete_the_rung(
    app_factory, make
):
    app = app_factory(SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 4, "max_overflow": 0})
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("races need PostgreSQL: set TEST_DATABASE_URL (SQLite serialises writers)")
        w = signed(make, age=19)
        maya = w["placement"]
        noah = Placement(
            **{
                c: getattr(maya, c)
                for c in (
                    "offer_id",
                    "engagement_id",
                    "organisation_id",
                    "school_id",
                    "coordinator_id",
                    "rung",
                    "start_date",
                    "end_date",
                    "terms_hash",
                )
            },
            student_id=w["noah"].id,
            status=PlacementStatus.ACTIVE,
        )
        db.session.add(noah)
        db.session.commit()
        ids = (maya.id, noah.id)
        teacher_id, engagement_id = w["teacher"].id, w["engagement"].id

    def complete(placement_id: int):
        return lambda: completion.complete(
            db.session.get_one(Placement, placement_id),
            db.session.get_one(User, teacher_id),
            "Timesheets kept on paper by the clinic.",
        )

    results = race(app, [complete(ids[0]), complete(ids[1])])
    with app.app_context():
        assert results == [None, None], results
        engagement = db.session.get_one(Engagement, engagement_id)
        assert engagement.completion is Completion.CONFIRMED
        assert engagement.status is EngagementStatus.COMPLETED
        db.session.remove()


def test_a_rung_whose_placements_all_ended_is_marked_complete_by_the_employer(make, client, login):
    w = signed(make, age=19)
    completion.end(w["placement"], w["teacher"], "The clinic closed its front desk.")
    db.session.commit()
    login(w["employer"])
    page = words(client.get(f"/engagements/{w['engagement'].id}"))
    assert "Mark the internship complete" in page
    assert "When the internship is done, the employer marks it complete." in page
    ladder.mark_complete(w["engagement"], w["employer"])  # the server agrees
