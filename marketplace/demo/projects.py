"""Demo projects for `flask seed-demo`: forty, in every lifecycle state (what each team built
is in `project_ideas`)."""

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
from .project_ideas import ASKS, TEAM_PROJECTS, Idea


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
