"""The demo of `flask seed-demo` (what it fills, the logins it prints, its ladder and its story),
and `flask expire-offers`.

The seeded tests share one database seeded by `flask seed-demo`, once for the module and the only
seeding of the suite (it costs 8 s on SQLite and 17 s on PostgreSQL); each test is rolled back
to it.
"""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask, current_app

from marketplace.demo import DEMO_LOGINS, DEMO_PASSWORD
from marketplace.demo.engagement_stories import KEYSTONE, TRANSIT
from marketplace.demo.engagements import seed_engagements
from marketplace.engagements import ladder, rules, terms
from marketplace.extensions import db
from marketplace.models import (
    AdoptionRequest,
    BackgroundCheck,
    Challenge,
    ChallengeStatus,
    Classroom,
    Completion,
    Engagement,
    EngagementEvent,
    EngagementStatus,
    GuardianConsent,
    JoinRequest,
    MailState,
    MediaJob,
    MessageState,
    Notification,
    Offer,
    OfferStatus,
    Organisation,
    OrganisationStatus,
    OutgoingMail,
    PitchRole,
    Project,
    ProjectFile,
    ProjectStatus,
    Role,
    Rung,
    School,
    Team,
    Thread,
    ThreadKind,
    User,
    VerificationStatus,
    utcnow,
)
from marketplace.privacy import uses_pseudonym
from marketplace.storage import storage

from .conftest import shared_world
from .helpers import card_of, count_rows, school_today, text_of

TODAY = school_today()


def _user(login: str) -> User:
    return db.session.scalars(
        sa.select(User).where(sa.or_(User.email == login, User.username == login))
    ).one()


# --- flask expire-offers (on an empty database) -------------------------------------------------


def test_expire_offers_expires_what_is_overdue_once(app, make):
    """The nightly command expires unanswered offers past their deadline, and only once."""
    engagement = make.engagement(rung=Rung.MENTORSHIP)
    overdue = make.offer(
        engagement, status=OfferStatus.APPROVED, respond_by=TODAY - timedelta(days=1)
    )
    due_today = make.offer(
        engagement, rung=Rung.EXTERNSHIP, status=OfferStatus.PROPOSED, respond_by=TODAY
    )
    db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["expire-offers"])
    assert result.exit_code == 0, result.output
    assert "1 offer(s) expired" in result.output
    db.session.expire_all()
    assert overdue.status is OfferStatus.EXPIRED
    assert due_today.status is OfferStatus.PROPOSED
    event = db.session.scalars(sa.select(EngagementEvent).filter_by(offer_id=overdue.id)).one()
    assert event.action == "offer expired" and event.actor_id is None
    assert count_rows(Notification) >= 1
    again = runner.invoke(args=["expire-offers"])
    assert again.exit_code == 0 and "0 offer(s) expired" in again.output
    assert count_rows(EngagementEvent) == 1


# --- the seeded demo ----------------------------------------------------------------------------


def _seed(make) -> Path:
    """Seed the demo as `make run` does; the folder its mail went to."""
    result = current_app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    return Path(current_app.config["MAIL_OUTBOX_DIR"])


seeded = shared_world(_seed, name="seeded")


@pytest.fixture
def demo(app: Flask, seeded: Path) -> Flask:
    """The app on the seeded demo; whatever a test changes is rolled back."""
    return app


def test_seed_demo_fills_an_empty_database(demo):
    """Two schools, ~30 students in teams (some under 13), staff and organisations of each kind."""
    assert count_rows(School) == 2
    students = list(db.session.scalars(sa.select(User).filter_by(role=Role.STUDENT)))
    assert 28 <= len(students) <= 36
    assert any(uses_pseudonym(s) for s in students) and not all(uses_pseudonym(s) for s in students)
    assert count_rows(Team) >= 8
    assert count_rows(User, User.role == Role.SCHOOL_ADMIN) >= 1
    assert count_rows(Organisation, Organisation.status == OrganisationStatus.PROSPECT) >= 2
    organisations = list(db.session.scalars(sa.select(Organisation)))
    assert any(o.is_verified_anywhere for o in organisations)
    unverified_active = [
        o
        for o in organisations
        if o.status is OrganisationStatus.ACTIVE
        and all(p.status is VerificationStatus.PENDING for p in o.partnerships)
    ]
    assert len(unverified_active) == 1
    assert count_rows(JoinRequest) == 1  # a colleague waiting to join a verified organisation
    statuses = set(db.session.scalars(sa.select(Challenge.status)))
    assert statuses == set(ChallengeStatus)
    assert len(set(db.session.scalars(sa.select(Challenge.career_cluster)))) >= 6
    prospects_sponsoring = db.session.scalars(
        sa.select(Challenge)
        .join(Organisation, Challenge.sponsor_id == Organisation.id)
        .where(Organisation.status == OrganisationStatus.PROSPECT)
    ).all()
    assert prospects_sponsoring  # "don't wait for yes"
    assert count_rows(AdoptionRequest) == 1
    assert 36 <= count_rows(Project) <= 44
    assert set(db.session.scalars(sa.select(Project.status))) == set(ProjectStatus)
    demo_files = list(db.session.scalars(sa.select(ProjectFile)))
    assert {f.kind for f in demo_files} == {"pdf", "image", "video", "captions"}
    # every published project puts forward a cover and a deck; their images wait for the worker
    published = count_rows(Project, Project.status == ProjectStatus.PUBLISHED)
    assert sum(f.pitch_role is PitchRole.COVER for f in demo_files) >= published
    assert count_rows(MediaJob) == sum(f.kind in ("pdf", "image", "video") for f in demo_files)
    for demo_file in demo_files[:4]:  # real bytes in storage, matching the recorded hash
        with storage().open(demo_file.key) as handle:
            assert hashlib.sha256(handle.read()).hexdigest() == demo_file.sha256


def test_every_printed_demo_login_works(demo, client):
    """`make run` prints one login per role; each one logs in."""
    printed = demo.test_cli_runner().invoke(args=["demo-logins"]).output
    assert DEMO_PASSWORD in printed
    columns = {
        line.index(login)
        for _role, login in DEMO_LOGINS
        for line in printed.splitlines()
        if line.endswith(f" {login}")
    }
    assert len(columns) == 1  # the logins line up in one column, whatever the labels' lengths
    for _role, login in DEMO_LOGINS:
        assert login in printed
        response = client.post("/auth/login", data={"login": login, "password": DEMO_PASSWORD})
        assert response.status_code == 302 and response.location == "/dashboard", login
        assert client.get("/dashboard").status_code == 200
        client.post("/auth/logout")


# "CheckIn Buddy 9", "Budget Quest 9/17/25", "Dock Sentinel (2)", "Roll Picker - 2025-09-17"…
DATE = re.compile(r"\d{1,4}[/.-]\d{1,2}(?:[/.-]\d{2,4})?")
TRAILING_NUMBER = re.compile(r"[\s(#-]*\d+\)?$")


def _stem(title: str) -> str:
    """The title without digits, dates and the punctuation around them, in one case."""
    return " ".join(re.sub(r"[\d/().#-]+", " ", title).split()).casefold()


def _projects() -> list[Project]:
    return list(db.session.scalars(sa.select(Project).order_by(Project.id)))


def test_every_demo_project_has_its_own_title(demo):
    """No numbered or dated copies of the same few ideas."""
    titles = [p.title for p in _projects()]
    assert not [t for t in titles if DATE.search(t) or TRAILING_NUMBER.search(t)]
    stems = [_stem(t) for t in titles]
    assert sorted(s for s in stems if stems.count(s) > 1) == []
    summaries = [p.summary for p in _projects()]
    assert len(set(summaries)) == len(summaries)


def test_every_demo_project_fits_its_challenge(demo):
    """A project is in its challenge's career cluster (the browse filter and the card read the
    cluster from the challenge), answers a challenge its school may use, and shares a skill
    with it; each sponsor works in the cluster of the challenge it sponsors."""
    for project in _projects():
        challenge = project.challenge
        assert challenge.school_id == project.school_id or challenge.shared, project.title
        assert set(project.skills) & set(challenge.skills), (project.title, challenge.title)
    for challenge in db.session.scalars(
        sa.select(Challenge).where(Challenge.sponsor_id.is_not(None))
    ):
        assert challenge.sponsor.career_cluster == challenge.career_cluster, challenge.title


def test_the_demo_never_names_a_sponsor_nobody_asked_yet(demo):
    """A prospect sponsor is "a local construction business" to employers and students, so
    neither a challenge's statement nor a project's story names it."""
    prospects = db.session.scalars(
        sa.select(Organisation).where(Organisation.status == OrganisationStatus.PROSPECT)
    ).all()
    texts = [c.statement for c in db.session.scalars(sa.select(Challenge))] + [
        f"{p.title} {p.pitch} {p.summary} {p.body}" for p in _projects()
    ]
    names = {o.name for o in prospects}
    assert names and not [t for t in texts if any(name in t for name in names)]


def test_an_organisation_engaged_outside_its_cluster_says_why(demo):
    """Interest from another cluster's organisation (a robot maker in a hospital project)
    comes with the note that explains it."""
    for engagement in db.session.scalars(sa.select(Engagement)):
        if engagement.organisation.career_cluster != engagement.project.challenge.career_cluster:
            assert engagement.note, (engagement.organisation.name, engagement.project.title)


def test_jordan_sees_the_harbor_health_engagements_on_the_browse_page(client, login, demo):
    """The demo's verified employer sees the clinic's engagements marked, and CheckIn Buddy
    (left for the live climb) unmarked."""
    jordan = db.session.scalars(
        sa.select(User).filter_by(email="jordan@harborhealth.example")
    ).one()
    login(jordan)
    page = text_of(client.get("/projects"))
    assert "You're engaged · internship" in card_of(page, "Quiet Queue")
    assert "Engagement completed · internship" in card_of(page, "Clipboard Zero")
    assert "You're engaged · interest" in card_of(page, "Paycheck Planner")
    assert "engaged" not in card_of(page, "CheckIn Buddy").lower()


def test_every_demo_person_has_a_name_of_their_own(demo):
    """The account menu shows a first name: no "Site Admin" placeholder person."""
    names = {(u.first_name, u.last_name) for u in db.session.query(User)}
    assert ("Site", "Admin") not in names and not any(first == "Site" for first, _ in names)


def _engagements() -> list[Engagement]:
    return list(db.session.scalars(sa.select(Engagement).order_by(Engagement.id)))


def _offers(*statuses: OfferStatus) -> list[Offer]:
    return list(db.session.scalars(sa.select(Offer).where(Offer.status.in_(statuses))))


def test_every_rung_and_state_appears(demo):
    engagements = _engagements()
    active = [e for e in engagements if e.status is EngagementStatus.ACTIVE]
    assert {e.rung for e in active} == set(Rung)
    assert {e.status for e in engagements} == set(EngagementStatus)
    assert set(db.session.scalars(sa.select(Offer.status))) == set(OfferStatus)
    (completed,) = [e for e in engagements if e.status is EngagementStatus.COMPLETED]
    assert completed.rung is Rung.INTERNSHIP and completed.completion is Completion.CONFIRMED
    assert sorted(o.rung.level for o in completed.offers) == [1, 2, 3, 4]
    assert all(o.status is OfferStatus.ACCEPTED for o in completed.offers)
    assert all(o.answer_note for o in _offers(OfferStatus.DECLINED))
    assert {e.completion for e in active} == set(Completion)
    assert len({e.organisation_id for e in engagements}) >= 6
    assert len({e.school_id for e in engagements}) == 2
    assert len({e.team.classroom_id for e in engagements}) >= 5


def test_offers_have_realistic_terms(demo):
    for offer in db.session.scalars(sa.select(Offer)):
        assert offer.title and offer.start_date and offer.end_date >= offer.start_date
        assert offer.supervisor and offer.student_needs and offer.respond_by
        assert offer.remote or offer.address
        if offer.rung is Rung.INTERNSHIP:
            assert offer.paid and offer.amount and offer.amount_unit == "hour" and offer.paid_by
    for offer in _offers(OfferStatus.DRAFT, OfferStatus.PROPOSED, OfferStatus.APPROVED):
        assert terms.terms_problems(terms.terms_of(offer), TODAY) == {}, offer
        assert offer.respond_by >= TODAY + timedelta(days=7)
    for offer in _offers(OfferStatus.EXPIRED):
        assert offer.respond_by < TODAY


def test_exactly_one_engagement_is_stalled(demo):
    stalled = [e for e in _engagements() if rules.is_stalled(e)]
    assert len(stalled) == 1
    (engagement,) = stalled
    assert utcnow() - engagement.last_event_at > timedelta(days=engagement.school.stall_days)
    assert rules.open_offer(engagement) is None


def test_one_approved_offer_waits_for_a_guardians_consent(demo):
    blocked = [o for o in _offers(OfferStatus.APPROVED) if rules.consents_missing(o, TODAY)]
    assert len(blocked) == 1
    (offer,) = blocked
    (student,) = [r.student for r in offer.recipients]
    assert rules.consents_missing(offer, TODAY) == [student]
    assert rules.is_minor(student, TODAY)
    problems = rules.acceptance_problems(offer, student, TODAY)
    assert any("guardian" in p for p in problems)


def test_a_draft_waits_for_the_teacher_to_allow_a_skip(demo):
    (draft,) = _offers(OfferStatus.DRAFT)
    engagement = draft.engagement
    assert draft.rung.level > engagement.rung.level + 1 and engagement.skip_allowed_to is None
    assert "teacher's permission" in rules.order_problem(engagement, draft.rung)


def test_the_timeline_is_real_and_spans_the_last_weeks(demo):
    now = utcnow()
    for engagement in _engagements():
        times = [event.created_at for event in engagement.events]
        assert times == sorted(times) and times[-1] < now
        assert engagement.events[0].action == "interest"
        assert engagement.created_at == times[0] and engagement.last_event_at == times[-1]
        for offer in engagement.offers:
            assert offer.created_at <= offer.updated_at < now
    first = db.session.scalar(sa.select(sa.func.min(EngagementEvent.created_at)))
    assert now - first > timedelta(weeks=12)
    late = db.session.scalars(
        sa.select(Notification)
        .join(EngagementEvent, Notification.event_id == EngagementEvent.id)
        .where(Notification.created_at != EngagementEvent.created_at)
    ).all()
    assert late == [] and count_rows(Notification) > count_rows(EngagementEvent)
    assert count_rows(GuardianConsent) >= 10


def test_employers_making_offers_are_background_checked(demo):
    for offer in _offers(*(s for s in OfferStatus if s is not OfferStatus.DRAFT)):
        assert rules.background_problem(offer, TODAY) is None
    assert count_rows(BackgroundCheck) >= 6


def test_the_live_demo_is_left_to_climb(demo):
    """Ava's team has a published project Harbor Health has not touched, an approved offer
    waiting for her answer, and the whole live climb works on it."""
    ava, jordan = _user("ava.m"), _user("jordan@harborhealth.example")
    team = db.session.scalars(
        sa.select(Team)
        .join(Classroom)
        .where(Classroom.name.startswith("Engineering Design"), Team.name == "Trailblazers")
    ).one()
    assert team.has_member(ava)
    rivera = team.advisor
    waiting = [
        o
        for o in _offers(OfferStatus.APPROVED)
        if o.engagement.team_id == team.id and not rules.acceptance_problems(o, ava, TODAY)
    ]
    assert len(waiting) == 1
    harbor = db.session.scalars(sa.select(Organisation).filter_by(name="Harbor Health Clinic"))
    engaged = db.session.scalars(
        sa.select(Engagement.project_id).filter_by(organisation_id=harbor.one().id)
    ).all()
    free = db.session.scalars(
        sa.select(Project).where(
            Project.team_id == team.id,
            Project.status == ProjectStatus.PUBLISHED,
            Project.id.not_in(engaged),
        )
    ).first()
    assert free is not None
    engagement = ladder.show_interest(free, jordan, "We'd love to mentor your team.")
    terms = {"start_date": TODAY + timedelta(days=7), "remote": True, "respond_by": TODAY}
    offer = ladder.draft_offer(engagement, jordan, Rung.MENTORSHIP, terms)
    ladder.propose(offer, jordan, TODAY)
    ladder.approve(offer, rivera, TODAY)
    for student in rules.consents_missing(offer, TODAY):  # Ava and her teammates under 18
        ladder.record_consent(offer, rivera, student, TODAY, "signed form")
    ladder.accept(offer, ava, TODAY)
    assert engagement.rung is Rung.MENTORSHIP


def test_seeding_again_does_nothing_more(demo):
    tables = (Engagement, Offer, EngagementEvent, Notification, GuardianConsent, BackgroundCheck)
    before = [count_rows(t) for t in tables]
    seed_engagements()
    runner = demo.test_cli_runner()
    assert runner.invoke(args=["seed-demo"]).exit_code != 0
    skipped = runner.invoke(args=["seed-demo", "--if-empty"])
    assert skipped.exit_code == 0 and "skipped" in skipped.output
    assert [count_rows(t) for t in tables] == before


# --- the demo's conversations -------------------------------------------------------------------


def test_the_demo_has_a_living_thread_with_a_held_and_a_rejected_message(demo):
    from marketplace.messaging import queries, service

    dana, noah, rivera = _user(KEYSTONE), _user("noah.k"), _user("rivera@riverside.example")
    thread = db.session.scalars(sa.select(Thread).filter_by(kind=ThreadKind.ENGAGEMENT)).one()
    states = [m.state for m in thread.messages]
    assert states.count(MessageState.HELD) == 1 and states.count(MessageState.REJECTED) == 1
    rejected = next(m for m in thread.messages if m.state is MessageState.REJECTED)
    assert rejected.author == noah and "social media" in rejected.review_note
    # Dana never sees what was held or rejected; Noah sees his own; Ms Rivera sees all.
    assert all(m.state is MessageState.VISIBLE for m in service.visible_to(dana, thread))
    assert len(service.visible_to(noah, thread)) == len(states)
    assert len(service.visible_to(rivera, thread)) == len(states)
    assert queries.unread_counts(dana, [thread.id]).get(thread.id, 0) == 0
    assert queries.unread_counts(noah, [thread.id])[thread.id] > 0
    waiting = db.session.scalars(
        sa.select(Notification).filter_by(user_id=rivera.id, kind="message_held", read_at=None)
    ).all()
    assert len(waiting) == 1


def test_the_schools_channel_with_an_organisation_has_no_students(demo):
    from marketplace.messaging import rules

    channel = db.session.scalars(sa.select(Thread).filter_by(kind=ThreadKind.SCHOOL)).one()
    assert channel.organisation == _user(TRANSIT).organisation
    people = rules.participants(channel)
    assert people and not any(person.is_student for person in people)
    assert len(channel.messages) == 3


def test_only_the_last_days_mail_went_out_when_seeding(demo, seeded):
    """The past's mail is marked sent when it happened; the last day's was delivered to the
    outbox folder once, as the worker would."""
    mail = db.session.scalars(sa.select(OutgoingMail)).all()
    assert mail and all(row.state == MailState.SENT.value for row in mail)
    recent = [row for row in mail if row.created_at > utcnow() - timedelta(days=1)]
    written = sorted(path.stem for path in seeded.glob("*.eml"))
    assert written == sorted(row.idempotency_key for row in recent)
