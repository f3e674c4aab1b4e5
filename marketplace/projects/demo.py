"""Demo projects for `flask seed-demo`: about forty, in every lifecycle state."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from ..extensions import db
from ..models import (
    Challenge,
    ChallengeStatus,
    Project,
    ProjectSnapshot,
    ProjectStatus,
    Team,
    utcnow,
)

_IDEAS = [
    ("CheckIn Buddy", "A tablet check-in an 80-year-old can finish in two minutes.",
     ["user research", "figma", "accessibility"]),
    ("Dock Sentinel", "Ultrasonic sensors that flash a light when a forklift nears a walkway.",
     ["arduino", "sensors", "safety"]),
    ("Van Route Planner", "A spreadsheet add-on that orders delivery stops by drive time.",
     ["spreadsheets", "maps", "python"]),
    ("Market Stories", "A brand and thirty posts that tell the farmers' story.",
     ["design", "social media", "writing"]),
    ("Roll Picker", "A cardboard-and-servo arm that packs six rolls a minute.",
     ["robotics", "cad", "arduino"]),
    ("Budget Quest", "A board game where 10-year-olds plan a week of pocket money.",
     ["games", "money", "design"]),
    ("Quiet Queue", "Text-message alerts so patients wait outside, not in a crowded room.",
     ["sms", "python", "user research"]),
    ("Safe Steps", "Painted floor paths and a poster campaign for the loading dock.",
     ["safety", "design", "signage"]),
]  # fmt: skip

# Per team: the states of its projects (40 projects over 10 teams).
_STATES = [
    ProjectStatus.PUBLISHED,
    ProjectStatus.PUBLISHED,
    ProjectStatus.SUBMITTED,
    ProjectStatus.DRAFT,
]
_ALSO = [ProjectStatus.CHANGES_REQUESTED, ProjectStatus.ARCHIVED]


def seed_projects() -> None:
    """Create the demo projects (after teams and challenges)."""
    teams = list(db.session.scalars(sa.select(Team).order_by(Team.id)))
    now = utcnow()
    n = 0
    for t, team in enumerate(teams):
        challenges = list(
            db.session.scalars(
                sa.select(Challenge)
                .where(
                    Challenge.status.in_((ChallengeStatus.OPEN, ChallengeStatus.CLOSED)),
                    sa.or_(Challenge.school_id == team.school_id, Challenge.shared.is_(True)),
                )
                .order_by(Challenge.id)
            )
        )
        states = [*_STATES[:3], _ALSO[t % 2] if t % 3 == 0 else ProjectStatus.DRAFT]
        for s, status in enumerate(states):
            title, pitch, skills = _IDEAS[n % len(_IDEAS)]
            challenge = challenges[(t + s) % len(challenges)]
            n += 1
            project = Project(
                team=team,
                challenge=challenge,
                school_id=team.school_id,
                title=f"{title} {n}" if n > len(_IDEAS) else title,
                pitch=pitch,
                summary=f"Team {team.name}'s answer to “{challenge.title}”.",
                body=(
                    f"## The problem\n\n{challenge.title}: we visited the site and talked to "
                    f"the people who live with it.\n\n## What we built\n\n{pitch}\n\n"
                    "## How we tested it\n\n- Five users tried it\n- We timed every step\n"
                ),
                skills=skills,
                demo_url="https://example.org/demo",
                status=status,
                published_at=(
                    now - timedelta(days=3 * n)
                    if status in (ProjectStatus.PUBLISHED, ProjectStatus.ARCHIVED)
                    else None
                ),
            )
            db.session.add(project)
            if status is not ProjectStatus.DRAFT:
                first = team.memberships[0].student if team.memberships else None
                if first is not None:
                    db.session.add(
                        ProjectSnapshot(
                            project=project,
                            number=1,
                            data=project.snapshot_data(),
                            submitted_by=first,
                            outcome=None if status is ProjectStatus.SUBMITTED else status,
                            review_comment=(
                                "Add what the users said in their own words."
                                if status is ProjectStatus.CHANGES_REQUESTED
                                else ""
                            ),
                        )
                    )
    db.session.flush()
