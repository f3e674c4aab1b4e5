"""The ladder's rules that only read: who plays which part, which gate blocks, what comes next.

The transitions in `ladder/` call these before they act and the pages call them to explain a
blocked button, so a page never says "yes" where the transition would say "no".
"""

from __future__ import annotations

import enum
from datetime import date, timedelta
from typing import Any

from ..models import (
    Answer,
    BackgroundCheck,
    Completion,
    Engagement,
    EngagementEvent,
    EngagementStatus,
    Offer,
    OfferStatus,
    Rung,
    User,
    utcnow,
)
from ..privacy import public_name
from .terms import terms_of, terms_problems

ADULT_AGE = 18


class Part(enum.StrEnum):
    """The part a person plays in one engagement."""

    EMPLOYER = "employer"
    STUDENT = "student"
    TEACHER = "teacher"
    SCHOOL_ADMIN = "school_admin"


STAFF_PARTS = frozenset({Part.TEACHER, Part.SCHOOL_ADMIN})


def part_of(engagement: Engagement, user: User) -> Part | None:
    """Only employer members of the organisation, the team's students, their teacher and the
    school's admins have a part; everyone else has none (and may not act)."""
    if not user.is_authenticated:
        return None
    if user.is_employer:
        return Part.EMPLOYER if user.organisation_id == engagement.organisation_id else None
    if user.is_student:
        return Part.STUDENT if engagement.team.has_member(user) else None
    if user.is_teacher:
        return Part.TEACHER if engagement.team.classroom.teacher_id == user.id else None
    if user.is_school_admin:
        return Part.SCHOOL_ADMIN if user.school_id == engagement.school_id else None
    return None


def has_part(engagement: Engagement, user: User, *parts: Part) -> bool:
    """Whether the user plays one of `parts` in the engagement: each step of the ladder names
    the parts that may take it (an offer is proposed by the employer, approved by staff …)."""
    return part_of(engagement, user) in parts


def can_view(engagement: Engagement, user: User) -> bool:
    """Everyone with a part reads the engagement and its timeline; so do the school's other
    teachers (the school-wide ladder lists them) and site admins. Only those with a part act."""
    if not user.is_authenticated:
        return False
    return (
        part_of(engagement, user) is not None
        or user.is_staff_of(engagement.school_id)
        or user.is_site_admin
    )


def is_draft_event(event: EngagementEvent) -> bool:
    """An event of an offer still a draft: drafted, edited, or discarded unsent."""
    draft, withdrawn = OfferStatus.DRAFT.value, OfferStatus.WITHDRAWN.value
    return event.to_state == draft or (event.from_state, event.to_state) == (draft, withdrawn)


def sees_event(event: EngagementEvent, user: User) -> bool:
    """Students never see the events of a draft (its sending, they do)."""
    return not (user.is_student and is_draft_event(event))


def sees_offer(offer: Offer, user: User) -> bool:
    """An employer's draft is theirs (and the school's) until it is sent: students never see
    it, nor its events."""
    return not (user.is_student and offer.status is OfferStatus.DRAFT)


def can_view_offer(offer: Offer, user: User) -> bool:
    """An offer, for those who read its engagement (students never see a draft); not for an
    organisation the school stopped working with."""
    return (
        can_view(offer.engagement, user)
        and sees_offer(offer, user)
        and not withdrawn_by_school(offer.engagement, user)
    )


def withdrawn_by_school(engagement: Engagement, user: User) -> bool:
    """An employer whose organisation the engagement's school declined or stopped verifying:
    from then on they see only that the school closed it, nothing of the students."""
    return user.is_employer and not engagement.organisation.is_verified_by(engagement.school_id)


def is_staff(engagement: Engagement, user: User) -> bool:
    return part_of(engagement, user) in STAFF_PARTS


def participants(offer: Offer) -> list[User]:
    """The students an offer is to: those named, or the whole team less those who stepped out
    of it."""
    members = offer.engagement.team.members
    named = offer.named_student_ids
    if named:
        return [m for m in members if m.id in named]
    out = {a.student_id for a in offer.answers if a.answer is Answer.STEPPED_OUT}
    return [m for m in members if m.id not in out]


def can_answer(offer: Offer, student: User) -> bool:
    """Whether the offer waits for this student's answer: an approved offer, or an individual
    one a teammate accepted first, that they have not answered yet."""
    waiting = offer.status is OfferStatus.APPROVED or (
        offer.is_individual and offer.status is OfferStatus.ACCEPTED
    )
    return waiting and answer_problem(offer, student) is None


def awaits_consent(offer: Offer, student: User) -> bool:
    """Whether a guardian's consent for `student` can still matter: the offer awaits an answer
    (proposed or approved), or it is an individual one a teammate accepted that waits for
    this student's own."""
    if offer.status in (OfferStatus.PROPOSED, OfferStatus.APPROVED):
        return True
    return offer.status is OfferStatus.ACCEPTED and can_answer(offer, student)


def answer_problem(offer: Offer, student: User) -> str | None:
    """Why `student` may not give their own answer to `offer` (None: they may)."""
    if student.id not in {p.id for p in participants(offer)}:
        return "This offer is addressed to other students of the team."
    answer = offer.answer_of(student.id)
    if answer is not None:
        return f"You already {answer.answer.label} this offer."
    return None


def adult_born_by(today: date) -> date:
    """The latest date of birth of someone who is no longer a minor on `today`."""
    try:
        return today.replace(year=today.year - ADULT_AGE)
    except ValueError:  # 29 February: that year has none, the day before is the last
        return date(today.year - ADULT_AGE, 2, 28)


def is_minor(student: User, today: date) -> bool:
    """Under 18, or of unknown age (treated as a minor: consent is then required)."""
    age = student.age_on(today)
    return age is None or age < ADULT_AGE


# --- gates -------------------------------------------------------------------------------------


def needs_skip(engagement: Engagement, rung: Rung) -> bool:
    """A rung beyond the next one that no teacher has allowed the engagement to jump to."""
    return skip_needed(engagement.rung, engagement.skip_allowed_to, rung)


def skip_needed(at: Rung, allowed: Rung | None, rung: Rung) -> bool:
    """`needs_skip` from an engagement's rung and the skip it was allowed (None: none)."""
    return rung.level > at.level + 1 and (allowed is None or allowed.level < rung.level)


def order_problem(engagement: Engagement, rung: Rung) -> str | None:
    """Rungs are climbed in order unless a teacher allowed a skip."""
    if rung.level <= engagement.rung.level:
        return f"This engagement is already at {engagement.rung.label}; offer a higher rung."
    if not needs_skip(engagement, rung):
        return None
    expected = engagement.rung.next
    return (
        f"Rungs are climbed in order: the next one is {expected.label if expected else 'none'}. "
        f"Skipping to {rung.label} needs the teacher's permission."
    )


def verification_problem(engagement: Engagement) -> str | None:
    if not engagement.organisation.is_verified_by(engagement.school_id):
        return f"{engagement.organisation.name} is not verified by {engagement.school.name}."
    return None


def background_check_for(user: User, school_id: int) -> BackgroundCheck | None:
    return next((c for c in user.background_checks if c.school_id == school_id), None)


def background_problem(offer: Offer, today: date, employer: User | None = None) -> str | None:
    """Mentorship and above need the background check of the employer who made the offer (and
    of `employer`, another member sending it), attested by the school's admin, valid today."""
    if offer.rung.level < Rung.MENTORSHIP.level:
        return None
    people = [offer.created_by] + ([employer] if employer is not None else [])
    for person in people:
        check = background_check_for(person, offer.engagement.school_id)
        if check is None or not check.is_valid_on(today):
            return (
                f"{public_name(person)} needs a background check recorded by "
                f"{offer.engagement.school.name}'s admin before {offer.rung.a} can go ahead."
            )
    return None


def deadline_passed(offer: Offer, today: date) -> bool:
    return offer.respond_by is not None and offer.respond_by < today


def proposal_problems(offer: Offer, today: date) -> list[str]:
    """What stops an offer from going to the teacher (or being approved)."""
    engagement = offer.engagement
    problems = [
        p
        for p in (
            "This engagement is no longer active."
            if engagement.status is not EngagementStatus.ACTIVE
            else None,
            verification_problem(engagement),
            order_problem(engagement, offer.rung),
            background_problem(offer, today),
        )
        if p
    ]
    problems += terms_problems(terms_of(offer), today).values()
    if offer.is_individual and not offer.recipients:
        problems.append(
            f"Name the students {offer.rung.a} is for: from job shadowing up, each student "
            "answers for their own placement."
        )
    return problems


def acceptance_problems(offer: Offer, student: User, today: date) -> list[str]:
    """Why `student` cannot accept `offer` today (empty: they can)."""
    problems = []
    if offer.status is OfferStatus.PROPOSED:
        problems.append("Waiting for the teacher's approval.")
    own = answer_problem(offer, student)
    if own:
        problems.append(own)
    # One student's yes to a team offer commits everyone it is to: each of them must be old
    # enough, and each minor's guardian must have consented. An individual offer commits only
    # the student who answers.
    answering = [student] if offer.is_individual else participants(offer)
    minimum = offer.engagement.school.min_age_for(offer.rung.value)
    too_young = [s for s in answering if minimum and not _at_least(s, minimum, today)]
    if too_young:
        problems.append(
            f"{offer.rung.a.capitalize()} is open to students aged {minimum} and over"
            + ("." if too_young == [student] else f" ({_names(too_young, student)} not yet).")
        )
    waiting = [s for s in consents_missing(offer, today) if s in answering]
    if student in waiting:
        problems.append("Waiting for your guardian's consent to be recorded by your teacher.")
    if [s for s in waiting if s is not student]:
        others = _names([s for s in waiting if s is not student], student)
        problems.append(f"Waiting for the guardian's consent of {others}, recorded by the teacher.")
    if deadline_passed(offer, today):
        problems.append("The deadline to answer has passed.")
    problems += [
        p
        for p in (
            verification_problem(offer.engagement),
            # A teammate's acceptance of an individual offer already climbed to its rung.
            None
            if offer.status is OfferStatus.ACCEPTED
            else order_problem(offer.engagement, offer.rung),
            background_problem(offer, today),
        )
        if p
    ]
    return problems


def _at_least(student: User, minimum: int, today: date) -> bool:
    age = student.age_on(today)
    return age is not None and age >= minimum


def _names(students: list[User], viewer: User) -> str:
    """Teammates by first name (the viewer is a student of the same team), the viewer as you."""
    return ", ".join("you" if s is viewer else s.first_name for s in students)


def consents_missing(offer: Offer, today: date) -> list[User]:
    """Minors the offer is to whose guardian's consent is not yet recorded."""
    return [
        s for s in participants(offer) if is_minor(s, today) and offer.consent_for(s.id) is None
    ]


# --- stall and next step ----------------------------------------------------------------------


def is_stalled(engagement: Engagement, now: Any = None) -> bool:
    """Active, with no event for the school's stall period."""
    if engagement.status is not EngagementStatus.ACTIVE:
        return False
    now = now or utcnow()
    return now - engagement.last_event_at > timedelta(days=engagement.school.stall_days)


def open_offer(engagement: Engagement, viewer: User | None = None) -> Offer | None:
    return next(
        (
            o
            for o in engagement.offers
            if o.status.is_open and (viewer is None or sees_offer(o, viewer))
        ),
        None,
    )


def next_step(engagement: Engagement, viewer: User | None = None) -> str:
    """What would move this engagement on, in a sentence for the page."""
    if engagement.status is EngagementStatus.COMPLETED:
        return "The ladder is complete: the internship was finished."
    if engagement.status is EngagementStatus.CLOSED:
        return "This engagement is closed."
    offer = open_offer(engagement, viewer)
    if offer is not None:
        return {
            OfferStatus.DRAFT: f"The employer can send the {offer.rung.label} offer.",
            OfferStatus.PROPOSED: f"The teacher can approve the {offer.rung.label} offer.",
            OfferStatus.APPROVED: f"The team can answer the {offer.rung.label} offer"
            + (f" by {offer.respond_by:%d %b}." if offer.respond_by else "."),
        }[offer.status]
    nxt = engagement.rung.next
    if engagement.rung is Rung.INTEREST:
        return "The employer can claim to mentor the team."
    if engagement.completion is Completion.OPEN and engagement.rung.is_workplace:
        return (
            f"The {engagement.rung.label} completes with the students' placements: the teacher "
            "completes each once its hours are verified and its final evaluation is in."
        )
    if engagement.completion is Completion.OPEN:
        return f"When the {engagement.rung.label} is done, the employer marks it complete."
    if engagement.completion is Completion.MARKED:
        return f"The teacher can confirm the {engagement.rung.label} is complete."
    return f"The employer can offer {nxt.a}." if nxt else "The ladder is complete."
