"""Projects from a team's first draft to a published page an employer can read."""

from __future__ import annotations

import html
import re

import pytest
import sqlalchemy as sa

from marketplace.extensions import db
from marketplace.models import ChallengeStatus, PitchRole, Project, ProjectStatus
from marketplace.projects import changes, services

from .conftest import shared_world
from .helpers import field_errors, field_value, flashes, text_of


def build_scene(make):
    """A class with a team of a 16-year-old and an 11-year-old, and an open challenge."""
    classroom = make.classroom()
    ava = make.student(classroom, first_name="Ava", last_name="Martinez", age=16)
    leo = make.student(
        classroom, first_name="Leo", last_name="Adams", age=11, pseudonym="Teal Otter 42"
    )
    team = make.team(classroom, [ava, leo], name="Trailblazers")
    challenge = make.challenge(classroom.school, author=classroom.teacher, title="Clinic check-in")
    return classroom, team, ava, leo, challenge


scene = shared_world(build_scene, name="scene")  # built once; each test rolled back


def _draft(**change):
    return {
        "title": "CheckIn Buddy",
        "pitch": "A tablet check-in an 80-year-old can use.",
        "summary": "Fewer forms, shorter lines.",
        "body": "We interviewed **12** patients.",
        "skills": "User research, Figma",
        "demo_url": "https://demo.example/checkin",
        **change,
    }


def _only_project() -> Project:
    return db.session.scalars(sa.select(Project)).one()


def test_team_member_starts_a_draft_for_an_open_challenge(client, login, scene):
    """The draft belongs to the team and the challenge, with tidy skills."""
    _, team, ava, _, challenge = scene
    login(ava)
    response = client.post(
        f"/teams/{team.id}/projects/new", data=_draft(challenge_id=str(challenge.id))
    )
    assert response.status_code == 303
    project = _only_project()
    assert project.status is ProjectStatus.DRAFT and project.team_id == team.id
    assert project.skills == ["user research", "figma"]
    assert "<strong>12</strong>" in text_of(client.get(response.location))


def test_closed_challenge_takes_no_new_project(client, login, make, scene):
    """Only open challenges accept projects; the form says so and keeps what was typed."""
    classroom, team, ava, _, _ = scene
    closed = make.challenge(classroom.school, status=ChallengeStatus.CLOSED)
    login(ava)
    response = client.post(
        f"/teams/{team.id}/projects/new", data=_draft(challenge_id=str(closed.id))
    )
    assert response.status_code == 422
    assert "Choose an open challenge: only those accept new projects." in field_errors(response)
    assert field_value(response, "title") == "CheckIn Buddy"
    assert db.session.scalar(sa.select(sa.func.count(Project.id))) == 0


def test_pitch_longer_than_144_characters_is_refused(client, login, scene):
    """The pitch is one sentence: at most 144 characters."""
    _, team, ava, _, challenge = scene
    login(ava)
    response = client.post(
        f"/teams/{team.id}/projects/new",
        data=_draft(challenge_id=str(challenge.id), pitch="x" * 145),
    )
    assert response.status_code == 422
    assert "Field cannot be longer than 144 characters." in field_errors(response)


def test_submit_review_resubmit_publish(client, login, make, scene, outbox):
    """The whole loop: submit, changes requested with a comment, what changed, then publish."""
    classroom, team, ava, leo, challenge = scene
    teacher = classroom.teacher
    project = make.project(team, challenge, title="CheckIn Buddy", body="Version one.")

    login(leo)
    client.post(f"/projects/{project.id}/submit")
    assert project.status is ProjectStatus.SUBMITTED
    assert len(project.snapshots) == 1
    assert outbox.to(teacher.email)[-1]["Subject"] == "Trailblazers submitted “CheckIn Buddy”"
    assert client.get(f"/projects/{project.id}/edit").status_code == 403  # frozen while in review

    login(teacher)
    assert "CheckIn Buddy" in text_of(client.get("/reviews"))
    refused = client.post(f"/projects/{project.id}/review/changes", follow_redirects=True)
    assert "Tell the team what to change." in flashes(refused)
    assert project.status is ProjectStatus.SUBMITTED
    client.post(f"/projects/{project.id}/review/changes", data={"comment": "Add test results."})
    assert project.status is ProjectStatus.CHANGES_REQUESTED

    login(ava)
    assert "Add test results." in text_of(client.get(f"/projects/{project.id}/edit"))
    client.post(f"/projects/{project.id}/edit", data=_draft(body="Version two, with tests."))
    client.post(f"/projects/{project.id}/submit")
    assert len(project.snapshots) == 2

    login(teacher)
    page = text_of(client.get(f"/projects/{project.id}"))
    assert "What changed since the previous submission" in page
    assert "Version <del>one.</del> <ins>two, with tests.</ins>" in page
    client.post(f"/projects/{project.id}/review/publish")
    assert project.status is ProjectStatus.PUBLISHED and project.published_at is not None
    assert project.snapshots[-1].outcome is ProjectStatus.PUBLISHED
    assert "/reviews" and "CheckIn Buddy" not in text_of(client.get("/reviews"))

    login(ava)
    assert "CheckIn Buddy" in text_of(client.get("/portfolio"))


def test_a_second_publish_of_the_same_submission_is_refused(make, scene):
    """Two reviewers at once: the second finds the project already moved."""
    classroom, team, _, _, challenge = scene
    project = make.project(team, challenge, ProjectStatus.SUBMITTED)
    db.session.execute(  # the first reviewer's request, committed while this one was reading
        sa.update(Project)
        .where(Project.id == project.id)
        .values(status=ProjectStatus.PUBLISHED)
        .execution_options(synchronize_session=False)
    )
    assert project.status is ProjectStatus.SUBMITTED  # what the second request still believes
    with pytest.raises(services.ProjectError, match="a moment ago"):
        services.review(project, classroom.teacher, publish=True)


def test_published_project_is_read_by_the_school_and_verified_employers(client, login, make, scene):
    """Employers see first name and initial, a pseudonym under 13, and never a surname."""
    classroom, team, _, _, challenge = scene
    project = make.project(team, challenge, ProjectStatus.PUBLISHED, title="CheckIn Buddy")
    employer = make.employer(make.organisation(verified_by=[classroom.school]))
    login(employer)
    page = text_of(client.get(f"/projects/{project.id}"))
    assert "CheckIn Buddy" in page
    assert "Ava M." in page and "Teal Otter 42" in page
    assert "Martinez" not in page and "Adams" not in page and "Leo" not in page

    login(make.employer(make.organisation(pending_with=[classroom.school])))
    assert client.get(f"/projects/{project.id}").status_code == 404
    login(employer)
    assert client.get(f"/projects/{project.id + 1000}").status_code == 404  # no such project

    login(make.student(classroom))
    assert "CheckIn Buddy" in text_of(client.get("/projects"))


def test_drafts_stay_inside_the_team(client, login, make, scene):
    """A classmate on another team cannot open a draft; the challenge page hides it."""
    classroom, team, _, _, challenge = scene
    draft = make.project(team, challenge, title="Secret draft")
    classmate = make.student(classroom)
    login(classmate)
    assert client.get(f"/projects/{draft.id}").status_code == 404
    assert "Secret draft" not in text_of(client.get(f"/challenges/{challenge.id}"))


def test_archiving_takes_a_project_off_the_school_shelf(client, login, make, scene):
    """An archived project leaves the published list."""
    classroom, team, _, _, challenge = scene
    project = make.project(team, challenge, ProjectStatus.PUBLISHED, title="Old one")
    login(classroom.teacher)
    client.post(f"/projects/{project.id}/archive")
    assert project.status is ProjectStatus.ARCHIVED
    assert "Old one" not in text_of(client.get("/projects"))


# --- what changed since the previous submission ------------------------------------------------


def what_changed(response) -> str:
    """The "What changed since the previous submission" part of a project page ("" if none)."""
    found = re.search(
        r'<details open class="changes">\s*<summary>What changed.*?</details>',
        text_of(response),
        re.S,
    )
    return found.group(0) if found else ""


def resubmitted(client, login, make, scene, first: dict, second: dict):
    """A project submitted with `first`, sent back, changed to `second` and submitted again;
    the teacher is logged in. Fields not given are the draft's (see `_draft`)."""
    classroom, team, ava, _, challenge = scene
    project = make.project(team, challenge, **{**_draft(skills=["figma"]), **first})
    login(ava)
    client.post(f"/projects/{project.id}/submit")
    services.review(project, classroom.teacher, publish=False, comment="More, please.")
    client.post(f"/projects/{project.id}/edit", data=_draft(**second))
    client.post(f"/projects/{project.id}/submit")
    login(classroom.teacher)
    return project


def test_what_changed_shows_the_changed_fields_as_read_with_words_marked(
    client, login, make, scene
):
    """The story is rendered Markdown with removed words in <del> and added ones in <ins>;
    no diff hunks, and no section for a field unchanged or empty on both sides."""
    project = resubmitted(
        client,
        login,
        make,
        scene,
        first={"body": "We interviewed **12** patients.", "summary": "", "video_url": ""},
        second={
            "body": "We interviewed **15** patients.\n\nThe *tablet* works.",
            "summary": "",
            "skills": "Figma",
            "video_url": "",
        },
    )
    section = what_changed(client.get(f"/projects/{project.id}"))
    assert "<h4>The whole story</h4>" in section
    assert "<strong><del>12</del> <ins>15</ins></strong>" in section
    assert "<p><ins>The</ins> <em><ins>tablet</ins></em> <ins>works.</ins></p>" in section
    assert "Removed words are <del>struck through</del>" in section  # said in words too
    assert "@@" not in section and "**" not in section
    for untouched in ("Title", "Pitch", "Summary", "Skills", "Demo link", "Video link"):
        assert f"<h4>{untouched}</h4>" not in section


def test_what_changed_lists_the_files_added_and_removed(client, login, make, scene):
    """Files taken out and put in between the two submissions, with their sizes."""
    classroom, team, ava, _, challenge = scene
    project = make.project(team, challenge, **_draft(skills=["figma"]))
    kept = make.project_file(project, "kept.pdf")
    old = make.project_file(project, "old.pdf", data=b"%PDF-" + b"x" * 298)
    login(ava)
    client.post(f"/projects/{project.id}/submit")
    services.review(project, classroom.teacher, publish=False, comment="Newer slides.")
    client.post(f"/files/{old.id}/delete")
    make.project_file(project, "deck.pdf", data=b"%PDF-" + b"x" * (1258291 - 5))
    client.post(f"/projects/{project.id}/submit")
    login(classroom.teacher)

    section = what_changed(client.get(f"/projects/{project.id}"))
    assert 'Added: <ins>deck.pdf</ins> <span class="muted">(1.2 MB)</span>' in section
    assert 'Removed: <del>old.pdf</del> <span class="muted">(303 bytes)</span>' in section
    assert kept.filename not in section
    assert "<h4>The whole story</h4>" not in section  # no field changed


def test_what_changed_shows_a_new_cover_and_a_deck_taken_out_of_the_pitch(
    client, login, make, scene
):
    """The teacher sees which file the team now puts forward, not only which files changed."""
    classroom, team, ava, _, challenge = scene
    project = make.project(team, challenge, **_draft())
    deck = make.project_file(project, "deck.pdf")
    first = make.project_file(project, "first.png", data=b"png-1")
    second = make.project_file(project, "second.png", data=b"png-2")
    deck.pitch_role, first.pitch_role = PitchRole.DECK, PitchRole.COVER
    login(ava)
    client.post(f"/projects/{project.id}/submit")
    services.review(project, classroom.teacher, publish=False, comment="A brighter cover.")
    first.pitch_role, deck.pitch_role = None, None
    db.session.flush()
    second.pitch_role = PitchRole.COVER
    client.post(f"/projects/{project.id}/submit")
    login(classroom.teacher)

    section = what_changed(client.get(f"/projects/{project.id}"))
    assert "<h4>The pitch</h4>" in section
    assert "Cover:\n          <del>first.png</del> → <ins>second.png</ins>" in section
    assert "Pitch deck:" in section and "<del>deck.pdf</del> (no longer in the pitch)" in section
    assert "Added:" not in section  # no file came or went


def test_what_changed_says_when_only_the_formatting_changed(client, login, make, scene):
    """Bold taken off a word changes no word: the section says so rather than showing nothing."""
    project = resubmitted(
        client,
        login,
        make,
        scene,
        first={"body": "We interviewed **12** patients."},
        second={"body": "We interviewed 12 patients."},
    )
    section = what_changed(client.get(f"/projects/{project.id}"))
    assert "<h4>The whole story</h4>" in section and "Only the formatting changed." in section


def test_the_marked_changes_stay_sanitised():
    """Markdown put in by the team is rendered by the sanitising renderer on both sides."""
    before = changes.as_read("body", "Plain.")
    after = changes.as_read(
        "body", "[safe](https://ok.example) [bad](javascript:alert(1)) <script>"
    )
    html = str(changes.word_diff(before, after))
    assert "<del>Plain.</del>" in html
    assert '<a href="https://ok.example" rel="nofollow noopener noreferrer"><ins>safe</ins>' in html
    assert 'href="javascript' not in html and "<script" not in html


# --- web addresses ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["demo_url", "repo_url", "video_url"])
def test_a_link_typed_without_https_is_completed(client, login, scene, name):
    """People type "harborhealth.org/checkin"; it is kept as a full address."""
    _, team, ava, _, challenge = scene
    login(ava)
    response = client.post(
        f"/teams/{team.id}/projects/new",
        data=_draft(challenge_id=str(challenge.id), **{name: " harborhealth.org/checkin "}),
    )
    assert response.status_code == 303
    assert getattr(_only_project(), name) == "https://harborhealth.org/checkin"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        (
            "javascript:alert(1)",
            "Only web addresses (https://…) can be given here, not javascript: ones.",
        ),
        (
            "ftp://files.example.org/demo",
            "Only web addresses (https://…) can be given here, not ftp: ones.",
        ),
        ("not a link", "Enter a web address, such as harborhealth.org."),
        ("https://localhost", "Enter a web address, such as harborhealth.org."),
    ],
    ids=["javascript", "ftp", "words", "no-tld"],
)
def test_a_link_that_is_no_web_address_is_refused(client, login, scene, typed, message):
    """Another scheme is refused by name; what was typed stays in the field."""
    _, team, ava, _, challenge = scene
    login(ava)
    response = client.post(
        f"/teams/{team.id}/projects/new",
        data=_draft(challenge_id=str(challenge.id), demo_url=typed),
    )
    assert response.status_code == 422
    assert message in field_errors(response)
    assert field_value(response, "demo_url") == html.escape(typed)


def test_the_review_queue_says_each_teams_class(client, login, make):
    """Two classes each have a team called "Team 1": the queue tells them apart."""
    teacher = make.teacher()
    for name in ("Period 2", "Period 5"):
        classroom = make.classroom(teacher, name=name)
        team = make.team(classroom, [make.student(classroom)], name="Team 1")
        make.project(team, status=ProjectStatus.SUBMITTED)
    login(teacher)
    page = text_of(client.get("/reviews"))
    assert page.count("Team 1") == 2 and "Period 2" in page and "Period 5" in page


def test_the_ask_is_written_by_the_team_and_shown_beside_im_interested(client, login, make):
    """What the team would like from a partner: saved with the project, and on the published
    page beside "I'm interested", so an employer knows what they say yes to."""
    school = make.school()
    classroom = make.classroom(make.teacher(school=school))
    student = make.student(classroom)
    team = make.team(classroom, [student])
    project = make.project(team, status=ProjectStatus.DRAFT)
    login(student)
    form = text_of(client.get(f"/projects/{project.id}/edit"))
    assert "What we&#39;d like from a partner" in form
    data = {
        "title": project.title,
        "pitch": "A check-in kiosk for small clinics.",
        "ask": "A mentor in clinic operations, and a morning at a front desk to test it.",
    }
    assert client.post(f"/projects/{project.id}/edit", data=data).status_code in (302, 303)
    assert project.ask.startswith("A mentor in clinic operations")
    project.status = ProjectStatus.PUBLISHED
    login(make.employer(make.organisation(verified_by=[school])))
    page = text_of(client.get(f"/projects/{project.id}"))
    panel = page.split('id="engagement"')[1]
    assert panel.index("A mentor in clinic operations") < panel.index("I'm interested")


def test_a_card_without_a_cover_shows_its_clusters_colour_and_initials(client, login, make):
    school = make.school()
    classroom = make.classroom(make.teacher(school=school))
    team = make.team(classroom, [make.student(classroom)])
    challenge = make.challenge(school, career_cluster="Digital Technology")
    make.project(team, challenge, ProjectStatus.PUBLISHED, title="CheckIn Buddy")
    login(make.employer(make.organisation(verified_by=[school])))
    page = text_of(client.get("/projects"))
    assert '<div class="cover cover-placeholder cluster-4" aria-hidden="true"><span>CB</span>' in (
        page
    )


def test_each_browse_card_links_to_its_project_also_under_a_path_prefix(client, login, make):
    school = make.school()
    classroom = make.classroom(make.teacher(school=school))
    team = make.team(classroom, [make.student(classroom)])
    challenge = make.challenge(school)
    shown = [
        make.project(team, challenge, ProjectStatus.PUBLISHED, title=f"Kiosk {n}") for n in range(3)
    ]
    login(make.employer(make.organisation(verified_by=[school])))
    for prefix in ("", "/district"):
        page = client.get("/projects", environ_overrides={"SCRIPT_NAME": prefix}).text
        for project in shown:
            assert f'<a href="{prefix}/projects/{project.id}"><strong>{project.title}<' in page


def test_addresses_by_id_are_those_url_for_builds(app):
    from flask import url_for

    from marketplace.web import IdUrls

    with app.test_request_context("/", environ_overrides={"SCRIPT_NAME": "/x"}):
        urls = IdUrls("files.download", "file_id")
        assert [urls(i) for i in (1, 907, 2_147_483_647)] == [
            url_for("files.download", file_id=i) for i in (1, 907, 2_147_483_647)
        ]
        pages = IdUrls("projects.index", "page")  # a value in the query string
        assert pages(3) == url_for("projects.index", page=3)
