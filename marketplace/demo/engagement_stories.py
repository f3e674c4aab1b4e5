"""The demo's engagements, one story each (run by `engagements.seed_engagements`).

Every rung and state appears: engagements at interest, mentorship, job shadowing, externship
and internship, one ladder completed and one closed; offers proposed, approved, accepted,
declined, withdrawn and expired; one engagement stalled, one offer blocked by a missing
guardian consent, one draft waiting for the teacher to allow a skip.

Riverside's first Engineering Design project (Ava's team's CheckIn Buddy) is left without any
engagement, for the presenter to climb live with Harbor Health; Ava's team has a shadow day
from Keystone waiting for its answer. Ages are chosen so that every acceptance passes the age
gates whatever the day of the year (the seed's birthdays fall between January and July).
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import sqlalchemy as sa

from ..engagements import ladder
from ..extensions import db
from ..models import Rung, School, utcnow

if TYPE_CHECKING:
    from .engagements import Demo, Later, Story

ENGR, HEALTH, MEDIA = "Engineering Design, period 3", "Health Science Pathway", "Digital Media Arts"
STEM, BUSINESS = "Grade 7 STEM Exploration", "Business & Marketing 10"
TRAIL, OWLS = "Trailblazers", "Night Owls"
HARBOR, BRIGHT, PIXEL = (
    "jordan@harborhealth.example",
    "priya@brightcircuit.example",
    "tom@pixelharbor.example",
)
KEYSTONE, CREDIT, TRANSIT = (
    "dana@keystoneprecision.example",
    "marcus@rccu.example",
    "alicia@ridemetro.example",
)
# Terms of the offers left open: the deadline stays ahead for over a week after seeding.
LATER: Later = {"start": 21, "respond": 16}


def background_checks(d: Demo) -> Story:
    """The school admins attest the demo employers who make mentorship offers and above."""
    yield 150, 15
    for slug, admin, members in (
        ("riverside-high-school", "admin@riverside.example", (HARBOR, BRIGHT, KEYSTONE)),
        ("riverside-high-school", "admin@riverside.example", (CREDIT, TRANSIT)),
        ("lakeview-middle-career-academy", "admin@lakeview.example", (BRIGHT, CREDIT, PIXEL)),
    ):
        school = db.session.scalars(sa.select(School).filter_by(slug=slug)).one()
        for n, login in enumerate(members):
            member, checked = d.user(login), d.today - timedelta(days=160 - 3 * n)
            ladder.attest_background_check(
                school,
                d.user(admin),
                member,
                checked,
                checked + timedelta(days=730),
                f"LiveScan {checked:%Y}-{school.id}{member.id:04d}",
            )


def completed_ladder(d: Demo) -> Story:
    """Harbor Health and Health Science's Trailblazers: the whole ladder, confirmed complete."""
    yield 150, 16
    e = ladder.show_interest(
        d.project(HEALTH, TRAIL, 0),
        d.user(HARBOR),
        "Your check-in prototype is exactly the problem our front desk has. Can we help?",
    )
    sofia = d.user("sofia.g")
    yield from d.climb(
        e, Rung.MENTORSHIP, sofia, "Patient-experience mentor", (146, 145, 143), (117, 116)
    )
    yield from d.climb(
        e, Rung.JOB_SHADOWING, sofia, "Shadow day: front desk and triage", (114, 113, 112),
        (103, 102),
    )  # fmt: skip
    yield from d.climb(
        e, Rung.EXTERNSHIP, sofia, "Patient intake externship", (100, 99, 98), (57, 56)
    )
    yield from d.climb(
        e, Rung.INTERNSHIP, sofia, "Clinical informatics intern", (54, 53, 52), (4, 3),
        students=("sofia.g",), weeks=4,
    )  # fmt: skip


def internship(d: Demo) -> Story:
    """Harbor Health and Health Science's Night Owls: climbed to a paid internship."""
    yield 110, 17
    e = ladder.show_interest(d.project(HEALTH, OWLS, 0), d.user(HARBOR), "")
    mateo = d.user("mateo.l")
    yield from d.climb(e, Rung.MENTORSHIP, mateo, "Project mentor", (106, 105, 104), (77, 76))
    yield from d.climb(
        e, Rung.JOB_SHADOWING, mateo, "Shadow day: patient access", (74, 73, 72), (63, 62)
    )
    yield from d.climb(
        e, Rung.EXTERNSHIP, mateo, "Scheduling desk externship", (60, 59, 58), (14, 13)
    )
    yield from d.climb(
        e, Rung.INTERNSHIP, mateo, "Patient access intern", (12, 11, 8),
        students=("mateo.l", "chloe.d"), amount=17,
    )  # fmt: skip


def externship(d: Demo) -> Story:
    """Bright Circuit and Health Science's Trailblazers: in an externship, with the summer
    internship proposed (waiting for the teacher)."""
    yield 80, 17
    e = ladder.show_interest(
        d.project(HEALTH, TRAIL, 1), d.user(BRIGHT), "We build delivery robots for hospitals."
    )
    lucas = d.user("lucas.w")
    yield from d.climb(e, Rung.MENTORSHIP, lucas, "Robotics mentor", (76, 75, 74), (47, 46))
    yield from d.climb(
        e, Rung.JOB_SHADOWING, lucas, "Shadow day: assembly and test", (44, 43, 42), (33, 32)
    )
    yield from d.climb(
        e, Rung.EXTERNSHIP, lucas, "Hospital delivery-robot externship", (30, 29, 28)
    )
    yield 2, 15
    offer = d.offer(e, Rung.INTERNSHIP, "Robotics technician intern", amount=18)
    ladder.propose(offer, e.opened_by, d.today)


def awaiting_ava(d: Demo) -> Story:
    """Keystone and Ava's team: mentored, and a shadow day approved (with every guardian's
    consent), awaiting the team's answer."""
    yield 45, 14
    e = ladder.show_interest(
        d.project(ENGR, TRAIL, 1),
        d.user(KEYSTONE),
        "Our loading bays have the same near-misses. We would like to see your sensor rig.",
    )
    ava = d.user("ava.m")
    yield from d.climb(
        e, Rung.MENTORSHIP, ava, "Design-for-manufacture mentor", (43, 42, 41), (14, 13)
    )
    yield 5, 15
    offer = d.offer(e, Rung.JOB_SHADOWING, "Shadow day: CNC shop and quality lab", **LATER)
    ladder.propose(offer, e.opened_by, d.today)
    yield 3, 14
    ladder.approve(offer, e.team.advisor, d.today)
    for student in e.team.members:
        d.consent(offer, student)


def declined(d: Demo) -> Story:
    """Bright Circuit and Engineering's Night Owls: a shadow day declined, with why; the
    mentorship marked done, for the teacher to confirm."""
    yield 47, 18
    e = ladder.show_interest(d.project(ENGR, OWLS, 0), d.user(BRIGHT), "")
    yield from d.climb(e, Rung.MENTORSHIP, d.user("liam.n"), "Robot arm mentor", (44, 43, 42))
    yield 10, 15
    offer = d.offer(e, Rung.JOB_SHADOWING, "Shadow day: the robot cell", students=("zoe.p",))
    ladder.propose(offer, e.opened_by, d.today)
    yield 9, 14
    ladder.approve(offer, e.team.advisor, d.today)
    yield 6, 21
    ladder.decline(
        offer,
        d.user("zoe.p"),
        "We have the regional robotics qualifier that Saturday. Could we pick a weekday?",
    )
    yield 2, 16
    ladder.mark_complete(e, e.opened_by)


def skip_draft(d: Demo) -> Story:
    """Harbor Health and Engineering's Night Owls: a shadow day drafted straight after
    interest, skipping mentorship; the teacher has to allow the skip."""
    yield 9, 16
    e = ladder.show_interest(
        d.project(ENGR, OWLS, 1), d.user(HARBOR), "Could this help our patients budget?"
    )
    yield 4, 15
    d.offer(e, Rung.JOB_SHADOWING, "Clinic shadow day: billing and patient finance", **LATER)


def consent_missing(d: Demo) -> Story:
    """Metro Transit and the same project: a mentorship approved for Liam, whose guardian's
    consent is not recorded yet (the teacher's queue shows it, his offer says why it waits)."""
    yield 15, 17
    e = ladder.show_interest(
        d.project(ENGR, OWLS, 1), d.user(TRANSIT), "Riders plan their week around fares too."
    )
    yield 6, 15
    offer = d.offer(e, Rung.MENTORSHIP, "Fare-data mentor", students=("liam.n",), **LATER)
    ladder.propose(offer, e.opened_by, d.today)
    yield 5, 14
    ladder.approve(offer, e.team.advisor, d.today)


def stalled(d: Demo) -> Story:
    """The credit union and Health Science's Night Owls: a mentorship, then silence."""
    yield 36, 15
    e = ladder.show_interest(d.project(HEALTH, OWLS, 1), d.user(CREDIT), "")
    yield from d.climb(
        e, Rung.MENTORSHIP, d.user("chloe.d"), "Financial-literacy mentor", (34, 33, 24),
        start=14, respond=12,
    )  # fmt: skip


def withdrawn(d: Demo) -> Story:
    """Metro Transit and Digital Media's Trailblazers: an offer withdrawn, a new one proposed."""
    yield 30, 16
    e = ladder.show_interest(
        d.project(MEDIA, TRAIL, 0), d.user(TRANSIT), "Could these signs work at the downtown hub?"
    )
    yield 16, 15
    offer = d.offer(e, Rung.MENTORSHIP, "Wayfinding design mentor")
    ladder.propose(offer, e.opened_by, d.today)
    yield 12, 17
    ladder.withdraw(offer, e.opened_by)
    yield 3, 15
    offer = d.offer(
        e, Rung.MENTORSHIP, "Rider-information design mentor", hours_per_week=2, **LATER
    )
    ladder.propose(offer, e.opened_by, d.today)


def expired(d: Demo) -> Story:
    """Bright Circuit and Digital Media's Trailblazers: a mentorship offer left unanswered."""
    yield 23, 17
    e = ladder.show_interest(
        d.project(MEDIA, TRAIL, 1), d.user(BRIGHT), "We need short films of our robots too."
    )
    yield 16, 15
    offer = d.offer(e, Rung.MENTORSHIP, "Product-video mentor")
    ladder.propose(offer, e.opened_by, d.today)
    yield 15, 14
    ladder.approve(offer, e.team.advisor, d.today)
    yield 8, 6  # the nightly `flask expire-offers`
    d.back_date(offer)
    ladder.expire_overdue(utcnow())


def marked(d: Demo) -> Story:
    """Keystone and Digital Media's Night Owls: the shadow day marked done, to be confirmed."""
    yield 50, 15
    e = ladder.show_interest(
        d.project(MEDIA, OWLS, 0),
        d.user(KEYSTONE),
        "We ship parts in boxes all day; your crates fold better than ours.",
    )
    aiden = d.user("aiden.j")
    yield from d.climb(e, Rung.MENTORSHIP, aiden, "Packaging design mentor", (48, 47, 46), (20, 19))
    yield from d.climb(
        e, Rung.JOB_SHADOWING, aiden, "Shadow day: packaging line", (18, 17, 16), (3,)
    )


def closed(d: Demo) -> Story:
    """The credit union and Digital Media's Night Owls: mentored, then closed by the employer."""
    yield 60, 15
    e = ladder.show_interest(d.project(MEDIA, OWLS, 1), d.user(CREDIT), "")
    yield from d.climb(e, Rung.MENTORSHIP, d.user("nora.w"), "Budget-game mentor", (57, 56, 55))
    yield 13, 16
    ladder.close(
        e, e.opened_by, "Our mentor moved to another branch; we will reach out again in spring."
    )


def design_mentor(d: Demo) -> Story:
    """Pixel Harbor and Lakeview's Business Trailblazers: a mentorship for Lily, approved with
    her guardian's consent, awaiting her answer; and interest in the team's other project."""
    yield 15, 16
    e = ladder.show_interest(d.project(BUSINESS, TRAIL, 1), d.user(PIXEL), "Love the logo work.")
    yield 6, 16
    offer = d.offer(e, Rung.MENTORSHIP, "Brand design mentor", students=("lily.r",), **LATER)
    ladder.propose(offer, e.opened_by, d.today)
    yield 4, 14
    ladder.approve(offer, e.team.advisor, d.today)
    d.consent(offer, d.user("lily.r"))
    yield 4, 18
    ladder.show_interest(d.project(BUSINESS, TRAIL, 0), d.user(PIXEL), "")


def grade_seven(d: Demo) -> Story:
    """Bright Circuit and Lakeview's Grade 7 Trailblazers: a remote mentorship."""
    yield 20, 16
    e = ladder.show_interest(d.project(STEM, TRAIL, 0), d.user(BRIGHT), "")
    yield from d.climb(e, Rung.MENTORSHIP, d.user("ella.s"), "Young engineers mentor", (14, 13, 10))


def branch_shadow(d: Demo) -> Story:
    """The credit union and Lakeview's Business Night Owls: mentored, then a shadow day."""
    yield 30, 15
    e = ladder.show_interest(d.project(BUSINESS, OWLS, 0), d.user(CREDIT), "")
    jacob = d.user("jacob.t")
    yield from d.climb(
        e, Rung.MENTORSHIP, jacob, "Member-services mentor", (28, 27, 26), (7, 6), weeks=2
    )
    yield from d.climb(
        e, Rung.JOB_SHADOWING, jacob, "Shadow day: a branch from open to close", (5, 4, 3)
    )


STORIES = (
    background_checks, completed_ladder, internship, externship, awaiting_ava, declined,
    skip_draft, consent_missing, stalled, withdrawn, expired, marked, closed, design_mentor,
    grade_seven, branch_shadow,
)  # fmt: skip
