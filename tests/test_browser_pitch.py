"""The pitch in a real Chromium: an employer sees covers on the browse cards, watches the video
(it plays, seeks and shows captions) and pages through the deck with the keyboard; the same
with files in an S3 bucket (SeaweedFS), uploaded by the team from the browser straight to it."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from marketplace import media
from marketplace.extensions import db
from marketplace.models import PitchRole, Project, ProjectStatus, utcnow
from marketplace.projects import files, pitch
from marketplace.storage import S3Storage

from . import uploads
from .browsing import log_in, once_per_ci, shot
from .s3 import s3_settings

pytestmark = [
    pytest.mark.browser,
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
]

PITCH_FILES = {
    "cover.png": (uploads.png((1200, 675)), PitchRole.COVER),
    "pitch.pdf": (uploads.pdf_deck(), PitchRole.DECK),
    "pitch.mp4": (uploads.video("h264", seconds=3.0), PitchRole.VIDEO),
    "pitch.vtt": (uploads.CAPTIONS, PitchRole.CAPTIONS),
}


def pitched_project(app, make) -> tuple[Project, object]:
    """A published project whose team put forward a cover, a deck, a video and its captions,
    all prepared by the worker; and an employer the school verified."""
    project = make.project(title="CheckIn Buddy")
    student = project.team.memberships[0].student
    with app.test_request_context():
        for name, (data, role) in PITCH_FILES.items():
            row = files.upload_whole(project, student, name, io.BytesIO(data), len(data))
            pitch.choose(row, role, student)
    db.session.commit()  # the worker's session reads what is committed
    assert media.prepare_due().done == 3
    db.session.expire_all()
    publish(project)
    employer = make.employer(make.organisation(verified_by=[project.school]))
    db.session.commit()
    return project, employer


def publish(project: Project) -> None:
    project.status = ProjectStatus.PUBLISHED
    project.published_at = utcnow()
    db.session.flush()


def watch_the_pitch(page, project: Project) -> None:
    """What an employer does: sees the cover on the card, plays and seeks the video with its
    captions on, and turns the deck's slides with the keyboard."""
    page.goto("/projects")
    card = page.locator("article.project-card", has_text="CheckIn Buddy")
    cover = card.locator("img.cover-image")
    expect(cover).to_be_visible()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth === 640", arg=cover.element_handle()
    )
    card.get_by_role("link", name="CheckIn Buddy").click()
    page.wait_for_url(f"**/projects/{project.id}")
    page.wait_for_function("() => document.querySelector('img.cover-hero').naturalWidth > 0")

    video = page.locator("section#pitch video")
    expect(video).to_be_visible()
    assert page.locator("section#pitch").inner_text().count("This video has no captions.") == 0
    # Captions are offered as a track and shown.
    page.wait_for_function(
        "() => { const t = document.querySelector('video').textTracks[0];"
        " return t && t.mode === 'showing' && t.cues && t.cues.length === 2; }"
    )
    # It plays (muted: a page may start sound only after a gesture) ...
    video.evaluate("v => { v.muted = true; return v.play(); }")
    page.wait_for_function("() => document.querySelector('video').currentTime > 0.3")
    video.evaluate("v => v.pause()")
    # ... and seeks: a byte range is asked for and answered.
    video.evaluate("v => { v.currentTime = 2.2; }")
    page.wait_for_function(
        "() => { const v = document.querySelector('video');"
        " return !v.seeking && Math.abs(v.currentTime - 2.2) < 0.3 && v.readyState >= 2; }"
    )
    video.evaluate("v => { v.currentTime = 0.5; }")
    page.wait_for_function(
        "() => { const cues = document.querySelector('video').textTracks[0].activeCues;"
        " return cues && cues.length && cues[0].text === 'We are Team Orbit.'; }"
    )
    shot(page, "employer-watches-the-pitch")

    # The deck: one slide at a time, turned by the keyboard once it has focus.
    position = page.locator("[data-deck-position]")
    expect(position).to_have_text("Slide 1 of 3")
    stage = page.locator(".deck-stage")
    stage.focus()
    page.keyboard.press("ArrowRight")
    expect(position).to_have_text("Slide 2 of 3")
    visible = page.locator("[data-slide]:visible img")
    expect(visible).to_have_attribute("alt", "Slide 2 of 3: Our solution")
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-slide]')].find(s => !s.hidden)"
        ".querySelector('img').naturalWidth === 1280"
    )
    page.keyboard.press("End")
    expect(position).to_have_text("Slide 3 of 3")
    expect(page.locator("[data-deck-next]")).to_be_disabled()
    page.keyboard.press("ArrowLeft")
    expect(position).to_have_text("Slide 2 of 3")
    page.keyboard.press("Home")
    expect(position).to_have_text("Slide 1 of 3")
    page.get_by_role("button", name="Next →").click()
    expect(position).to_have_text("Slide 2 of 3")
    expect(page.get_by_role("link", name="Download the PDF")).to_be_visible()


def test_an_employer_watches_the_video_and_pages_through_the_deck(page, app, make):
    once_per_ci()  # playback and keyboard; the jobs' database work is tested on both passes
    project, employer = pitched_project(app, make)
    log_in(page, employer.email)
    page.wait_for_url("**/dashboard")
    watch_the_pitch(page, project)


# --- the same in S3 mode -------------------------------------------------------------------------


@contextmanager
def served(app) -> Iterator[str]:
    """Another app served over real HTTP on a free loopback port (as `live_server` does)."""
    app.config["WTF_CSRF_ENABLED"] = True
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


def allow_the_site(bucket: S3Storage, origin: str) -> None:
    """The bucket's CORS, as the README tells an operator to set it: the site may send uploads
    to it and read its pictures, videos and captions (and their byte ranges)."""
    bucket.client.put_bucket_cors(
        Bucket=bucket.bucket,
        CORSConfiguration={
            "CORSRules": [
                {
                    "AllowedOrigins": [origin],
                    "AllowedMethods": ["GET", "HEAD", "POST"],
                    "AllowedHeaders": ["*"],
                    "ExposeHeaders": ["Content-Range", "Accept-Ranges", "Content-Length", "ETag"],
                    "MaxAgeSeconds": 600,
                }
            ]
        },
    )


@pytest.mark.commits  # the site is served to the browser from threads of its own
def test_in_s3_mode_the_team_uploads_to_the_bucket_and_the_employer_watches_from_it(
    browser, app_factory, make, s3_server, bucket, tmp_path
):
    once_per_ci()  # the bucket and the browser; test_pitch and test_storage_s3 run on both passes
    s3_app = app_factory(**s3_settings(s3_server, bucket))
    with s3_app.app_context():
        project = make.project(title="CheckIn Buddy")
        student = project.team.memberships[0].student
        employer = make.employer(make.organisation(verified_by=[project.school]))
        db.session.commit()
        project_id, student_login, employer_login = project.id, student.username, employer.email
    with served(s3_app) as site:
        with s3_app.app_context():
            allow_the_site(S3Storage.from_config(s3_app.config), site)
        context = browser.new_context(base_url=site, viewport={"width": 1200, "height": 900})
        errors: list[str] = []
        page = context.new_page()
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        try:
            # The team uploads each file from the browser, straight to the bucket.
            log_in(page, student_login)
            page.wait_for_url("**/dashboard")
            page.goto(f"/projects/{project_id}")
            for name, (data, _) in PITCH_FILES.items():
                path = tmp_path / name
                path.write_bytes(data)
                page.set_input_files("input[type=file]", str(path))
                page.click("button:has-text('Upload')")
                expect(page.locator("[data-upload-status]")).to_have_text(f"{name} is added.")
            # ... and chooses the pitch with the buttons the upload left beside each file.
            page.locator("#file-list li", has_text="pitch.mp4").get_by_role(
                "button", name="Use as pitch video"
            ).click()
            expect(page.locator(".flash")).to_have_text("pitch.mp4 is now the pitch video.")
            expect(page.locator("section#pitch")).to_contain_text("Preparing the pitch video…")
            for name, label in (
                ("cover.png", "Use as cover"),
                ("pitch.pdf", "Use as pitch deck"),
                ("pitch.vtt", "Use as captions"),
            ):
                page.locator("#file-list li", has_text=name).get_by_role(
                    "button", name=label
                ).click()
                expect(page.locator(".flash")).to_contain_text(f"{name} is now the")
            with s3_app.app_context():
                assert media.prepare_due().done == 3  # the worker, reading from the bucket
                # The page was asking every 3 s: the video arrives without a reload.
            expect(page.locator("section#pitch video")).to_be_visible(timeout=10_000)
            with s3_app.app_context():
                publish(db.session.get(Project, project_id))
                db.session.commit()
            context.clear_cookies()
            log_in(page, employer_login)
            page.wait_for_url("**/dashboard")
            with s3_app.app_context():
                watch_the_pitch(page, db.session.get(Project, project_id))
            sources = page.eval_on_selector_all(
                "video source, video track, .deck-slides img", "els => els.map(e => e.src)"
            )
            assert sources and all(src.startswith(s3_server) for src in sources)
        finally:
            context.close()
    assert errors == [], errors
