"""Judging a pitch event, the first part: the rubric (the default one: five weighted criteria,
each score said in words), a judge's own link to a phone page, scores that replace rather than
add up, and the organiser's count of judges per pitch."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from marketplace.clock import local, zone
from marketplace.extensions import db
from marketplace.models import EventStatus, GuestRole, Judgement, ProjectStatus
from marketplace.pitch_events import guests, judging
from marketplace.pitch_events.services import run_of_show

from .helpers import field_errors, flashes, text_of


@pytest.fixture
def scene(make):
    """A live event with two pitches and a judge; its organiser."""
    school = make.school()
    teacher = make.teacher(school=school)
    classroom = make.classroom(teacher)
    challenge = make.challenge(school, author=teacher)
    first = make.project(
        make.team(classroom, [make.student(classroom)]), challenge, ProjectStatus.PUBLISHED,
        title="CheckIn Buddy",
    )  # fmt: skip
    second = make.project(
        make.team(classroom, [make.student(classroom)]), challenge, ProjectStatus.PUBLISHED,
        title="Dock Sentinel",
    )  # fmt: skip
    event = make.pitch_event(
        author=teacher, status=EventStatus.LIVE, presenters=[first, second], min_judges=2
    )
    judge = make.event_guest(event, GuestRole.JUDGE, name="Jordan Reyes")
    return teacher, event, judge


def scores(event, value: str = "4", **changes: str) -> dict[str, str]:
    form = {f"c{c.id}": value for c in judging.rubric(event)}
    return {**form, "comment": "Show us the users' own words.", **changes}


def test_the_default_rubric_says_what_each_score_means(scene):
    _teacher, event, _judge = scene
    criteria = judging.rubric(event)
    assert [(c.name, c.weight) for c in criteria] == [
        ("Problem understanding", 2),
        ("Solution", 2),
        ("Evidence it works", 2),
        ("Feasibility", 1),
        ("Presentation", 1),
    ]
    assert all(len(c.descriptors) == 5 for c in criteria)
    assert judging.rubric(event) == criteria  # made once
    by_id = {str(c.id): 5 if c.weight == 2 else 1 for c in criteria}
    assert judging.weighted(by_id, criteria) == pytest.approx((5 * 6 + 1 * 2) / 8)
    assert judging.weighted({}, criteria) is None


def test_a_judge_opens_their_page_from_the_invitation_and_scores_a_pitch(client, scene):
    _teacher, event, judge = scene
    invitation = text_of(client.get(f"/events/invitation/{guests.token_for(judge)}"))
    link = re.search(r'href="(/events/judge/[^"]+)" role="button">Open my judging page', invitation)
    assert link
    opened = client.get(link.group(1))
    assert opened.headers["Cache-Control"] == "no-store"  # a personal link: no cache keeps it
    home = text_of(opened)
    assert "0 of 2 pitches scored." in home
    presenter = event.presenters[0]
    page = client.get(f"{link.group(1)}/pitches/{presenter.id}")
    assert page.status_code == 200
    assert "1 — The problem is unclear." in text_of(page)
    saved = client.post(
        f"{link.group(1)}/pitches/{presenter.id}", data=scores(event), follow_redirects=True
    )
    assert flashes(saved) == ["Saved: your scores for “CheckIn Buddy”."]
    assert "1 of 2 pitches scored." in text_of(saved) and "✓ Scored" in text_of(saved)
    [row] = db.session.scalars(sa.select(Judgement)).all()
    assert set(row.scores.values()) == {4} and row.comment == "Show us the users' own words."


def test_a_second_submission_replaces_the_first(client, scene):
    _teacher, event, judge = scene
    base = f"/events/judge/{judging.judge_token(judge)}/pitches/{event.presenters[0].id}"
    client.post(base, data=scores(event, "2"))
    client.post(base, data=scores(event, "5", comment="Better on second thought."))
    [row] = db.session.scalars(sa.select(Judgement)).all()
    assert set(row.scores.values()) == {5} and row.comment == "Better on second thought."
    again = text_of(client.get(base))
    assert 'value="5" checked' in again or re.search(r'checked[^>]*value="5"', again)
    assert "Better on second thought." in again


def test_a_missing_score_is_named_and_what_was_chosen_stays(client, scene):
    _teacher, event, judge = scene
    criteria = judging.rubric(event)
    form = scores(event, "3")
    del form[f"c{criteria[1].id}"]
    url = f"/events/judge/{judging.judge_token(judge)}/pitches/{event.presenters[0].id}"
    refused = client.post(url, data=form)
    assert refused.status_code == 422
    assert field_errors(refused) == ["Give a score for Solution."] or (
        "Give a score for Solution." in text_of(refused)
    )
    assert "Show us the users&#39; own words." in text_of(refused)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Judgement)) == 0


def test_scoring_waits_for_the_event_to_go_live_and_ends_when_it_closes(client, make, scene):
    _teacher, event, judge = scene
    event.status = EventStatus.PUBLISHED
    db.session.flush()
    token = judging.judge_token(judge)
    url = f"/events/judge/{token}/pitches/{event.presenters[0].id}"
    assert "Scoring opens when the organisers start the event." in text_of(client.get(url))
    refused = client.post(url, data=scores(event, comment="Keep the users' quotes."))
    assert refused.status_code == 422
    assert field_errors(refused) == [
        "Judging opens when the organisers start the event, and ends when they close it."
    ]
    assert "Keep the users&#39; quotes." in text_of(refused)  # what was typed stays
    assert text_of(refused).count("checked") >= 5  # and the scores chosen
    event.status = EventStatus.CLOSED
    db.session.flush()
    assert client.get(f"/events/judge/{token}").status_code == 404


def test_only_judges_with_a_live_invitation_judge(client, make, scene):
    teacher, event, judge = scene
    guest = make.event_guest(event, GuestRole.GUEST)
    assert client.get(f"/events/judge/{judging.judge_token(guest)}").status_code == 404
    assert "Open my judging page" not in text_of(
        client.get(f"/events/invitation/{guests.token_for(guest)}")
    )
    assert client.get(f"/events/judge/{guests.token_for(judge)}").status_code == 404  # not it
    other = make.pitch_event(
        author=teacher, presenters=[make.project(status=ProjectStatus.PUBLISHED)]
    )
    elsewhere = f"/events/judge/{judging.judge_token(judge)}/pitches/{other.presenters[0].id}"
    assert client.get(elsewhere).status_code == 404
    guests.revoke(judge, teacher)
    db.session.flush()
    assert client.get(f"/events/judge/{judging.judge_token(judge)}").status_code == 404


def test_the_organiser_sees_how_many_judges_scored_each_pitch(client, login, make, scene):
    teacher, event, judge = scene
    second_judge = make.event_guest(event, GuestRole.JUDGE)
    criteria = {c.id: 3 for c in judging.rubric(event)}
    first, second = event.presenters
    judging.judge(judge, first, criteria, "")
    judging.judge(second_judge, first, criteria, "")
    judging.judge(judge, second, criteria, "")
    assert judging.coverage(event) == {first.id: 2, second.id: 1}
    login(teacher)
    page = text_of(client.get(f"/events/{event.id}"))
    assert "2 of 2 judges scored" in page and "1 of 2 judges scored" in page


def test_a_judge_reads_the_pitches_times_on_the_schools_clock(client, scene):
    _teacher, event, judge = scene
    event.school.timezone = "America/Los_Angeles"  # the judge has no zone of their own here
    db.session.flush()
    page = text_of(client.get(f"/events/judge/{judging.judge_token(judge)}"))
    start = run_of_show(event)[0].starts_at
    assert (
        f'<span class="judge-time">{local(start, zone("America/Los_Angeles")):%H:%M}</span>' in page
    )
    assert "Los Angeles time" in page


def test_the_coverage_board_shows_who_judged_what_and_updates_while_live(
    client, login, make, scene
):
    teacher, event, judge = scene
    other = make.event_guest(event, GuestRole.JUDGE, name="Priya Shah")
    make.event_guest(event, GuestRole.GUEST, name="Not A Judge")
    first, _second = event.presenters
    judging.judge(judge, first, {c.id: 4 for c in judging.rubric(event)}, "")
    board = judging.board(event)
    assert board.scored == {(judge.id, first.id)}
    assert (board.per_pitch(first), board.per_judge(other)) == (1, 0)
    login(teacher)
    page = text_of(client.get(f"/events/{event.id}/coverage"))
    assert "Jordan Reyes" in page and "Priya Shah" in page and "Not A Judge" not in page
    assert page.count('aria-label="scored"') == 1
    assert "1 of 2" in page and "0 of 2" in page
    assert 'hx-trigger="every 5s"' in page
    fragment = text_of(client.get(f"/events/{event.id}/coverage", headers={"HX-Request": "true"}))
    assert fragment.lstrip().startswith('<div id="coverage"') and "<html" not in fragment
    event.status = EventStatus.CLOSED
    db.session.flush()
    assert "every 5s" not in text_of(client.get(f"/events/{event.id}/coverage"))
    assert "Who has judged what" in text_of(client.get(f"/events/{event.id}"))
