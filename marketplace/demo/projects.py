"""Demo projects for `flask seed-demo`: about forty, in every lifecycle state."""

from __future__ import annotations

import hashlib
import io
import uuid
from datetime import timedelta

import sqlalchemy as sa
from PIL import Image

from ..extensions import db
from ..models import (
    Challenge,
    ChallengeStatus,
    FileStatus,
    Project,
    ProjectFile,
    ProjectSnapshot,
    ProjectStatus,
    Team,
    User,
    utcnow,
)
from ..storage import storage

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


def tiny_pdf(title: str) -> bytes:
    """A real one-page PDF showing `title` (demo data has no other source of files)."""
    text = title.encode("latin-1", "replace").replace(b"(", b"[").replace(b")", b"]")
    stream = b"BT /F1 24 Tf 72 720 Td (" + text + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer << /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def cover_png(seed: int) -> bytes:
    """A small coloured cover image."""
    colours = ["#1f6fb2", "#2e8540", "#b3261e", "#7a5a00", "#5b3fa0", "#00796b"]
    image = Image.new("RGB", (320, 180), colours[seed % len(colours)])
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _attach(
    project: Project, uploader: User, filename: str, kind: str, mime: str, data: bytes
) -> None:
    key = f"projects/{project.id}/{uuid.uuid4().hex}.{filename.rpartition('.')[2]}"
    storage().write(key, [data], len(data))
    db.session.add(
        ProjectFile(
            project=project,
            key=key,
            filename=filename,
            kind=kind,
            content_type=mime,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            status=FileStatus.STORED,
            uploaded_by=uploader,
            stored_at=utcnow(),
        )
    )


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
            first = team.memberships[0].student if team.memberships else None
            if status in (ProjectStatus.PUBLISHED, ProjectStatus.ARCHIVED) and first is not None:
                db.session.flush()
                _attach(
                    project, first, "pitch.pdf", "pdf", "application/pdf", tiny_pdf(project.title)
                )
                _attach(project, first, "cover.png", "image", "image/png", cover_png(n))
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
