"""The pitch on the project page: a cover, a deck shown as its slides, a video with its poster
and captions, each prepared by the worker from a media job (never in the request), and the
hostile files it refuses or neutralises."""

from __future__ import annotations

import hashlib
import io
import re
from datetime import timedelta

import pikepdf
import pytest
import sqlalchemy as sa
from PIL import Image

from marketplace import media
from marketplace.extensions import db
from marketplace.media import jobs
from marketplace.models import (
    MediaJob,
    MediaState,
    PitchRole,
    Project,
    ProjectFile,
    ProjectStatus,
    utcnow,
)
from marketplace.storage import StorageError, storage

from . import uploads
from .helpers import flashes, text_of
from .test_files import downloaded, upload


@pytest.fixture
def draft(make, login):
    """A draft of a one-student team, with that student logged in."""
    project = make.project(title="CheckIn Buddy")
    login(project.team.memberships[0].student)
    return project


PNG = uploads.png((64, 48))


def stored(project: Project, filename: str) -> ProjectFile:
    db.session.expire_all()
    return db.session.scalars(
        sa.select(ProjectFile).where(
            ProjectFile.project_id == project.id, ProjectFile.filename == filename
        )
    ).one()


def add(client, project: Project, filename: str, data: bytes) -> ProjectFile:
    """Upload a file as upload.js does; the stored row."""
    done = upload(client, project, filename, data)
    assert done.status_code == 200, done.get_data(as_text=True)
    return stored(project, filename)


def choose(client, row: ProjectFile, role: str):
    return client.post(f"/files/{row.id}/pitch/{role}", follow_redirects=True)


def job_of(row: ProjectFile) -> MediaJob:
    db.session.expire_all()
    return db.session.scalars(sa.select(MediaJob).where(MediaJob.sha256 == row.sha256)).one()


def images_of(row: ProjectFile) -> list[str]:
    return sorted(k.rsplit("/", 1)[1] for k in storage().keys(f"media/{row.sha256}/"))


def published_for_employer(make, login, project: Project):
    """The project published, and an employer of a partner the school verified, logged in."""
    project.status = ProjectStatus.PUBLISHED
    project.published_at = utcnow()
    db.session.flush()
    employer = make.employer(make.organisation(verified_by=[project.school]))
    login(employer)
    return employer


def media_links(html: str) -> list[str]:
    return re.findall(r'(?:src|poster)="(/media/[^"]+)"', html)


# --- the cover ---------------------------------------------------------------------------------


def test_an_image_chosen_as_cover_is_prepared_by_the_worker_and_shown_on_the_card(
    client, draft, make, login
):
    row = add(client, draft, "team.png", uploads.png((1200, 800)))
    assert job_of(row).state == MediaState.PENDING.value  # written when stored, nothing made yet
    assert images_of(row) == []
    page = text_of(choose(client, row, "cover"))
    assert "team.png is now the cover." in page
    db.session.expire_all()
    assert draft.cover_key == ""  # not ready: the card keeps its placeholder

    batch = media.prepare_due()
    assert (batch.claimed, batch.done) == (1, 1)
    assert images_of(row) == ["large.webp", "thumb.webp"]
    db.session.expire_all()
    assert draft.cover_key == f"media/{row.sha256}/thumb.webp"
    with storage().open(draft.cover_key) as thumb:
        assert Image.open(io.BytesIO(thumb.read())).size == (640, 360)

    published_for_employer(make, login, draft)
    browse = text_of(client.get("/projects"))
    card = browse[browse.index("CheckIn Buddy") - 600 : browse.index("CheckIn Buddy")]
    assert 'class="cover cover-image"' in card
    [link] = media_links(card)
    shown = client.get(link)
    assert shown.status_code == 200
    assert shown.mimetype == "image/webp"
    assert shown.headers["Content-Disposition"] == "inline"
    assert "private" in shown.headers["Cache-Control"]
    assert 'class="cover-hero"' in text_of(client.get(f"/projects/{draft.id}"))


def test_a_card_without_a_cover_keeps_its_placeholder(client, draft, make, login):
    published_for_employer(make, login, draft)
    browse = text_of(client.get("/projects"))
    assert 'class="cover cover-placeholder' in browse
    assert "<span>CB</span>" in browse


def test_choosing_a_cover_that_is_ready_shows_it_at_once_and_another_takes_its_place(client, draft):
    first = add(client, draft, "first.png", uploads.png((300, 200)))
    second = add(client, draft, "second.png", uploads.png((200, 300), mode="L"))
    media.prepare_due()
    choose(client, first, "cover")
    choose(client, second, "cover")
    db.session.expire_all()
    assert (first.pitch_role, second.pitch_role) == (None, PitchRole.COVER)
    assert draft.cover_key == f"media/{second.sha256}/thumb.webp"
    page = text_of(client.post(f"/files/{second.id}/pitch/none", follow_redirects=True))
    assert "second.png is no longer the cover." in page
    db.session.expire_all()
    assert (second.pitch_role, draft.cover_key) == (None, "")


def test_removing_the_cover_file_brings_the_placeholder_back(client, draft):
    row = add(client, draft, "team.png", uploads.png())
    sha = row.sha256
    media.prepare_due()
    choose(client, row, "cover")
    client.post(f"/files/{row.id}/delete")
    db.session.expire_all()
    assert draft.cover_key == ""
    assert list(storage().keys(f"media/{sha}/")) == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MediaJob)) == 0


def test_a_file_can_only_take_a_role_it_fits(client, draft):
    image = add(client, draft, "team.png", uploads.png())
    refused = choose(client, image, "deck")
    assert flashes(refused) == ["team.png cannot be the pitch deck."]
    db.session.expire_all()
    assert image.pitch_role is None
    mov = add(client, draft, "clip.mov", uploads.video("mov"))
    assert flashes(choose(client, mov, "video")) == ["clip.mov cannot be the pitch video."]


# --- the deck ----------------------------------------------------------------------------------


def test_a_deck_is_shown_as_its_slides_with_their_words_and_stays_downloadable(
    client, draft, make, login
):
    row = add(client, draft, "pitch.pdf", uploads.pdf_deck())
    choose(client, row, "deck")
    preparing = text_of(client.get(f"/projects/{draft.id}"))
    assert "Preparing the slides of pitch.pdf…" in preparing
    assert 'hx-trigger="every 3s"' in preparing  # the section asks again until it is ready

    media.prepare_due()
    assert images_of(row) == ["slide-001.webp", "slide-002.webp", "slide-003.webp", "thumb.webp"]
    published_for_employer(make, login, draft)
    page = text_of(client.get(f"/projects/{draft.id}"))
    assert 'hx-trigger="every 3s"' not in page
    assert 'alt="Slide 1 of 3: The problem"' in page
    assert 'alt="Slide 3 of 3: What we ask"' in page
    assert page.count("data-slide>") == 3
    assert "Download the PDF" in page
    for link in media_links(page):
        assert client.get(link).status_code == 200
    assert downloaded(client, row) == uploads.pdf_deck()


def test_the_pitch_section_alone_is_what_the_poll_fetches(client, draft):
    row = add(client, draft, "pitch.pdf", uploads.pdf_deck())
    choose(client, row, "deck")
    fragment = client.get(f"/projects/{draft.id}/pitch", headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    html = text_of(fragment)
    assert html.lstrip().startswith("<section") or '<section id="pitch"' in html
    assert "<html" not in html
    media.prepare_due()
    ready = text_of(client.get(f"/projects/{draft.id}/pitch", headers={"HX-Request": "true"}))
    assert "hx-trigger" not in ready
    assert "data-deck" in ready


def test_a_long_deck_shows_its_first_sixty_pages_and_says_so(client, draft):
    row = add(client, draft, "long.pdf", uploads.pdf_deck(tuple(f"Page {n}" for n in range(62))))
    choose(client, row, "deck")
    media.prepare_due()
    page = text_of(client.get(f"/projects/{draft.id}"))
    assert "The first 60 of its 62 pages are shown here." in page
    assert len(images_of(row)) == 61  # sixty slides and a thumbnail


def test_a_pdf_that_runs_scripts_is_stored_without_them(client, draft):
    hostile = uploads.pdf_with_javascript()
    assert hostile.count(b"app.alert") == 5  # one shared script; a chained link, an outline,
    # a form field and a rendition carry their own
    row = add(client, draft, "hostile.pdf", hostile)
    stored_bytes = downloaded(client, row)
    assert b"app.alert" not in stored_bytes
    assert b"calc.exe" not in stored_bytes and b"MZ not really" not in stored_bytes
    with pikepdf.open(io.BytesIO(stored_bytes)) as kept:
        assert "/OpenAction" not in kept.Root
        assert "/AA" not in kept.Root
        assert "/JavaScript" not in kept.Root.Names
        assert "/EmbeddedFiles" not in kept.Root.Names
        assert "/AA" not in kept.Root.AcroForm.Fields[0]
        assert "/S" not in kept.Root.Outlines.First.A
        page = kept.pages[0].obj
        assert "/AA" not in page
        actions = [annotation.A for annotation in page.Annots]
        assert [str(a.get("/S", "")) for a in actions] == ["", "/URI", ""]  # the plain link stays
        assert "/S" not in actions[1].Next
        assert len(kept.pages) == 1  # the page itself stays
    media.prepare_due()
    assert job_of(row).state == MediaState.DONE.value


def test_a_pdf_that_cannot_be_drawn_is_explained_to_the_team_and_hidden_from_others(
    client, draft, make, login
):
    row = add(client, draft, "broken.pdf", uploads.pdf_without_pages())
    choose(client, row, "deck")
    media.prepare_due()
    job = job_of(row)
    assert job.state == MediaState.FAILED.value
    assert job.problem == "The PDF could not be opened; export it again and upload it."
    assert images_of(row) == []
    page = text_of(client.get(f"/projects/{draft.id}"))
    assert "broken.pdf cannot be shown as slides:" in page
    assert "Cannot be shown: The PDF could not be opened" in page
    assert "Use as pitch deck" not in page

    published_for_employer(make, login, draft)
    seen = text_of(client.get(f"/projects/{draft.id}"))
    assert "broken.pdf" not in seen
    assert client.get(f"/files/{row.id}").status_code == 404


# --- the video ---------------------------------------------------------------------------------


def test_a_video_plays_inline_with_its_poster_and_captions(client, draft, make, login):
    video = add(client, draft, "pitch.mp4", uploads.video("h264"))
    captions = add(client, draft, "pitch.vtt", uploads.CAPTIONS)
    assert captions.content_type == "text/vtt"
    choose(client, video, "video")
    assert "Preparing the pitch video…" in text_of(client.get(f"/projects/{draft.id}"))
    media.prepare_due()
    assert images_of(video) == ["poster.webp"]
    info = job_of(video).info
    assert (info["duration"], info["video_codec"], info["audio_codec"]) == (2.0, "h264", "aac")

    page = text_of(client.get(f"/projects/{draft.id}"))
    assert "This video has no captions." in page
    assert "Add a WebVTT (.vtt) file" in page  # the team is told how
    assert "<track" not in page

    choose(client, captions, "captions")
    published_for_employer(make, login, draft)
    page = text_of(client.get(f"/projects/{draft.id}"))
    assert "This video has no captions." not in page
    assert re.search(r'<track kind="captions" src="/media/[^"]+" srclang="en"', page)
    assert '<source src="/media/' in page
    assert 'type="video/mp4"' in page
    assert "Pitch video, 2 s." in page
    poster, source, track = media_links(page)[-3:]
    assert client.get(poster).mimetype == "image/webp"
    assert client.get(source).mimetype == "video/mp4"
    assert client.get(track).mimetype == "text/vtt"
    assert client.get(track).data == uploads.CAPTIONS


def test_the_video_answers_byte_ranges_so_it_can_be_sought(client, draft, make, login):
    video = add(client, draft, "pitch.webm", uploads.video("vp8"))
    choose(client, video, "video")
    media.prepare_due()
    published_for_employer(make, login, draft)
    page = text_of(client.get(f"/projects/{draft.id}"))
    [source] = re.findall(r'<source src="(/media/[^"]+)" type="video/webm"', page)
    whole = downloaded(client, video)
    part = client.get(source, headers={"Range": "bytes=100-1099"})
    assert part.status_code == 206
    assert part.headers["Content-Range"] == f"bytes 100-1099/{len(whole)}"
    assert part.data == whole[100:1100]
    assert part.headers["Accept-Ranges"] == "bytes"
    tail = client.get(source, headers={"Range": f"bytes={len(whole) - 10}-"})
    assert tail.status_code == 206 and tail.data == whole[-10:]


def test_a_video_longer_than_the_school_allows_is_not_shown_and_the_team_is_told(
    client, draft, make, login
):
    draft.school.video_max_seconds = 1
    db.session.flush()
    video = add(client, draft, "pitch.mp4", uploads.video("h264"))
    choose(client, video, "video")
    media.prepare_due()
    page = text_of(client.get(f"/projects/{draft.id}"))
    assert "pitch.mp4 is 2 s long" in page
    assert "allows a pitch video of up to 1 s" in page
    published_for_employer(make, login, draft)
    assert "<video" not in text_of(client.get(f"/projects/{draft.id}"))


def test_a_video_larger_than_the_school_allows_is_refused_before_a_byte_is_sent(client, draft, app):
    draft.school.video_max_mb = 1
    db.session.flush()
    started = client.post(
        f"/projects/{draft.id}/files", data={"filename": "pitch.mp4", "size": str(3 << 20)}
    )
    assert started.status_code == 422
    assert started.get_json()["error"] == ("pitch.mp4 is 3 MB, over the 1 MB allowed for a video.")
    draft.school.video_max_mb = 2000  # the site's own cap still holds
    db.session.flush()
    app.config["MAX_VIDEO_BYTES"] = 2 << 20
    started = client.post(
        f"/projects/{draft.id}/files", data={"filename": "pitch.mp4", "size": str(3 << 20)}
    )
    assert started.get_json()["error"] == "pitch.mp4 is 3 MB, over the 2 MB allowed for a video."


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (lambda: uploads.video("hevc"), "The MP4 file holds H.265 (HEVC) video"),
        (lambda: uploads.video("mpeg4"), "The MP4 file holds MPEG-4 Part 2 video"),
        (uploads.lying_video, "The video could not be played through: its file is damaged."),
    ],
    ids=["hevc", "mpeg4", "container lies"],
)
def test_a_video_browsers_cannot_play_is_refused_with_the_reason(client, draft, data, problem):
    row = add(client, draft, "pitch.mp4", data())
    choose(client, row, "video")
    batch = media.prepare_due()
    assert (batch.done, batch.failed) == (0, 1)
    job = job_of(row)
    assert job.state == MediaState.FAILED.value
    assert job.problem.startswith(problem)
    assert images_of(row) == []  # nothing half-made is kept
    page = text_of(client.get(f"/projects/{draft.id}"))
    assert "pitch.mp4 cannot be shown:" in page
    assert "<video" not in page


# --- captions ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"1\n00:00:00,000 --> 00:00:01,000\nHi\n", "its first line must be WEBVTT"),
        (b"WEBVTTX\n\n", "its first line must be WEBVTT"),
        ("WEBVTT\n\ncaf\u00e9".encode("latin-1"), "is not UTF-8 text"),
    ],
    ids=["srt", "not the header", "latin-1"],
)
def test_captions_must_be_webvtt(client, draft, data, message):
    refused = upload(client, draft, "captions.vtt", data)
    assert refused.status_code == 422
    assert message in refused.get_json()["error"]
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ProjectFile)) == 0


def test_captions_with_a_byte_order_mark_are_accepted(client, draft):
    row = add(client, draft, "captions.vtt", b"\xef\xbb\xbfWEBVTT - Team Orbit\n\n")
    assert row.content_type == "text/vtt"


# --- the jobs: once per content, leases, retries -----------------------------------------------


def test_the_same_file_twice_makes_one_job_and_one_set_of_images(client, draft):
    data = uploads.pdf_deck()
    first = add(client, draft, "pitch.pdf", data)
    second = add(client, draft, "pitch-again.pdf", data)
    assert first.sha256 == second.sha256
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MediaJob)) == 1
    assert media.prepare_due().done == 1
    assert len(images_of(first)) == 4
    client.post(f"/files/{first.id}/delete")
    assert len(images_of(second)) == 4  # the other file still shows them
    sha = second.sha256
    client.post(f"/files/{second.id}/delete")
    assert list(storage().keys(f"media/{sha}/")) == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MediaJob)) == 0


def test_a_worker_killed_mid_job_leaves_it_to_another_and_one_set_of_images(client, draft, app):
    row = add(client, draft, "pitch.pdf", uploads.pdf_deck())
    job = job_of(row)
    with db.session.session_factory() as session:  # the dead worker: claimed, half written
        assert jobs.MEDIA.claim(session, worker="dead", limit=5, lease=timedelta(minutes=15)) == [
            job.id
        ]
    storage().write(f"media/{row.sha256}/slide-001.webp", [b"half"], 10)
    storage().write(f"media/{row.sha256}/slide-009.webp", [b"stale"], 10)
    assert media.prepare_due(worker="alive").claimed == 0  # its lease still holds

    db.session.execute(
        sa.update(MediaJob).values(claimed_until=utcnow() - timedelta(seconds=1))
    )  # the lease runs out
    db.session.flush()
    batch = media.prepare_due(worker="alive")
    assert (batch.claimed, batch.done) == (1, 1)
    assert images_of(row) == ["slide-001.webp", "slide-002.webp", "slide-003.webp", "thumb.webp"]
    with storage().open(f"media/{row.sha256}/slide-001.webp") as slide:
        assert slide.read(4) == b"RIFF"  # a real image, not the half-written one
    with db.session.session_factory() as session:  # the dead worker wakes: it holds nothing
        assert not jobs.MEDIA.finish(session, job.id, "dead", state="done")
    assert job_of(row).state == MediaState.DONE.value


def test_a_storage_failure_is_retried_later_then_given_up_with_a_message(
    client, draft, app, monkeypatch
):
    row = add(client, draft, "team.png", uploads.png())
    real_open = type(storage()).open

    def unreachable(self, key):
        raise StorageError("File storage is unreachable right now; try again later.")

    monkeypatch.setattr(type(storage()), "open", unreachable)
    tried = utcnow()
    assert media.prepare_due().retried == 1
    job = job_of(row)
    assert (job.state, job.attempts, job.problem) == (MediaState.PENDING.value, 1, "")
    assert job.next_attempt_at >= tried + timedelta(seconds=30)  # the back-off
    assert media.prepare_due().claimed == 0  # not due yet

    app.config["MEDIA_MAX_ATTEMPTS"] = 2
    db.session.execute(sa.update(MediaJob).values(next_attempt_at=utcnow()))
    db.session.flush()
    assert media.prepare_due().failed == 1
    assert job_of(row).problem == jobs.GAVE_UP
    monkeypatch.setattr(type(storage()), "open", real_open)
    # As the message says: the same file uploaded again is prepared (the storage is back).
    again = add(client, draft, "team-again.png", uploads.png())
    assert again.sha256 == row.sha256
    assert job_of(row).state == MediaState.PENDING.value
    assert media.prepare_due().done == 1


def test_a_file_that_needs_more_memory_than_allowed_kills_only_its_own_process(client, draft, app):
    app.config["MEDIA_MEMORY_MB"] = 24  # too little for the renderer to even start
    row = add(client, draft, "pitch.pdf", uploads.pdf_deck())
    batch = media.prepare_due()
    assert batch.failed == 1
    assert job_of(row).problem == jobs.TOO_MUCH
    assert images_of(row) == []
    app.config["MEDIA_MEMORY_MB"] = 1024  # the same kind of file, given room, is prepared
    other = add(client, draft, "other.pdf", uploads.pdf_deck(("Another deck",)))
    assert media.prepare_due().done == 1
    assert len(images_of(other)) == 2


def test_the_worker_loop_prepares_media(client, draft):
    from marketplace.notifications.worker import Worker

    row = add(client, draft, "team.png", uploads.png())
    worker = Worker(name="test-worker", schedule=False)
    worker.run(once=True)
    assert worker.prepared == 1
    assert job_of(row).state == MediaState.DONE.value


def test_reconcile_removes_images_whose_job_is_gone(client, draft):
    from marketplace.projects import files

    storage().write("media/" + "0" * 64 + "/thumb.webp", [b"x"], 10)
    files.reconcile()
    assert list(storage().keys("media/")) == []


def test_pages_allow_pictures_and_videos_from_the_bucket_only_in_s3_mode(client, draft):
    policy = client.get(f"/projects/{draft.id}").headers["Content-Security-Policy"]
    assert "img-src 'self' data:;" in policy
    assert "media-src 'self';" in policy


def test_a_school_admin_sets_the_pitch_video_limits(client, make, login):
    school = make.school()
    login(make.school_admin(school=school))
    page = text_of(client.get("/school/staff"))
    assert 'name="video_max_seconds"' in page and 'value="180"' in page
    refused = client.post(
        "/school/pitch-videos", data={"video_max_seconds": "5", "video_max_mb": ""}
    )
    assert refused.status_code == 422
    assert "Number must be between 10 and 1200." in text_of(refused)
    assert 'value="5"' in text_of(refused)  # what was typed stays
    done = client.post(
        "/school/pitch-videos",
        data={"video_max_seconds": "120", "video_max_mb": "150"},
        follow_redirects=True,
    )
    assert flashes(done) == [
        f"Pitch videos at {school.name} may now last 120 seconds and take 150 MB."
    ]
    db.session.expire_all()
    assert (school.video_max_seconds, school.video_max_mb) == (120, 150)


def test_a_video_loses_where_and_when_it_was_recorded(client, draft):
    phone = uploads.video_with_location()
    assert "+40.7128-074.0060" in uploads.video_metadata(phone)
    row = add(client, draft, "pitch.mp4", phone)
    kept = downloaded(client, row)
    described = uploads.video_metadata(kept)
    assert "40.7128" not in described and "Ava at home" not in described
    assert "Phone Maker" not in described
    assert "Video: h264" in described and "Audio: aac" in described  # the streams stay
    assert row.sha256 == hashlib.sha256(kept).hexdigest()  # what is stored is what is served


def test_a_video_that_cannot_be_read_is_refused_at_upload_and_nothing_is_kept(client, draft):
    mp4_head = uploads.video("h264")[:64]  # an MP4's first bytes, and nothing playable after
    refused = upload(client, draft, "pitch.mp4", mp4_head + b"\x00" * 4000)
    assert refused.status_code == 422
    assert refused.get_json()["error"] == (
        "pitch.mp4: The video could not be read; export it again and upload it."
    )
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ProjectFile)) == 0
    assert list(storage().keys()) == []


def test_the_upload_answer_carries_the_buttons_the_page_has(client, draft):
    started = client.post(
        f"/projects/{draft.id}/files", data={"filename": "team.png", "size": str(len(PNG))}
    )
    ticket = started.get_json()
    client.put(ticket["url"], data=PNG)
    done = client.post(ticket["complete"]).get_json()
    assert done["download"] == f"/files/{done['id']}"
    assert done["remove"] == f"/files/{done['id']}/delete"
    assert done["roles"] == [
        {"role": "cover", "label": "Use as cover", "url": f"/files/{done['id']}/pitch/cover"}
    ]


def test_a_file_stored_before_media_jobs_is_prepared_once_chosen_or_reconciled(client, draft, make):
    old_deck = make.project_file(draft, "old.pdf", data=uploads.pdf_deck())
    old_deck.sha256 = hashlib.sha256(uploads.pdf_deck()).hexdigest()
    old_cover = make.project_file(draft, "old.png", data=uploads.png())
    old_cover.kind, old_cover.content_type = "image", "image/png"
    old_cover.sha256 = hashlib.sha256(uploads.png()).hexdigest()
    old_cover.pitch_role = PitchRole.COVER  # chosen, with no job: the page must not break
    db.session.flush()
    page = text_of(client.get(f"/projects/{draft.id}"))
    assert "cover-hero" not in page  # nothing to show yet, and no broken image
    choose(client, old_deck, "deck")
    assert job_of(old_deck).state == MediaState.PENDING.value
    assert "Preparing the slides of old.pdf…" in text_of(client.get(f"/projects/{draft.id}"))

    from marketplace.projects import files

    files.reconcile()  # the hourly job writes the cover's missing job ...
    assert job_of(old_cover).state == MediaState.PENDING.value
    media.prepare_due()
    db.session.execute(sa.update(Project).values(cover_key=""))  # ... a cover that missed it
    files.reconcile()
    db.session.expire_all()
    assert draft.cover_key == f"media/{old_cover.sha256}/thumb.webp"
    page = text_of(client.get(f"/projects/{draft.id}"))
    assert "cover-hero" in page and "data-deck" in page


def test_each_part_still_preparing_asks_for_itself_and_stops_after_a_while(client, draft):
    video = add(client, draft, "pitch.webm", uploads.video("vp8"))
    deck = add(client, draft, "pitch.pdf", uploads.pdf_deck())
    choose(client, video, "video")
    choose(client, deck, "deck")
    page = text_of(client.get(f"/projects/{draft.id}"))
    assert f'hx-get="/projects/{draft.id}/pitch?part=video&amp;n=1"' in page
    assert f'hx-get="/projects/{draft.id}/pitch?part=deck&amp;n=1"' in page
    part = text_of(client.get(f"/projects/{draft.id}/pitch?part=deck&n=7"))
    assert part.strip().startswith('<div id="pitch-deck"')
    assert "pitch-video" not in part  # the video beside it is left alone
    assert "part=deck&amp;n=8" in part
    tired = text_of(client.get(f"/projects/{draft.id}/pitch?part=deck&n=100"))
    assert "hx-trigger" not in tired
    assert "Still preparing the slides of pitch.pdf. Reload the page in a few minutes." in tired
    media.prepare_due()
    ready = text_of(client.get(f"/projects/{draft.id}/pitch?part=deck&n=9"))
    assert "hx-trigger" not in ready and "data-deck" in ready


def test_the_worker_sends_due_mail_between_media_jobs(client, draft):
    from marketplace.notifications.worker import Worker

    add(client, draft, "one.png", uploads.png((30, 30)))
    add(client, draft, "two.png", uploads.png((31, 30)))
    turns: list[str] = []

    class Watched(Worker):
        def drain(self) -> int:
            turns.append("mail")
            return 0

    worker = Watched(name="watched", schedule=False)
    assert worker.prepare_media() == 2
    assert turns == ["mail", "mail"]  # after each job, not after all of them


def test_in_s3_mode_pages_may_show_pictures_and_videos_from_the_bucket(app_factory, make):
    s3_app = app_factory(
        STORAGE_BACKEND="s3",
        S3_ENDPOINT_URL="http://127.0.0.1:8333",
        S3_BUCKET="b",
        S3_ACCESS_KEY_ID="k",
        S3_SECRET_ACCESS_KEY="s",
    )
    response = s3_app.test_client().get("/auth/login")
    policy = response.headers["Content-Security-Policy"]
    assert "img-src 'self' data: http://127.0.0.1:8333;" in policy
    assert "media-src 'self' http://127.0.0.1:8333;" in policy
    aws = app_factory(STORAGE_BACKEND="s3", S3_BUCKET="b", S3_REGION="eu-west-1")
    policy = aws.test_client().get("/auth/login").headers["Content-Security-Policy"]
    assert "media-src 'self' https://s3.eu-west-1.amazonaws.com;" in policy
