"""Pitch event results: judges assigned to pitches, the organisers' leaderboard (raw and
normalised per judge, a judge set aside with a reason), pairwise judging, awards, each team's
feedback once released (comments through the contact-detail hold), the public page, and what
the event produced (interests become engagements or leads; the report)."""

from __future__ import annotations

import sqlalchemy as sa

from marketplace.extensions import db
from marketplace.models import (
    CommentStatus,
    Comparison,
    Engagement,
    EventAward,
    EventInterest,
    EventStatus,
    GuestRole,
    JudgeAssignment,
    JudgingMode,
    Notification,
    PresenterStatus,
    ProjectStatus,
    Rung,
)
from marketplace.pitch_events import guests, interests, judging, pairwise, results
from marketplace.pitch_events.services import move_event

from .helpers import field_errors, flashes, text_of, words


def _event(make, pitches: int = 3, status: EventStatus = EventStatus.LIVE, **kw):
    school = make.school()
    teacher = make.teacher(school=school)
    classroom = make.classroom(teacher)
    challenge = make.challenge(school, author=teacher)
    projects = [
        make.project(
            make.team(classroom, [make.student(classroom)]),
            challenge,
            ProjectStatus.PUBLISHED,
            title=f"Pitch {n}",
        )
        for n in range(1, pitches + 1)
    ]
    event = make.pitch_event(author=teacher, status=status, presenters=projects, **kw)
    return school, teacher, event


def _score(judge, presenter, value: int, comment: str = "") -> None:
    criteria = judging.rubric(judge.event)
    judging.judge(judge, presenter, {c.id: value for c in criteria}, comment)


def _judges(make, event, n: int):
    return [make.event_guest(event, GuestRole.JUDGE, name=f"Judge {k}") for k in range(n)]


# --- assignment ---------------------------------------------------------------------------------


def test_every_pitch_gets_its_judges_and_the_load_is_balanced(make):
    _school, _teacher, event = _event(make, pitches=7, min_judges=3)
    judges = _judges(make, event, 5)
    assert judging.assign(event) == 21
    rows = db.session.execute(sa.select(JudgeAssignment.guest_id, JudgeAssignment.presenter_id))
    pairs = list(rows)
    per_pitch = {p.id: sum(1 for _, q in pairs if q == p.id) for p in event.presenters}
    per_judge = [sum(1 for g, _ in pairs if g == j.id) for j in judges]
    assert set(per_pitch.values()) == {3}
    assert max(per_judge) - min(per_judge) <= 1  # 21 over 5: 4 or 5 each
    assert judging.assign(event) == 0  # again: nothing twice
    # A judge invited later takes pitches only where some are missing; a new minimum fills up.
    _judges(make, event, 1)
    event.min_judges = 4
    assert judging.assign(event) == 7
    assert len(db.session.scalars(sa.select(JudgeAssignment)).all()) == 28


def test_with_fewer_judges_than_the_minimum_every_judge_takes_every_pitch(make):
    _school, _teacher, event = _event(make, pitches=3, min_judges=3)
    [only] = _judges(make, event, 1)
    assert judging.assign(event) == 3
    assert judging.assigned_to(only) == {p.id for p in event.presenters}


def test_going_live_assigns_and_the_judge_sees_their_pitches_first(client, make, login):
    _school, teacher, event = _event(make, pitches=4, status=EventStatus.PUBLISHED, min_judges=1)
    judges = _judges(make, event, 2)
    move_event(event, EventStatus.LIVE, teacher)
    db.session.commit()
    page = words(client.get(f"/events/judge/{judging.judge_token(judges[0])}"))
    assert "Your pitches 0 of 2 scored" in page
    assert "Other pitches" in page


# --- the leaderboard ------------------------------------------------------------------------------


def test_a_strict_judge_and_a_generous_one_count_the_same_once_normalised(make):
    _school, _teacher, event = _event(make, pitches=3)
    strict, generous = _judges(make, event, 2)
    a, b, c = event.presenters
    # The strict judge: a 3, b 2, c 1. The generous judge: c 5, a 4, b 4 (c is their best).
    for judge, values in ((strict, (3, 2, 1)), (generous, (4, 4, 5))):
        for presenter, value in zip((a, b, c), values, strict=True):
            _score(judge, presenter, value)
    board = results.results(event)
    by_title = {s.presenter.project.title: s for s in board.standings}
    # Raw, the generous judge's 5 lifts c above b; normalised, each judge's order counts alike.
    assert by_title["Pitch 3"].raw == 3.0 and by_title["Pitch 2"].raw == 3.0
    assert by_title["Pitch 1"].raw == 3.5
    assert board.standings[0].presenter.project.title == "Pitch 1"
    assert all(0.5 <= s.normalised <= 5.5 for s in board.standings)
    assert by_title["Pitch 1"].rank == 1
    lines = {line.guest.name: line.mean for line in board.judges}
    assert lines["Judge 0"] == 2.0 and lines["Judge 1"] < 4.34


def test_a_judge_set_aside_with_a_reason_no_longer_counts(client, make, login):
    _school, teacher, event = _event(make, pitches=2)
    fair, odd = _judges(make, event, 2)
    a, b = event.presenters
    _score(fair, a, 4)
    _score(fair, b, 2)
    _score(odd, a, 1)
    _score(odd, b, 5)
    db.session.commit()
    login(teacher)
    refused = client.post(f"/events/guests/{odd.id}/set-aside", data={"reason": " "})
    assert refused.status_code == 422 and "Say why." in refused.text
    too_long = client.post(f"/events/guests/{odd.id}/set-aside", data={"reason": "x" * 301})
    assert too_long.status_code == 422 and 'value="' + "x" * 301 in too_long.text  # kept
    assert db.session.get(type(odd), odd.id).excluded_at is None
    client.post(f"/events/guests/{odd.id}/set-aside", data={"reason": "Judged a relative's team."})
    board = results.results(event)
    assert [s.presenter.project.title for s in board.standings] == ["Pitch 1", "Pitch 2"]
    assert board.standings[0].raw == 4.0 and board.standings[0].judges == 1
    page = words(client.get(f"/events/{event.id}/results"))
    assert "Set aside: “Judged a relative's team.”" in page
    client.post(f"/events/guests/{odd.id}/count-again")
    assert results.results(event).standings[0].judges == 2


def test_the_leaderboard_is_the_organisers_and_refreshes_itself_while_live(client, make, login):
    school, teacher, event = _event(make, pitches=2)
    [judge] = _judges(make, event, 1)
    _score(judge, event.presenters[1], 5)
    db.session.commit()
    login(teacher)
    page = client.get(f"/events/{event.id}/results")
    assert 'hx-trigger="every 5s"' in page.text
    partial = client.get(f"/events/{event.id}/results", headers={"HX-Request": "true"})
    assert partial.text.lstrip().startswith("{#") is False
    assert 'id="leaderboard"' in partial.text and "<html" not in partial.text
    assert "Pitch 2" in text_of(partial).split("Pitch 1")[0]  # ranked first
    colleague = make.teacher(school=school)
    student = event.presenters[0].project.team.memberships[0].student
    login(student)
    assert client.get(f"/events/{event.id}/results").status_code in (403, 404)
    login(colleague)
    assert client.get(f"/events/{event.id}/results").status_code == 200  # same school's staff


# --- pairwise ---------------------------------------------------------------------------------


def test_pairwise_judging_walks_the_judge_and_counts_an_answer_once(client, make):
    _school, _teacher, event = _event(make, pitches=4, judging_mode=JudgingMode.PAIRWISE)
    [judge] = _judges(make, event, 1)
    db.session.commit()
    link = f"/events/judge/{judging.judge_token(judge)}"
    assert "Send me to my first pitch" in text_of(client.get(link))
    client.post(f"{link}/next/0")
    client.post(f"{link}/next/0")  # the same click twice: one step
    db.session.refresh(judge)
    first = judge.visiting_id
    assert first is not None and judge.previous_id is None
    # Before the first comparison the judge only moves on.
    assert "I've heard it: the next pitch" in words(client.get(link))
    client.post(f"{link}/next/{first}")
    client.post(f"{link}/next/{first}")
    db.session.refresh(judge)
    second = judge.visiting_id
    assert judge.previous_id == first and second not in (None, first)
    page = text_of(client.get(link))
    assert "which was better?" in page
    answer = client.post(f"{link}/compare/0/{first}/{second}/{second}", follow_redirects=True)
    assert "Thank you: on to the next pitch." in flashes(answer)
    again = client.post(f"{link}/compare/0/{first}/{second}/{second}", follow_redirects=True)
    assert "That answer was given already (or you had moved on): nothing changed." in flashes(again)
    [comparison] = db.session.scalars(sa.select(Comparison)).all()
    assert (comparison.winner_id, comparison.loser_id) == (second, first)
    db.session.refresh(judge)
    assert judge.compared == 1 and judge.previous_id == second
    assert judge.visiting_id not in (None, first, second)  # a pitch they have not seen
    board = results.results(event)
    assert board.standings[0].presenter.id == second and board.standings[0].rank == 1
    assert [line.reliability is not None for line in board.judges] == [True]


def test_a_pairwise_answer_must_be_one_of_the_two_pitches_seen(client, make):
    _school, _teacher, event = _event(make, pitches=3, judging_mode=JudgingMode.PAIRWISE)
    [judge] = _judges(make, event, 1)
    pairwise.advance(judge, 0)
    db.session.refresh(judge)
    pairwise.advance(judge, judge.visiting_id)
    db.session.commit()
    db.session.refresh(judge)
    seen = (judge.visiting_id, judge.previous_id)
    other = next(p.id for p in event.presenters if p.id not in seen)
    link = f"/events/judge/{judging.judge_token(judge)}"
    before, at = judge.previous_id, judge.visiting_id
    refused = client.post(f"{link}/compare/0/{before}/{at}/{other}", follow_redirects=True)
    assert "Compare the two pitches you saw last." in flashes(refused)
    # Sent elsewhere (the pitch could not be seen), an answer from the old page is not counted
    # against the new pitch: it names the pair it was about.
    client.post(f"{link}/skip/{at}")
    client.post(f"{link}/skip/{at}")  # twice: moved once
    db.session.refresh(judge)
    assert judge.visiting_id == other and judge.previous_id == before
    stale = client.post(f"{link}/compare/0/{before}/{at}/{before}", follow_redirects=True)
    assert "That answer was given already (or you had moved on): nothing changed." in flashes(stale)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Comparison)) == 0


def test_the_way_of_judging_is_kept_once_live(client, make, login):
    _school, teacher, event = _event(make, pitches=1)
    login(teacher)
    form = client.get(f"/events/{event.id}/edit").text
    assert 'value="pairwise"' in form
    from .routes import EVENT_FORM

    changed = client.post(
        f"/events/{event.id}/edit", data={**EVENT_FORM, "judging_mode": "pairwise"}
    )
    assert changed.status_code == 422
    assert "The way of judging is kept once the event is live." in text_of(changed)


# --- release: feedback, awards, the public page ------------------------------------------------


def test_on_release_a_team_reads_its_scores_against_the_average_and_the_comments(
    client, make, login
):
    _school, teacher, event = _event(make, pitches=2)
    one, two = _judges(make, event, 2)
    mine, theirs = event.presenters
    _score(one, mine, 4, "Great user interviews.")
    _score(two, mine, 5, "Call me on 555-201-3344 about an internship!")
    _score(one, theirs, 2)
    student = mine.project.team.memberships[0].student
    db.session.commit()
    login(student)
    assert client.get(f"/events/presenters/{mine.id}/feedback").status_code == 404  # not yet
    move_event(event, EventStatus.CLOSED, teacher)
    move_event(event, EventStatus.RELEASED, teacher)
    db.session.commit()
    told = db.session.scalars(
        sa.select(Notification).where(
            Notification.user_id == student.id, Notification.kind == "event_results"
        )
    ).all()
    assert len(told) == 1
    page = words(client.get(f"/events/presenters/{mine.id}/feedback"))
    assert "2 judges scored your pitch." in page
    assert "Problem understanding ×2 4.5 above the average 3.7" in page
    assert "Great user interviews." in page
    assert "555-201-3344" not in page  # held for the teacher
    assert "1 comment waits for your teacher to read first." in page
    assert "show.html" not in page
    other = text_of(client.get(f"/events/presenters/{theirs.id}/feedback"))
    assert other == text_of(client.get("/nonexistent")) or "Great user" not in other
    # The teacher lets the held comment through.
    login(teacher)
    held = text_of(client.get(f"/events/presenters/{mine.id}/feedback"))
    assert "Comments held for a contact detail" in held and "555-201-3344" in held
    judgement = db.session.scalar(
        sa.select(judging.Judgement).where(judging.Judgement.comment_status == CommentStatus.HELD)
    )
    client.post(f"/events/judgements/{judgement.id}/comment/show")
    login(student)
    assert "555-201-3344" in text_of(client.get(f"/events/presenters/{mine.id}/feedback"))


def test_awards_are_chosen_by_the_organisers_and_public_after_release(client, make, login):
    _school, teacher, event = _event(make, pitches=2)
    login(teacher)
    client.post(f"/events/{event.id}/awards", data={"name": "Best pitch"})
    duplicate = client.post(f"/events/{event.id}/awards", data={"name": "best pitch"})
    assert duplicate.status_code == 422
    assert field_errors(duplicate) == ["There is an award called “best pitch” already."]
    assert 'value="best pitch"' in duplicate.text
    [award] = db.session.scalars(sa.select(EventAward)).all()
    winner = event.presenters[1]
    chosen = client.post(
        f"/events/awards/{award.id}/winner",
        data={"presenter_id": str(winner.id)},
        follow_redirects=True,
    )
    assert "“Best pitch”: won by “Pitch 2”." in flashes(chosen)
    db.session.refresh(award)
    assert award.presenter_id == winner.id
    public = words(client.get(f"/events/{event.id}/public"))
    assert "Pitch 1" in public and "Pitch 2" in public
    assert "Best pitch" not in public  # not before release
    student = winner.project.team.memberships[0].student
    assert student.last_name not in public
    move_event(event, EventStatus.CLOSED, teacher)
    move_event(event, EventStatus.RELEASED, teacher)
    db.session.commit()
    public = words(client.get(f"/events/{event.id}/public"))
    assert "Best pitch: “Pitch 2”" in public
    draft = make.pitch_event(author=teacher, status=EventStatus.DRAFT)
    assert client.get(f"/events/{draft.id}/public").status_code == 404


# --- what the event produced -------------------------------------------------------------------


def test_a_verified_partners_interest_opens_an_engagement_with_the_event_as_its_source(
    client, make
):
    school, _teacher, event = _event(make, pitches=1)
    employer = make.employer(make.organisation(verified_by=[school]))
    judge = make.event_guest(
        event,
        GuestRole.JUDGE,
        email=employer.email,
        user_id=employer.id,
        organisation_id=employer.organisation_id,
    )
    db.session.commit()
    presenter = event.presenters[0]
    link = f"/events/judge/{judging.judge_token(judge)}/pitches/{presenter.id}"
    assert "I'd like to work with this team" in text_of(client.get(link))
    done = client.post(f"{link}/interest", data={"note": "We could mentor."}, follow_redirects=True)
    assert "will hear from you through the marketplace" in flashes(done)[0]
    client.post(f"{link}/interest", data={})  # twice: one interest
    [interest] = db.session.scalars(sa.select(EventInterest)).all()
    engagement = db.session.get(Engagement, interest.engagement_id)
    assert engagement.rung is Rung.INTEREST and engagement.source_event_id == event.id
    assert engagement.organisation_id == employer.organisation_id
    assert "✓ You said you would like to work with this team." in text_of(client.get(link))


def test_a_prospects_interest_is_a_lead_for_the_teacher_to_follow_up(client, make, login):
    _school, teacher, event = _event(make, pitches=1, status=EventStatus.CLOSED)
    guest = make.event_guest(event, name="Dana Cole", email="dana@newco.example")
    presenter = event.presenters[0]
    db.session.commit()
    token = guests.token_for(guest)
    page = text_of(client.get(f"/events/invitation/{token}"))
    assert "The pitches" in page and "Pitch 1" in page
    done = client.post(
        f"/events/invitation/{token}/pitches/{presenter.id}/interest",
        data={"note": "We hire interns in June."},
        follow_redirects=True,
    )
    assert "their teacher, who will be in touch with you" in flashes(done)[0]
    [interest] = db.session.scalars(sa.select(EventInterest)).all()
    assert interest.engagement_id is None
    class_teacher = presenter.project.team.classroom.teacher
    [note] = db.session.scalars(
        sa.select(Notification).where(
            Notification.user_id == class_teacher.id, Notification.kind == "event_lead"
        )
    ).all()
    assert "Dana Cole would like to work with" in note.subject and "dana@newco.example" in note.body
    login(teacher)
    report = words(client.get(f"/events/{event.id}/report"))
    assert "Leads for teachers 1" in report and "We hire interns in June." in report
    client.post(f"/events/interests/{interest.id}/followed-up")
    db.session.refresh(interest)
    assert interest.followed_up_at is not None


def test_the_report_counts_guests_judges_and_how_far_engagements_climbed(client, make, login):
    _school, teacher, event = _event(make, pitches=2)
    came = make.event_guest(event, rsvp=guests.Rsvp.YES, checked_in_at=event.starts_at)
    make.event_guest(event, rsvp=guests.Rsvp.NO)
    [judge] = _judges(make, event, 1)
    _score(judge, event.presenters[0], 3)
    engagement = make.engagement(event.presenters[0].project, rung=Rung.MENTORSHIP)
    engagement.source_event_id = event.id
    db.session.commit()
    login(teacher)
    report = words(client.get(f"/events/{event.id}/report"))
    assert "Invited 3 Said yes 1 Came 1 Judged 1 of 1 judges" in report
    assert "Engagements opened 1" in report
    assert "Interest Mentorship Job shadowing Externship Internship 1 1 0 0 0" in report
    assert came.id


# --- the rubric -----------------------------------------------------------------------------------


def test_the_organisers_edit_the_rubric_until_the_event_starts(client, make, login):
    _school, teacher, event = _event(make, pitches=1, status=EventStatus.PUBLISHED)
    login(teacher)
    page = words(client.get(f"/events/{event.id}/rubric"))
    assert "Problem understanding counts ×2 (25%)" in page
    [first, *_] = judging.rubric(event)
    new = {f"new-d{n}": f"Level {n}" for n in range(1, 6)}
    missing = client.post(f"/events/{event.id}/rubric", data={**new, "new-weight": "1"})
    assert missing.status_code == 422
    assert 'value="Level 3"' in missing.text  # what was typed stays
    client.post(
        f"/events/{event.id}/rubric",
        data={**new, "new-name": "Teamwork", "new-weight": "2"},
    )
    duplicate = client.post(
        f"/events/{event.id}/rubric", data={**new, "new-name": "teamwork", "new-weight": "1"}
    )
    assert duplicate.status_code == 422 and "The rubric has “teamwork” already." in duplicate.text
    mine = {f"c{first.id}-d{n}": f"Says {n}" for n in range(1, 6)}
    client.post(
        f"/events/rubric/{first.id}",
        data={**mine, f"c{first.id}-name": "The problem", f"c{first.id}-weight": "3"},
    )
    criteria = judging.rubric(event)
    assert (criteria[0].name, criteria[0].weight) == ("The problem", 3)
    assert criteria[0].descriptors == [f"Says {n}" for n in range(1, 6)]
    assert criteria[-1].name == "Teamwork" and len(criteria) == 6
    client.post(f"/events/rubric/{criteria[-1].id}/delete")
    assert len(judging.rubric(event)) == 5
    # Live: the rubric is kept.
    move_event(event, EventStatus.LIVE, teacher)
    db.session.commit()
    assert client.post(f"/events/rubric/{first.id}/delete").status_code == 403
    assert "The rubric is kept once the event has started" in words(
        client.get(f"/events/{event.id}/rubric")
    )


def test_the_results_page_reads_a_fixed_number_of_statements_however_big_the_event(
    client, make, login
):
    from .isolation import StatementLog

    def statements(judges: int, pitches: int) -> tuple[int, int]:
        _school, teacher, event = _event(make, pitches=pitches)
        for n in range(judges):
            judge = make.event_guest(
                event, GuestRole.JUDGE, name=f"J{n}", organisation_id=make.organisation().id
            )
            for presenter in event.presenters:
                _score(judge, presenter, 1 + (judge.id + presenter.id) % 5, "A comment.")
        results.add_award(event, "Best pitch", "")
        login(teacher)
        client.get(f"/events/{event.id}/results")  # the rubric made, the caches warm
        db.session.commit()
        counts = []
        for headers in ({}, {"HX-Request": "true"}):
            with StatementLog() as log:
                assert client.get(f"/events/{event.id}/results", headers=headers).status_code == 200
            counts.append(len(log))
        return counts[0], counts[1]

    assert statements(2, 2) == statements(7, 9)


def test_the_presenter_screen_shows_one_pitch_at_a_time(client, make, login):
    _school, teacher, event = _event(make, pitches=2)
    login(teacher)
    first = words(client.get(f"/events/{event.id}/present/1"))
    assert "Pitch 1 of 2" in first and "Pitch 1" in first and "Next pitch →" in first
    assert "put forward no deck or video" in first
    last = words(client.get(f"/events/{event.id}/present/2"))
    assert "← Previous" in last and "Next pitch" not in last
    assert client.get(f"/events/{event.id}/present/3").status_code == 404
    assert f"/events/{event.id}/present/2" in client.get(f"/events/{event.id}").text


def test_a_track_ranks_its_own_pitches_and_its_award_goes_to_one_of_them(client, make, login):
    school, teacher, event = _event(make, pitches=2)  # Healthcare & Human Services
    classroom = event.presenters[0].project.team.classroom
    other = make.challenge(school, author=teacher, career_cluster="Manufacturing")
    made = make.project(
        make.team(classroom, [make.student(classroom)]), other, ProjectStatus.PUBLISHED,
        title="Line Counter",
    )  # fmt: skip
    from marketplace.models import EventPresenter

    db.session.add(EventPresenter(event=event, project=made, position=3, entered_by_id=teacher.id))
    db.session.flush()
    [judge] = _judges(make, event, 1)
    for presenter, value in zip(event.presenters, (2, 3, 5), strict=True):
        _score(judge, presenter, value)
    db.session.commit()
    login(teacher)
    everything = words(client.get(f"/events/{event.id}/results"))
    assert "Every pitch · Healthcare & Human Services · Manufacturing" in everything
    health = words(client.get(f"/events/{event.id}/results?track=Healthcare %26 Human Services"))
    assert "Line Counter" not in health.split("Judges")[0]
    assert "1 Pitch 2" in health and "2 Pitch 1" in health
    assert "Line Counter" in words(client.get(f"/events/{event.id}/results?track=Manufacturing"))
    client.post(
        f"/events/{event.id}/awards",
        data={"name": "Best in health", "cluster": "Healthcare & Human Services"},
    )
    award = db.session.scalar(sa.select(EventAward))
    refused = client.post(
        f"/events/awards/{award.id}/winner",
        data={"presenter_id": str(event.presenters[2].id)},
        follow_redirects=True,
    )
    assert "This award is for the Healthcare & Human Services track." in flashes(refused)
    db.session.refresh(award)
    assert award.presenter_id is None


def test_a_team_hears_when_its_entry_is_withdrawn_or_the_event_moves(client, make, login):
    _school, teacher, event = _event(make, pitches=2, status=EventStatus.PUBLISHED)
    [judge] = _judges(make, event, 1)
    judging.assign(event)
    gone, staying = event.presenters
    award = results.add_award(event, "Best pitch", "")
    results.give_award(award, gone)
    student = gone.project.team.memberships[0].student
    other = staying.project.team.memberships[0].student
    db.session.commit()
    login(teacher)
    assert client.post(f"/events/presenters/{gone.id}/withdraw").status_code == 303
    db.session.refresh(award)
    assert award.presenter_id is None  # and its judges' assignments went with it
    assert judging.assigned_to(judge) == {staying.id}
    [told] = db.session.scalars(
        sa.select(Notification).where(
            Notification.user_id == student.id, Notification.kind == "event_withdrawn"
        )
    ).all()
    assert told.subject == f"“Pitch 1” no longer pitches at {event.title}"
    from .routes import EVENT_FORM

    client.post(f"/events/{event.id}/edit", data={**EVENT_FORM, "title": event.title})
    [moved] = db.session.scalars(
        sa.select(Notification).where(
            Notification.user_id == other.id, Notification.kind == "event_changed"
        )
    ).all()
    assert moved.subject.startswith(f"{event.title} has changed: now ")
    assert "School A library" in moved.body


def test_normalising_removes_the_gap_between_judges_not_the_spread_within_them():
    strict_and_generous = {1: {10: 1.0, 20: 2.0}, 2: {10: 4.0, 20: 5.0}}
    # Mean of every score 3; each judge's own spread 0.5 about their mean.
    assert results._normalise(strict_and_generous) == {10: [2.5, 2.5], 20: [3.5, 3.5]}
    one_score = {1: {10: 4.0}, 2: {10: 2.0, 20: 4.0}}
    assert results._normalise(one_score)[10][0] == 10 / 3  # at the mean: tells no order
    # Spread pooled over each score of the judges whose scores vary: a flat judge adds none.
    flat_and_varied = {1: {10: 3.0, 20: 3.0}, 2: {10: 2.0, 20: 4.0}}
    assert results._normalise(flat_and_varied) == {10: [3.0, 2.0], 20: [3.0, 4.0]}


def test_a_judge_who_cannot_come_is_given_no_pitches(make):
    _school, _teacher, event = _event(make, pitches=2, min_judges=1)
    coming = make.event_guest(event, GuestRole.JUDGE, rsvp=guests.Rsvp.YES)
    away = make.event_guest(event, GuestRole.JUDGE, rsvp=guests.Rsvp.NO)
    judging.assign(event)
    assert judging.assigned_to(coming) == {p.id for p in event.presenters}
    assert judging.assigned_to(away) == set()


def test_a_pairwise_event_has_no_scoring_form(client, make):
    _school, _teacher, event = _event(make, pitches=2, judging_mode=JudgingMode.PAIRWISE)
    [judge] = _judges(make, event, 1)
    db.session.commit()
    url = f"/events/judge/{judging.judge_token(judge)}/pitches/{event.presenters[0].id}"
    assert client.get(url).status_code == 404


def test_interest_after_a_closed_engagement_is_a_lead_for_the_teacher(client, make):
    from marketplace.models import EngagementStatus

    school, _teacher, event = _event(make, pitches=1)
    presenter = event.presenters[0]
    employer = make.employer(make.organisation(verified_by=[school]))
    ended = make.engagement(presenter.project, employer, status=EngagementStatus.CLOSED)
    judge = make.event_guest(
        event, GuestRole.JUDGE, email=employer.email, user_id=employer.id,
        organisation_id=employer.organisation_id,
    )  # fmt: skip
    db.session.commit()
    link = f"/events/judge/{judging.judge_token(judge)}/pitches/{presenter.id}/interest"
    done = client.post(link, data={"note": "Let's try again."}, follow_redirects=True)
    assert "their teacher, who will be in touch with you" in flashes(done)[0]
    interest = db.session.scalar(sa.select(EventInterest))
    assert interest.engagement_id is None
    db.session.refresh(ended)
    assert ended.status is EngagementStatus.CLOSED
    [told] = db.session.scalars(
        sa.select(Notification).where(Notification.kind == "event_lead")
    ).all()
    assert f"{employer.organisation.name}'s engagement with this team was closed." in told.body


def test_a_partner_schools_teacher_follows_up_the_leads_for_their_teams(client, make, login):
    school = make.school()
    organiser = make.teacher(school=school)
    partner_school = make.school()
    partner_teacher = make.teacher(school=partner_school)
    classroom = make.classroom(partner_teacher)
    theirs = make.project(
        make.team(classroom, [make.student(classroom)]),
        make.challenge(partner_school, author=partner_teacher),
        ProjectStatus.PUBLISHED,
        title="Harbor Map",
    )
    event = make.pitch_event(
        author=organiser, status=EventStatus.CLOSED, presenters=[theirs], partners=[partner_school]
    )
    guest = make.event_guest(event, name="Sam Ortiz", email="sam@ortiz.example")
    interest = interests.express(guest, event.presenters[0], "Summer interns?")
    employer = make.employer(make.organisation(verified_by=[partner_school], name="Dockside"))
    engagement = make.engagement(theirs, employer)
    engagement.source_event_id = event.id
    db.session.commit()
    [told] = db.session.scalars(
        sa.select(Notification).where(Notification.kind == "event_lead")
    ).all()
    assert told.user_id == partner_teacher.id and told.link == f"/events/{event.id}#leads"
    login(partner_teacher)
    page = words(client.get(f"/events/{event.id}"))
    assert "Leads for your teams" in page and "Sam Ortiz sam@ortiz.example → “Harbor Map”" in page
    done = client.post(f"/events/interests/{interest.id}/followed-up")
    assert done.headers["Location"].endswith(f"/events/{event.id}#leads")
    db.session.refresh(interest)
    assert interest.followed_up_at is not None
    # The organisers' report counts the partner school's engagement without its detail.
    login(organiser)
    report = words(client.get(f"/events/{event.id}/report"))
    assert "Engagements opened 1" in report and "Dockside" not in report
    assert "And 1 with the teams of the other schools taking part" in report
    assert "Leads for your teams" not in words(client.get(f"/events/{event.id}"))


def test_a_criterion_sent_back_keeps_what_was_typed(client, make, login):
    _school, teacher, event = _event(make, pitches=1, status=EventStatus.PUBLISHED)
    first, second, *_ = judging.rubric(event)
    db.session.commit()
    login(teacher)
    typed = {f"c{first.id}-d{n}": f"Now {n}" for n in range(1, 6)}
    clash = client.post(
        f"/events/rubric/{first.id}",
        data={**typed, f"c{first.id}-name": second.name, f"c{first.id}-weight": "2"},
    )
    assert clash.status_code == 422
    assert field_errors(clash) == [f"The rubric has “{second.name}” already."]
    assert 'value="Now 4"' in clash.text
    empty = client.post(f"/events/rubric/{first.id}", data={**typed, f"c{first.id}-weight": "9"})
    assert empty.status_code == 422 and len(field_errors(empty)) == 2
    assert judging.rubric(event)[0].name == first.name  # nothing saved


def test_a_team_declining_during_a_pairwise_event_leaves_the_judges_walk(client, make):
    _school, _teacher, event = _event(make, pitches=3, judging_mode=JudgingMode.PAIRWISE)
    [judge] = _judges(make, event, 1)
    first, gone, third = event.presenters
    judge.previous_id, judge.visiting_id = first.id, gone.id
    db.session.commit()
    gone.status = PresenterStatus.DECLINED
    db.session.commit()
    link = f"/events/judge/{judging.judge_token(judge)}"
    page = words(client.get(link))
    db.session.refresh(judge)
    assert judge.visiting_id == third.id and judge.previous_id == first.id
    assert "Pitch 2" not in page and "Pitch 3" in page
    stale = client.post(f"{link}/compare/0/{first.id}/{gone.id}/{gone.id}", follow_redirects=True)
    assert "nothing changed" in flashes(stale)[0]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Comparison)) == 0
    # The one seen before declines too: the next pitch is compared with nothing.
    first.status = PresenterStatus.DECLINED
    db.session.commit()
    assert "I've heard it: the next pitch" in words(client.get(link))
    db.session.refresh(judge)
    assert judge.previous_id is None and judge.visiting_id == third.id


def test_the_rubric_events_judges_cannot_walk_in_pairs(client, make):
    _school, _teacher, event = _event(make, pitches=2)
    [judge] = _judges(make, event, 1)
    db.session.commit()
    link = f"/events/judge/{judging.judge_token(judge)}"
    refused = client.post(f"{link}/next/0", follow_redirects=True)
    assert "This event is judged on the rubric, pitch by pitch." in flashes(refused)
    db.session.refresh(judge)
    assert judge.visiting_id is None
