"""Demo pitches for `flask seed-demo`: every published project puts forward a designed cover and
a deck of slides made from what the team built; two of them a short video too (one with its
captions, one without, so both ways the page reads are there). The files go through the media
jobs like uploaded ones: the worker `make run` starts prepares them in its first seconds.
"""

from __future__ import annotations

import hashlib
import io
import subprocess
import tempfile
import textwrap
import uuid
from pathlib import Path

import pikepdf
import sqlalchemy as sa
from PIL import Image, ImageDraw, ImageFont

from .. import media
from ..clusters import CAREER_CLUSTERS
from ..extensions import db
from ..models import (
    FileStatus,
    PitchRole,
    Project,
    ProjectFile,
    ProjectStatus,
    User,
    utcnow,
)
from ..storage import storage

# The cover's two colours per career cluster (the cards' placeholder gradients, app.css).
GRADIENTS = [
    ("#4a5d73", "#6d8299"), ("#3f7d3a", "#6aa85f"), ("#8e3b8a", "#c266b8"),
    ("#a0612a", "#d08c4b"), ("#1f5fa8", "#4b8fd6"), ("#b5542c", "#e07a4e"),
    ("#2f7f74", "#55ab9e"), ("#2d6a4f", "#52a37c"), ("#b03a48", "#de6473"),
    ("#9a6b12", "#cc9a36"), ("#4b3f8f", "#7567c2"), ("#a13d6d", "#d16a9a"),
    ("#25466e", "#4a72a3"), ("#52606d", "#7b8a98"),
]  # fmt: skip
VIDEOS = 2  # the first published projects with a video (the first with captions)


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def _card(project: Project, lines: list[str], size: tuple[int, int] = (1280, 720)) -> Image.Image:
    """A picture in the project's cluster colours: a title and a few lines of text."""
    cluster = project.challenge.career_cluster
    start, end = GRADIENTS[CAREER_CLUSTERS.index(cluster) % len(GRADIENTS)]
    width, height = size
    top, bottom = _rgb(start), _rgb(end)
    # A left-to-right gradient: one row of 256 steps, stretched to the picture's size.
    steps = [
        tuple(round(a + (b - a) * i / 255) for a, b in zip(top, bottom, strict=True))
        for i in range(256)
    ]
    row = Image.new("RGB", (256, 1))
    row.putdata(steps)
    image = row.resize(size, Image.Resampling.BILINEAR)
    draw = ImageDraw.Draw(image)
    for n in range(5):  # soft circles: something to look at besides the words
        r = height // (3 + n)
        cx, cy = width - (n + 1) * width // 7, (n * 137) % height
        draw.ellipse([cx - r, cy - r, cx + r, cy + r], outline=(255, 255, 255), width=2)
    title = ImageFont.load_default(size=height // 9)
    body = ImageFont.load_default(size=height // 22)
    draw.text((width // 16, height // 3), project.title, font=title, fill="white")
    y = height // 3 + height // 7
    for line in lines:
        for wrapped in textwrap.wrap(line, 60):
            draw.text((width // 16, y), wrapped, font=body, fill=(255, 255, 255))
            y += height // 16
    return image


def cover(project: Project) -> bytes:
    out = io.BytesIO()
    _card(project, [project.pitch]).save(out, format="PNG")
    return out.getvalue()


def _slides(project: Project) -> list[tuple[str, str]]:
    """A deck's slides: (heading, text), from the project's own words."""
    problem = project.challenge.statement.split("\n\n", 1)[0].replace("**", "")
    slides = [
        (project.title, project.pitch),
        ("The problem", problem),
        ("What we built", project.summary),
        ("Skills we used", ", ".join(project.skills)),
    ]
    if project.ask:
        slides.append(("What we would like from a partner", project.ask))
    return slides


def _pdf_text(text: str) -> str:
    safe = text.encode("latin-1", "replace").decode("latin-1")
    return safe.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def deck(project: Project) -> bytes:
    """A slide-shaped PDF with real text (so the slides' images get words for their alt text)."""
    document = pikepdf.new()
    regular, bold = (
        document.make_indirect(
            pikepdf.Dictionary(
                Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name(name)
            )
        )
        for name in ("/Helvetica", "/Helvetica-Bold")
    )
    r, g, b = (c / 255 for c in _rgb(GRADIENTS[0][0]))
    for heading, text in _slides(project):
        page = document.add_blank_page(page_size=(720, 405))
        page.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=regular, F2=bold))
        lines = textwrap.wrap(text, 58)[:9]
        body = "".join(f"0 -24 Td ({_pdf_text(line)}) Tj " for line in lines)
        content = (
            f"{r:.3f} {g:.3f} {b:.3f} rg 0 365 720 40 re f "
            f"BT /F2 26 Tf 0 0 0 rg 40 320 Td ({_pdf_text(heading)}) Tj ET "
            f"BT /F1 16 Tf 40 300 Td {body}ET"
        )
        page.Contents = document.make_stream(content.encode("latin-1"))
    out = io.BytesIO()
    document.save(out, deterministic_id=True)
    return out.getvalue()


def video(project: Project) -> bytes:
    """A short MP4 (H.264) of the deck's headings, two seconds each, made by the wheel's ffmpeg."""
    import imageio_ffmpeg

    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        for n, (heading, text) in enumerate(_slides(project)[:4]):
            _card(project, [heading, text[:120]], size=(854, 480)).save(work / f"{n}.png")
        out = work / "pitch.mp4"
        command = [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-nostdin"]
        command += ["-framerate", "1/2", "-i", str(work / "%d.png")]
        command += ["-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-r", "10"]
        command += ["-movflags", "+faststart", str(out)]
        subprocess.run(command, check=True, capture_output=True, timeout=60)  # noqa: S603
        return out.read_bytes()


def captions(project: Project) -> bytes:
    """The video's captions, one cue per slide."""
    cues = ["WEBVTT", ""]
    for n, (heading, _) in enumerate(_slides(project)[:4]):
        cues += [f"00:00:0{2 * n}.000 --> 00:00:0{2 * n + 1}.900", heading, ""]
    return "\n".join(cues).encode()


def _attach(
    project: Project, uploader: User, filename: str, kind: str, mime: str, data: bytes
) -> ProjectFile:
    key = f"projects/{project.id}/{uuid.uuid4().hex}.{filename.rpartition('.')[2]}"
    storage().write(key, [data], len(data))
    row = ProjectFile(
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
    db.session.add(row)
    db.session.flush()
    media.enqueue(row)
    return row


def seed_pitches() -> None:
    """Covers and decks for the published (and archived) demo projects; videos for two."""
    projects = db.session.scalars(
        sa.select(Project)
        .where(Project.status.in_([ProjectStatus.PUBLISHED, ProjectStatus.ARCHIVED]))
        .order_by(Project.id)
    )
    for n, project in enumerate(projects):
        if not project.team.memberships:
            continue
        first = project.team.memberships[0].student
        pitched = [
            (_attach(project, first, "cover.png", "image", "image/png", cover(project)), "cover"),
            (_attach(project, first, "pitch.pdf", "pdf", "application/pdf", deck(project)), "deck"),
        ]
        if n < VIDEOS:
            pitched.append(
                (
                    _attach(project, first, "pitch.mp4", "video", "video/mp4", video(project)),
                    "video",
                )
            )
        if n == 0:
            vtt = _attach(project, first, "pitch.vtt", "captions", "text/vtt", captions(project))
            pitched.append((vtt, "captions"))
        for row, role in pitched:
            row.pitch_role = PitchRole(role)
    db.session.flush()
