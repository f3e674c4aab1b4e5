"""Demo challenges for `flask seed-demo`: several clusters, sponsors that are prospects,
every status, some shared with the other school and one adoption request waiting."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from .. import clock
from ..extensions import db
from ..models import (
    AdoptionRequest,
    Challenge,
    ChallengeStatus,
    Organisation,
    Role,
    School,
    User,
)

# (school slug, teacher e-mail, title, cluster, sponsor name or None, status, shared, skills,
#  statement). Every sponsor works in the challenge's career cluster; a statement never names a
#  sponsor that is still a prospect (employers and students are not told who it is). The
#  projects that answer each challenge are in `project_ideas`.
_CHALLENGES = [
    ("riverside-high-school", "rivera@riverside.example", "Paper-free patient check-in",
     "Healthcare & Human Services", "Harbor Health Clinic", "open", False,
     ["user research", "forms", "accessibility", "sms"],
     "Patients at **Harbor Health Clinic** fill in three paper forms before every visit. "
     "Front-desk staff re-type them.\n\n- Who waits longest, and why?\n- What would a "
     "tablet check-in need to be usable by an 80-year-old?"),
    ("riverside-high-school", "rivera@riverside.example", "A safer loading dock",
     "Construction", "Summit Construction", "open", True, ["safety", "cad", "sensors", "signage"],
     "A local builder's yard has near-misses every month where forklifts and people cross. "
     "Design something that warns both — and costs less than a day of downtime."),
    ("riverside-high-school", "rivera@riverside.example", "Route planning for small deliveries",
     "Supply Chain & Transportation", "Riverbend Logistics", "open", False,
     ["spreadsheets", "maps", "python", "logistics"],
     "A local courier runs six vans across the county. Drivers plan their own routes each morning. "
     "Can a simple tool save an hour a day?"),
    ("riverside-high-school", "chen@riverside.example", "A brand for the farmers' market",
     "Marketing & Sales", None, "open", False,
     ["design", "social media", "video", "packaging"],
     "The Saturday farmers' market has forty stalls and no shared identity. "
     "Pitch a brand, a logo and a month of posts."),
    ("riverside-high-school", "chen@riverside.example", "Robot arm for a bakery line",
     "Advanced Manufacturing", "Bright Circuit Robotics", "closed", False,
     ["robotics", "cad", "arduino"],
     "A local bakery hand-packs 2,000 rolls a day. Prototype a pick-and-place helper."),
    ("riverside-high-school", "rivera@riverside.example", "Water use on a dairy farm",
     "Agriculture", "Greenfield Farms Co-op", "draft", False, ["data", "sensors"],
     "Draft: waiting for the co-op's numbers before we open it."),
    ("riverside-high-school", "rivera@riverside.example", "Supplies where the nurses need them",
     "Healthcare & Human Services", "Harbor Health Clinic", "open", False,
     ["user research", "sensors", "signage", "checklists"],
     "Harbor Health's nurses walk to the supply room a dozen times a shift because an exam "
     "room ran out of gloves or gauze.\n\n- Who notices first that a shelf is empty?\n- How "
     "could a room ask for a refill before it runs out?"),
    ("riverside-high-school", "rivera@riverside.example", "Money skills for a first paycheck",
     "Financial Services", "Riverside Community Credit Union", "open", True,
     ["money", "spreadsheets", "video", "marketing"],
     "Teenagers get their first paycheck and their first bills in the same month: a phone, a "
     "bus pass, a co-pay. **Riverside Community Credit Union** wants 16- to 19-year-olds to "
     "start with a plan. Build something they would actually use."),
    ("riverside-high-school", "chen@riverside.example", "Bus stops riders can read",
     "Supply Chain & Transportation", "Riverside Metro Transit", "open", False,
     ["design", "signage", "maps", "accessibility"],
     "Riverside Metro's stops show a route number and nothing else. Riders who are new, older "
     "or still learning English miss their bus. Design stops, maps or guides that tell anyone "
     "where the bus goes and when the next one comes."),
    ("lakeview-middle-career-academy", "okafor@lakeview.example", "Teach kids to budget",
     "Financial Services", "Lakeview Credit Union", "open", True, ["money", "games", "design"],
     "Design a game that teaches 10-year-olds what a budget is, for the credit union's "
     "Saturday workshops."),
    ("lakeview-middle-career-academy", "okafor@lakeview.example", "A poster for the town fair",
     "Arts, Entertainment & Design", "Pixel Harbor Studio", "archived", False, ["design"],
     "Last year's fair poster challenge, kept for reference."),
    ("lakeview-middle-career-academy", "okafor@lakeview.example",
     "A new look for the summer festival", "Arts, Entertainment & Design", "Pixel Harbor Studio",
     "open", False, ["design", "branding", "social media", "events"],
     "The Lakeview summer festival draws 8,000 visitors and still uses a clip-art logo. "
     "**Pixel Harbor Studio** will print the best identity: a logo, posters, and a plan that "
     "gets visitors to every corner of the festival."),
    ("lakeview-middle-career-academy", "okafor@lakeview.example", "Sort the school's recycling",
     "Advanced Manufacturing", "Bright Circuit Robotics", "open", False,
     ["robotics", "sensors", "cad", "design"],
     "Half of what goes into the academy's recycling bins is thrown away because cans, bottles "
     "and paper get mixed. Bright Circuit builds sorting machines for factories: build a small "
     "one, or a bin that sorts itself."),
]  # fmt: skip


def seed_challenges() -> None:
    """Create the demo challenges (after the schools, staff and organisations)."""
    today = clock.today_in(clock.default_zone())
    by_name = {o.name: o for o in db.session.scalars(sa.select(Organisation))}
    for n, row in enumerate(_CHALLENGES):
        slug, email, title, cluster, sponsor, status, shared, skills, statement = row
        school = db.session.scalar(sa.select(School).filter_by(slug=slug))
        author = db.session.scalar(sa.select(User).filter_by(email=email))
        db.session.add(
            Challenge(
                school=school,
                created_by=author,
                title=title,
                statement=statement,
                career_cluster=cluster,
                skills=skills,
                deliverables=["One-sentence pitch", "Slide deck", "Prototype demo"],
                starts_on=today - timedelta(days=30 - n),
                due_on=today + timedelta(days=45 + 7 * n),
                sponsor=by_name.get(sponsor) if sponsor else None,
                status=ChallengeStatus(status),
                shared=shared,
            )
        )
    db.session.flush()
    market = db.session.scalars(
        sa.select(Challenge).filter_by(title="A brand for the farmers' market")
    ).one()
    robotics = by_name["Bright Circuit Robotics"]
    asker = db.session.scalar(
        sa.select(User).filter_by(organisation_id=robotics.id, role=Role.EMPLOYER)
    )
    db.session.add(
        AdoptionRequest(
            challenge=market,
            organisation=robotics,
            requested_by=asker,
            message="Our marketing team makes our product videos; we would love to sponsor this.",
        )
    )
    db.session.flush()
