"""Demo challenges for `flask seed-demo`: several clusters, sponsors that are prospects,
every status, one shared with other schools and one adoption request waiting."""

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
#  statement)
_CHALLENGES = [
    ("riverside-high-school", "rivera@riverside.example", "Paper-free patient check-in",
     "Healthcare & Human Services", "Harbor Health Clinic", "open", False,
     ["user research", "forms", "accessibility"],
     "Patients at **Harbor Health Clinic** fill in three paper forms before every visit. "
     "Front-desk staff re-type them.\n\n- Who waits longest, and why?\n- What would a "
     "tablet check-in need to be usable by an 80-year-old?"),
    ("riverside-high-school", "rivera@riverside.example", "A safer loading dock",
     "Construction", "Summit Construction", "open", True, ["safety", "cad", "sensors"],
     "Summit Construction's yard has near-misses every month where forklifts and people cross. "
     "Design something that warns both — and costs less than a day of downtime."),
    ("riverside-high-school", "rivera@riverside.example", "Route planning for small deliveries",
     "Supply Chain & Transportation", "Riverbend Logistics", "open", False,
     ["spreadsheets", "maps", "python"],
     "Riverbend runs six vans across the county. Drivers plan their own routes each morning. "
     "Can a simple tool save an hour a day?"),
    ("riverside-high-school", "chen@riverside.example", "A brand for the farmers' market",
     "Marketing & Sales", None, "open", False, ["design", "social media"],
     "The Saturday farmers' market has forty stalls and no shared identity. "
     "Pitch a brand, a logo and a month of posts."),
    ("riverside-high-school", "chen@riverside.example", "Robot arm for a bakery line",
     "Advanced Manufacturing", "Bright Circuit Robotics", "closed", False,
     ["robotics", "cad", "arduino"],
     "A local bakery hand-packs 2,000 rolls a day. Prototype a pick-and-place helper."),
    ("riverside-high-school", "rivera@riverside.example", "Water use on a dairy farm",
     "Agriculture", "Greenfield Farms Co-op", "draft", False, ["data", "sensors"],
     "Draft: waiting for the co-op's numbers before we open it."),
    ("lakeview-middle-career-academy", "okafor@lakeview.example", "Teach kids to budget",
     "Financial Services", "Lakeview Credit Union", "open", True, ["money", "games"],
     "Design a game that teaches 10-year-olds what a budget is, for the credit union's "
     "Saturday workshops."),
    ("lakeview-middle-career-academy", "okafor@lakeview.example", "A poster for the town fair",
     "Arts, Entertainment & Design", "Pixel Harbor Studio", "archived", False, ["design"],
     "Last year's fair poster challenge, kept for reference."),
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
    market = db.session.scalar(sa.select(Challenge).filter_by(sponsor_id=None))
    robotics = by_name["Bright Circuit Robotics"]
    asker = db.session.scalar(
        sa.select(User).filter_by(organisation_id=robotics.id, role=Role.EMPLOYER)
    )
    db.session.add(
        AdoptionRequest(
            challenge=market,
            organisation=robotics,
            requested_by=asker,
            message="Our marketing team would love to mentor this one.",
        )
    )
    db.session.flush()
