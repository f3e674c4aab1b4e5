"""Demo projects for `flask seed-demo`: forty, in every lifecycle state (what each team built
is in `project_ideas`; their pitches' files in `pitches`)."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from ..extensions import db
from ..models import (
    Challenge,
    Project,
    ProjectSnapshot,
    ProjectStatus,
    Team,
    utcnow,
)
from .project_ideas import ASKS, TEAM_PROJECTS, Idea


def _body(challenge: Challenge, idea: Idea) -> str:
    """The project's story in Markdown: the problem (the challenge's first paragraph), what the
    team built, how they tested it."""
    problem = challenge.statement.split("\n\n", 1)[0]
    return (
        f"## The problem\n\n{problem}\n\n## What we built\n\n{idea.summary}\n\n"
        f"## How we tested it\n\n{idea.tested}\n"
    )


def seed_projects() -> None:
    """Create the demo projects (after teams and challenges)."""
    challenges = {c.title: c for c in db.session.scalars(sa.select(Challenge))}
    teams = list(db.session.scalars(sa.select(Team).order_by(Team.id)))
    now = utcnow()
    n = 0
    for team in teams:
        for idea in TEAM_PROJECTS[(team.classroom.name, team.name)]:
            challenge = challenges[idea.challenge]
            status = idea.status
            n += 1
            project = Project(
                team=team,
                challenge=challenge,
                school_id=team.school_id,
                title=idea.title,
                pitch=idea.pitch,
                ask=ASKS.get(idea.challenge, ""),
                summary=idea.summary,
                body=_body(challenge, idea),
                skills=idea.skills,
                demo_url="https://example.org/demo",
                status=status,
                published_at=(
                    now - timedelta(days=3 * n)
                    if status in (ProjectStatus.PUBLISHED, ProjectStatus.ARCHIVED)
                    else None
                ),
            )
            db.session.add(project)
            first = team.memberships[0].student if team.memberships else None
            if status is not ProjectStatus.DRAFT and first is not None:
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
