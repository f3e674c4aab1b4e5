"""The demo's placements, worked the way people work them: the agreement signed by everyone (the
guardian and the supervisor by their personal links), hours logged on past school days and
verified week by week by link, the supervisor's evaluations, and the teacher completing it."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from ..extensions import db
from ..models import EvaluationKind, Offer, Placement, PlacementLink, User
from ..placements import completion, consent, evaluations, hours, records, signing

CLIENT = ("203.0.113.7", "Mozilla/5.0 (demo)")
ACTIVITIES = (
    "Shadowed the morning team huddle and took notes on the day's priorities",
    "Worked through the task list with my supervisor and asked questions",
    "Helped with a real piece of work and wrote up what I did",
    "Presented my progress to the team and took their feedback",
)
MAX_DAY_MINUTES = 180  # within every school's limits for minors on a school day


def _guardian_of(student: User) -> tuple[str, str]:
    return f"Parent of {student.first_name}", f"family.{student.username}@example.com"


def plan(placement: Placement, until: date) -> list[tuple[date, int]]:
    """The days worked, up to `until`: the offer's days a week, from each Monday on."""
    offer = placement.offer
    per_week = offer.days_per_week or 1
    per_day = min(MAX_DAY_MINUTES, 60 * (offer.hours_per_week or 1) // per_week)
    days: list[tuple[date, int]] = []
    day = placement.start_date
    end = min(placement.end_date or until, until)
    while day <= end:
        week = hours.monday_of(day)
        worked = sum(1 for d, _ in days if hours.monday_of(d) == week)
        one_day = placement.start_date == placement.end_date  # a shadow day may be a Saturday
        if (day.weekday() < 5 or one_day) and worked < per_week:
            days.append((day, per_day))
        day += timedelta(days=1)
    return days


def sign_everything(placement: Placement, teacher: User) -> None:
    """The student and the teacher sign in the app; the guardian and supervisor by link."""
    student = placement.student
    if records.needs_guardian(placement):
        consent.save_guardian(student, teacher, *_guardian_of(student))
    domain = (placement.organisation.members[0].email or "@example.com").split("@")[1]
    records.change_terms(placement, teacher, {"supervisor_email": f"supervisor@{domain}"})
    for user in (student, teacher):
        signing.sign_in_app(placement, user, user.full_name, *CLIENT, placement.terms_hash)
    signing.request(placement, teacher)
    for link in _open_links(placement):
        signing.sign_by_link(link, link.name, *CLIENT, placement.terms_hash)


def _open_links(placement: Placement) -> list[PlacementLink]:
    return list(
        db.session.query(PlacementLink).filter(
            PlacementLink.placement_id == placement.id,
            PlacementLink.used_at.is_(None),
            PlacementLink.revoked_at.is_(None),
        )
    )


def work(offer: Offer, student: User, until: date) -> Placement:
    """Sign the student's placement of `offer`, log their hours up to `until`, have the
    supervisor verify each week and give the evaluations that are due."""
    placement = next(p for p in records.placements_of(offer) if p.student_id == student.id)
    days = plan(placement, until)
    # The agreement expects the hours the plan works (a demo completes on its record).
    records.change_terms(
        placement, offer.engagement.team.advisor, {"expected_hours": sum(m for _, m in days) // 60}
    )
    sign_everything(placement, offer.engagement.team.advisor)
    for index, (day, minutes) in enumerate(days):
        ends = (datetime_of(day, 9) + timedelta(minutes=minutes)).time()
        hours.log(placement, student, day, time(9), ends, ACTIVITIES[index % len(ACTIVITIES)])
    for week in sorted({hours.monday_of(d) for d, _ in days}):
        link = hours.ask_verification(placement, week)
        hours.verify(link, link.name, {})
    for kind in EvaluationKind:
        if evaluations.due_on(placement, kind) <= until:
            evaluate(placement, kind)
    return placement


def datetime_of(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour))


def evaluate(placement: Placement, kind: EvaluationKind) -> None:
    """The supervisor's evaluation by link: proficient, with one strength above."""
    link = evaluations.ask(placement, kind)
    skills = placement.school.skills
    scores = {s: 4 if i % 3 == 0 else 3 for i, s in enumerate(skills)}
    evaluations.submit(
        placement,
        kind,
        scores,
        f"{placement.student.first_name} asks good questions and follows through.",
        "Speak up sooner in team meetings.",
        link.name,
        link=link,
    )


def complete(offer: Offer, student: User) -> None:
    placement = next(p for p in records.placements_of(offer) if p.student_id == student.id)
    teacher = offer.engagement.team.advisor
    evaluations.reflect(
        placement,
        student,
        "I learned how a real team plans its week, and I want to do this kind of work.",
        5,
        "Everyone made time for my questions.",
        show_endorsement=True,
    )
    completion.complete(placement, teacher)
