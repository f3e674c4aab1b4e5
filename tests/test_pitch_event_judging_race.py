"""Judges submitting at the same moment (PostgreSQL): a judge's double submission is one
judgement, and several judges scoring one pitch at once are all kept.

Its own module: the racers commit for real, which a module sharing one world cannot."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import sqlalchemy as sa

from marketplace.extensions import db
from marketplace.models import (
    EventGuest,
    EventPresenter,
    EventStatus,
    GuestRole,
    Judgement,
    ProjectStatus,
)
from marketplace.pitch_events import judging

from .racing import race

pytestmark = pytest.mark.commits  # threads with connections of their own race


@pytest.fixture
def racer(app_factory):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("races need PostgreSQL: set TEST_DATABASE_URL (SQLite serialises writers)")
    return app_factory(SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 12, "max_overflow": 0})


def submit(guest_id: int, presenter_id: int, value: int) -> Callable[[], object]:
    def attempt() -> object:
        guest = db.session.get(EventGuest, guest_id)
        presenter = db.session.get(EventPresenter, presenter_id)
        assert guest is not None and presenter is not None
        criteria = judging.rubric(guest.event)
        judging.judge(guest, presenter, {c.id: value for c in criteria}, f"scored {value}")
        return value

    return attempt


def test_double_submissions_and_many_judges_at_once_keep_one_judgement_each(racer, make):
    project = make.project(status=ProjectStatus.PUBLISHED)
    event = make.pitch_event(
        author=project.team.classroom.teacher, status=EventStatus.LIVE, presenters=[project]
    )
    judges = [make.event_guest(event, GuestRole.JUDGE) for _ in range(5)]
    judging.rubric(event)
    db.session.commit()
    presenter_id = event.presenters[0].id
    attempts = [submit(j.id, presenter_id, 1 + n % 5) for n, j in enumerate(judges)]
    attempts += [submit(judges[0].id, presenter_id, 5) for _ in range(4)]  # one judge, 5 clicks
    results = race(racer, attempts)
    assert [r for r in results if isinstance(r, Exception)] == []
    rows = db.session.scalars(sa.select(Judgement).where(Judgement.event_id == event.id)).all()
    assert sorted(r.guest_id for r in rows) == sorted(j.id for j in judges)  # none lost or doubled


def test_60_judges_scoring_30_pitches_at_once_lose_nothing_and_count_nothing_twice(racer, make):
    """Through the judging page itself: 60 judges, ~10 pitches each (their assignment), every
    fifth score sent twice at the same moment (a double tap), 12 requests in flight at once."""
    from concurrent.futures import ThreadPoolExecutor

    teacher = make.teacher()
    classroom = make.classroom(teacher)
    challenge = make.challenge(teacher.school, author=teacher)
    projects = [
        make.project(
            make.team(classroom, [make.student(classroom)]), challenge, ProjectStatus.PUBLISHED
        )
        for _ in range(30)
    ]
    event = make.pitch_event(
        author=teacher, status=EventStatus.LIVE, presenters=projects, min_judges=20
    )
    judges = [make.event_guest(event, GuestRole.JUDGE) for _ in range(60)]
    assert judging.assign(event) == 600  # 30 pitches × 20 judges, 10 pitches a judge
    criteria = judging.rubric(event)
    db.session.commit()
    jobs = []
    for judge in judges:
        token = judging.judge_token(judge)
        for n, presenter_id in enumerate(sorted(judging.assigned_to(judge))):
            value = 1 + (judge.id + presenter_id) % 5
            form = {f"c{c.id}": str(value) for c in criteria} | {"comment": f"v{value}"}
            url = f"/events/judge/{token}/pitches/{presenter_id}"
            jobs += [(url, form)] * (2 if n % 5 == 0 else 1)

    def post(job: tuple[str, dict]) -> int:
        url, form = job
        return racer.test_client().post(url, data=form).status_code

    with ThreadPoolExecutor(max_workers=12) as pool:
        statuses = list(pool.map(post, jobs))
    assert set(statuses) == {303}
    rows = db.session.scalars(sa.select(Judgement).where(Judgement.event_id == event.id)).all()
    assert len(rows) == 600  # every score kept once
    assert len({(r.guest_id, r.presenter_id) for r in rows}) == 600
    assert all(r.comment == f"v{1 + (r.guest_id + r.presenter_id) % 5}" for r in rows)
    coverage = judging.coverage(event)
    assert sorted(set(coverage.values())) == [20]


def test_pairwise_answers_at_once_each_move_the_pitches_and_count_once(racer, make):
    """Six judges answer about the same two pitches at the same moment, one of them twice:
    six answers, and the two pitches' beliefs moved six times (none overwritten)."""
    from marketplace.models import Comparison, JudgingMode
    from marketplace.pitch_events import crowd_bt, pairwise

    teacher = make.teacher()
    classroom = make.classroom(teacher)
    challenge = make.challenge(teacher.school, author=teacher)
    projects = [
        make.project(make.team(classroom, [make.student(classroom)]), challenge,
                     ProjectStatus.PUBLISHED)
        for _ in range(3)
    ]  # fmt: skip
    event = make.pitch_event(
        author=teacher,
        status=EventStatus.LIVE,
        presenters=projects,
        judging_mode=JudgingMode.PAIRWISE,
    )
    first, second, _third = event.presenters
    judges = [
        make.event_guest(event, GuestRole.JUDGE, previous_id=first.id, visiting_id=second.id)
        for _ in range(6)
    ]
    first_id, second_id = first.id, second.id
    judge_ids = [j.id for j in judges]
    db.session.commit()

    def answer(guest_id: int) -> Callable[[], object]:
        def attempt() -> object:
            guest = db.session.get(EventGuest, guest_id)
            assert guest is not None
            return pairwise.compare(guest, 0, (first_id, second_id), second_id)

        return attempt

    results = race(racer, [answer(j) for j in judge_ids] + [answer(judge_ids[0])])
    assert [r for r in results if isinstance(r, Exception)] == []
    assert sorted(results) == [False] + [True] * 6  # the double tap counted once
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Comparison)) == 6
    expected_won, expected_lost = crowd_bt.Quality(), crowd_bt.Quality()
    for _ in range(6):
        expected_won, expected_lost, _ = crowd_bt.update(
            expected_won, expected_lost, crowd_bt.Reliability()
        )
    db.session.expire_all()
    won, lost = db.session.get(EventPresenter, second_id), db.session.get(EventPresenter, first_id)
    assert won.quality_mu == pytest.approx(expected_won.mu)
    assert lost.quality_mu == pytest.approx(expected_lost.mu)
