"""The route × role table: what each role must get from every endpoint of the app.

Every endpoint in `app.url_map` must appear here (tests/test_matrix.py fails otherwise), so no
route can be added without deciding who may reach it. Rows about another school's or another
team's rows check ownership, not just the role.

Outcomes: OK (served, or redirected somewhere other than the log-in page), LOGIN (redirected to
log in), DENY (403 or 404), GONE (410: a dead link).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app

from marketplace.storage import storage

from .moderation_rows import mute_of, report_of
from .world import ROLES, World

OK, LOGIN, DENY, GONE = "ok", "login", "deny", "gone"


def upload_link(row) -> str:
    """The signed local upload URL of a pending file (what files.start hands the browser)."""
    with current_app.test_request_context():
        return storage().upload_target(row.key, 1024).url


def download_link(row) -> str:
    """The signed local download URL of a stored file."""
    with current_app.test_request_context():
        return storage().download_url(row.key, row.filename)


def student_note(w: World) -> int:
    """A notification of the world's student (the notifications.* rows open it)."""
    from marketplace.extensions import db
    from marketplace.models import Notification

    note = Notification(
        user_id=w.student.id,
        kind="test",
        subject="Hello",
        link="/dashboard",
        idempotency_key=f"matrix-{w.student.id}",
    )
    db.session.add(note)
    db.session.flush()
    return note.id


def student_token(w: World) -> str:
    """The student's signed e-mail preferences token (what every mail links to)."""
    from marketplace.notifications.service import preferences_token

    return preferences_token(w.student)


@dataclass(frozen=True)
class Route:
    endpoint: str
    case: str
    method: str
    url: Callable[[World], str]
    expect: dict[str, str]

    @property
    def id(self) -> str:
        return f"{self.endpoint}[{self.case}]"


def roles(
    anonymous: str, student: str, teacher: str, employer: str, school_admin: str, site_admin: str
):
    return dict(
        zip(ROLES, (anonymous, student, teacher, employer, school_admin, site_admin), strict=True)
    )


EVERYONE = roles(OK, OK, OK, OK, OK, OK)
SIGNED_IN = roles(LOGIN, OK, OK, OK, OK, OK)
ONLY_STUDENT = roles(LOGIN, OK, DENY, DENY, DENY, DENY)
ONLY_TEACHER = roles(LOGIN, DENY, OK, DENY, DENY, DENY)
ONLY_EMPLOYER = roles(LOGIN, DENY, DENY, OK, DENY, DENY)
ONLY_SCHOOL_ADMIN = roles(LOGIN, DENY, DENY, DENY, OK, DENY)
ONLY_SITE_ADMIN = roles(LOGIN, DENY, DENY, DENY, DENY, OK)
STAFF = roles(LOGIN, DENY, OK, DENY, OK, DENY)
CLASS_MEMBERS = roles(LOGIN, OK, OK, DENY, OK, DENY)
NOBODY = roles(LOGIN, DENY, DENY, DENY, DENY, DENY)
GONE_FOR_ALL = roles(GONE, GONE, GONE, GONE, GONE, GONE)
NOT_FOUND = roles(DENY, DENY, DENY, DENY, DENY, DENY)

ROUTES: list[Route] = [
    Route("static", "css", "GET", lambda w: "/static/css/app.css", EVERYONE),
    Route("dashboard.index", "front page", "GET", lambda w: "/", EVERYONE),
    Route("dashboard.home", "dashboard", "GET", lambda w: "/dashboard", SIGNED_IN),
    # accounts
    Route("auth.login", "form", "GET", lambda w: "/auth/login", EVERYONE),
    Route("auth.login", "post", "POST", lambda w: "/auth/login", EVERYONE),
    Route("auth.logout", "post", "POST", lambda w: "/auth/logout", SIGNED_IN),
    Route("auth.join", "form", "GET", lambda w: "/auth/join", EVERYONE),
    Route("auth.join", "post", "POST", lambda w: "/auth/join", EVERYONE),
    Route("auth.signup", "form", "GET", lambda w: "/auth/signup", EVERYONE),
    Route("auth.signup", "post", "POST", lambda w: "/auth/signup", EVERYONE),
    Route("auth.resend_confirmation", "post", "POST", lambda w: "/auth/confirm/resend", SIGNED_IN),
    Route(
        "auth.confirm_email",
        "bad token",
        "GET",
        lambda w: "/auth/confirm/not-a-token",
        GONE_FOR_ALL,
    ),
    Route("auth.forgot_password", "form", "GET", lambda w: "/auth/forgot", EVERYONE),
    Route("auth.forgot_password", "post", "POST", lambda w: "/auth/forgot", EVERYONE),
    Route(
        "auth.reset_password", "bad token", "GET", lambda w: "/auth/reset/not-a-token", GONE_FOR_ALL
    ),
    Route(
        "auth.reset_password",
        "bad token post",
        "POST",
        lambda w: "/auth/reset/not-a-token",
        GONE_FOR_ALL,
    ),
    Route("auth.change_password", "form", "GET", lambda w: "/auth/password", SIGNED_IN),
    Route("auth.change_password", "post", "POST", lambda w: "/auth/password", SIGNED_IN),
    Route(
        "auth.accept_invitation",
        "valid link",
        "GET",
        lambda w: f"/auth/invite/{w.invitation_a_token}",
        EVERYONE,
    ),
    Route(
        "auth.accept_invitation", "unknown link", "GET", lambda w: "/auth/invite/unknown", NOT_FOUND
    ),
    Route(
        "auth.accept_invitation",
        "valid link post",
        "POST",
        lambda w: f"/auth/invite/{w.invitation_a_token}",
        EVERYONE,
    ),
    # classes
    Route("teams.classes", "list", "GET", lambda w: "/classes", STAFF),
    Route("teams.create_class", "post", "POST", lambda w: "/classes", ONLY_TEACHER),
    Route(
        "teams.classroom", "own class", "GET", lambda w: f"/classes/{w.class_a.id}", CLASS_MEMBERS
    ),
    Route(
        "teams.classroom",
        "colleague's class",
        "GET",
        lambda w: f"/classes/{w.class_a2.id}",
        roles(LOGIN, DENY, DENY, DENY, OK, DENY),
    ),
    Route("teams.classroom", "other school", "GET", lambda w: f"/classes/{w.class_b.id}", NOBODY),
    Route("teams.classroom", "missing", "GET", lambda w: "/classes/999999", NOBODY),
    Route(
        "teams.rename_class",
        "own class",
        "POST",
        lambda w: f"/classes/{w.class_a.id}/rename",
        STAFF,
    ),
    Route(
        "teams.rename_class",
        "colleague's class",
        "POST",
        lambda w: f"/classes/{w.class_a2.id}/rename",
        roles(LOGIN, DENY, DENY, DENY, OK, DENY),
    ),
    Route(
        "teams.rename_class",
        "other school",
        "POST",
        lambda w: f"/classes/{w.class_b.id}/rename",
        NOBODY,
    ),
    Route(
        "teams.rotate_code", "own class", "POST", lambda w: f"/classes/{w.class_a.id}/code", STAFF
    ),
    Route(
        "teams.rotate_code",
        "other school",
        "POST",
        lambda w: f"/classes/{w.class_b.id}/code",
        NOBODY,
    ),
    Route(
        "teams.remove_student",
        "own class",
        "POST",
        lambda w: f"/classes/{w.class_a.id}/students/{w.student.id}/remove",
        STAFF,
    ),
    Route(
        "teams.remove_student",
        "other school",
        "POST",
        lambda w: f"/classes/{w.class_b.id}/students/{w.student_b.id}/remove",
        NOBODY,
    ),
    Route(
        "teams.remove_student",
        "student of another class",
        "POST",
        lambda w: f"/classes/{w.class_a.id}/students/{w.student_b.id}/remove",
        NOBODY,
    ),
    Route(
        "teams.reset_student_password",
        "own class",
        "POST",
        lambda w: f"/classes/{w.class_a.id}/students/{w.student.id}/password",
        STAFF,
    ),
    Route(
        "teams.reset_student_password",
        "other school",
        "POST",
        lambda w: f"/classes/{w.class_b.id}/students/{w.student_b.id}/password",
        NOBODY,
    ),
    Route("teams.join_class", "form", "GET", lambda w: "/classes/join", ONLY_STUDENT),
    Route("teams.join_class", "post", "POST", lambda w: "/classes/join", ONLY_STUDENT),
    # teams
    Route(
        "teams.create_team",
        "own class",
        "POST",
        lambda w: f"/classes/{w.class_a.id}/teams",
        CLASS_MEMBERS,
    ),
    Route(
        "teams.create_team",
        "other school",
        "POST",
        lambda w: f"/classes/{w.class_b.id}/teams",
        NOBODY,
    ),
    Route("teams.team", "own team", "GET", lambda w: f"/teams/{w.team_a.id}", CLASS_MEMBERS),
    Route("teams.team", "other school's team", "GET", lambda w: f"/teams/{w.team_b.id}", NOBODY),
    Route("teams.add_member", "own team", "POST", lambda w: f"/teams/{w.team_a.id}/members", STAFF),
    Route(
        "teams.add_member",
        "other school's team",
        "POST",
        lambda w: f"/teams/{w.team_b.id}/members",
        NOBODY,
    ),
    Route(
        "teams.join_team", "own class", "POST", lambda w: f"/teams/{w.team_a.id}/join", ONLY_STUDENT
    ),
    Route(
        "teams.join_team",
        "other school's team",
        "POST",
        lambda w: f"/teams/{w.team_b.id}/join",
        NOBODY,
    ),
    Route(
        "teams.remove_member",
        "own team",
        "POST",
        lambda w: f"/teams/{w.team_a.id}/members/{w.student.id}/remove",
        CLASS_MEMBERS,
    ),
    Route(
        "teams.remove_member",
        "other school's team",
        "POST",
        lambda w: f"/teams/{w.team_b.id}/members/{w.student_b.id}/remove",
        NOBODY,
    ),
    # another team, a teammate, a colleague's class
    Route(
        "teams.team",
        "team of a colleague's class",
        "GET",
        lambda w: f"/teams/{w.colleague_team.id}",
        roles(LOGIN, DENY, DENY, DENY, OK, DENY),
    ),
    Route(
        "teams.remove_member",
        "a teammate",
        "POST",
        lambda w: f"/teams/{w.team_a.id}/members/{w.teammate.id}/remove",
        STAFF,
    ),
    Route(
        "teams.remove_member",
        "another team's member",
        "POST",
        lambda w: f"/teams/{w.other_team.id}/members/{w.other_team_student.id}/remove",
        STAFF,
    ),
    Route(
        "teams.add_member",
        "team of a colleague's class",
        "POST",
        lambda w: f"/teams/{w.colleague_team.id}/members",
        roles(LOGIN, DENY, DENY, DENY, OK, DENY),
    ),
    Route(
        "teams.remove_member",
        "team of a colleague's class",
        "POST",
        lambda w: (
            f"/teams/{w.colleague_team.id}/members/{w.colleague_team.memberships[0].student_id}/remove"
        ),
        roles(LOGIN, DENY, DENY, DENY, OK, DENY),
    ),
    # organisations
    Route("organisations.setup", "form", "GET", lambda w: "/organisation/setup", ONLY_EMPLOYER),
    Route("organisations.setup", "post", "POST", lambda w: "/organisation/setup", ONLY_EMPLOYER),
    Route(
        "organisations.join",
        "post",
        "POST",
        lambda w: f"/organisation/join/{w.org.id}",
        ONLY_EMPLOYER,
    ),
    Route(
        "organisations.decide_request",
        "own organisation",
        "POST",
        lambda w: f"/organisation/requests/{w.join_request.id}/accept",
        ONLY_EMPLOYER,
    ),
    Route(
        "organisations.decide_request",
        "other organisation",
        "POST",
        lambda w: f"/organisation/requests/{w.other_join_request.id}/decline",
        NOBODY,
    ),
    Route("organisations.profile", "page", "GET", lambda w: "/organisation", ONLY_EMPLOYER),
    Route("organisations.profile", "post", "POST", lambda w: "/organisation", ONLY_EMPLOYER),
    Route("organisations.verification", "queue", "GET", lambda w: "/partners/verification", STAFF),
    Route(
        "organisations.decide",
        "own school",
        "POST",
        lambda w: f"/partners/verification/{w.pending_a.id}/verify",
        STAFF,
    ),
    Route(
        "organisations.decide",
        "other school",
        "POST",
        lambda w: f"/partners/verification/{w.pending_b.id}/verify",
        NOBODY,
    ),
    # challenges
    Route("challenges.index", "list", "GET", lambda w: "/challenges", SIGNED_IN),
    Route("challenges.create", "form", "GET", lambda w: "/challenges/new", STAFF),
    Route("challenges.create", "post", "POST", lambda w: "/challenges/new", STAFF),
    Route(
        "challenges.edit",
        "own school",
        "GET",
        lambda w: f"/challenges/{w.challenge_a.id}/edit",
        STAFF,
    ),
    Route(
        "challenges.edit",
        "own school post",
        "POST",
        lambda w: f"/challenges/{w.challenge_a.id}/edit",
        STAFF,
    ),
    Route(
        "challenges.edit",
        "other school",
        "GET",
        lambda w: f"/challenges/{w.challenge_b.id}/edit",
        NOBODY,
    ),
    Route(
        "challenges.edit",
        "other school post",
        "POST",
        lambda w: f"/challenges/{w.challenge_b.id}/edit",
        NOBODY,
    ),
    Route(
        "challenges.show",
        "open, own school",
        "GET",
        lambda w: f"/challenges/{w.challenge_a.id}",
        SIGNED_IN,
    ),
    Route(
        "challenges.show",
        "draft",
        "GET",
        lambda w: f"/challenges/{w.draft_a.id}",
        roles(LOGIN, DENY, OK, DENY, OK, OK),
    ),
    Route(
        "challenges.show",
        "other school, not shared",
        "GET",
        lambda w: f"/challenges/{w.challenge_b.id}",
        roles(LOGIN, DENY, DENY, DENY, DENY, OK),
    ),
    Route(
        "challenges.move",
        "own school",
        "POST",
        lambda w: f"/challenges/{w.challenge_a.id}/status/closed",
        STAFF,
    ),
    Route(
        "challenges.move",
        "other school",
        "POST",
        lambda w: f"/challenges/{w.challenge_b.id}/status/closed",
        NOBODY,
    ),
    Route(
        "challenges.adopt",
        "own school",
        "POST",
        lambda w: f"/challenges/{w.challenge_a.id}/adopt",
        ONLY_EMPLOYER,
    ),
    Route(
        "challenges.adopt",
        "other school",
        "POST",
        lambda w: f"/challenges/{w.challenge_b.id}/adopt",
        NOBODY,
    ),
    Route(
        "challenges.decide_adoption",
        "own school",
        "POST",
        lambda w: f"/challenges/adoptions/{w.adoption_a.id}/accept",
        STAFF,
    ),
    Route(
        "challenges.decide_adoption",
        "other school",
        "POST",
        lambda w: f"/challenges/adoptions/{w.adoption_b.id}/decline",
        NOBODY,
    ),
    # projects
    Route(
        "projects.create",
        "own team",
        "GET",
        lambda w: f"/teams/{w.team_a.id}/projects/new",
        ONLY_STUDENT,
    ),
    Route(
        "projects.create",
        "own team post",
        "POST",
        lambda w: f"/teams/{w.team_a.id}/projects/new",
        ONLY_STUDENT,
    ),
    Route(
        "projects.create",
        "another team",
        "GET",
        lambda w: f"/teams/{w.other_team.id}/projects/new",
        NOBODY,
    ),
    Route(
        "projects.create",
        "another team post",
        "POST",
        lambda w: f"/teams/{w.other_team.id}/projects/new",
        NOBODY,
    ),
    Route(
        "projects.edit",
        "own draft",
        "GET",
        lambda w: f"/projects/{w.draft_project.id}/edit",
        ONLY_STUDENT,
    ),
    Route(
        "projects.edit",
        "own draft post",
        "POST",
        lambda w: f"/projects/{w.draft_project.id}/edit",
        ONLY_STUDENT,
    ),
    Route(
        "projects.edit",
        "another team's draft",
        "GET",
        lambda w: f"/projects/{w.other_draft.id}/edit",
        NOBODY,
    ),
    Route(
        "projects.edit",
        "another team's draft post",
        "POST",
        lambda w: f"/projects/{w.other_draft.id}/edit",
        NOBODY,
    ),
    Route(
        "projects.show",
        "own draft",
        "GET",
        lambda w: f"/projects/{w.draft_project.id}",
        roles(LOGIN, OK, OK, DENY, OK, OK),
    ),
    Route(
        "projects.show",
        "another team's draft",
        "GET",
        lambda w: f"/projects/{w.other_draft.id}",
        roles(LOGIN, DENY, OK, DENY, OK, OK),
    ),
    Route(
        "projects.show",
        "published",
        "GET",
        lambda w: f"/projects/{w.published_project.id}",
        SIGNED_IN,
    ),
    Route(
        "projects.show",
        "other school's published",
        "GET",
        lambda w: f"/projects/{w.project_b.id}",
        roles(LOGIN, DENY, DENY, DENY, DENY, OK),
    ),
    Route(
        "projects.submit",
        "own draft",
        "POST",
        lambda w: f"/projects/{w.draft_project.id}/submit",
        ONLY_STUDENT,
    ),
    Route(
        "projects.submit",
        "another team's draft",
        "POST",
        lambda w: f"/projects/{w.other_draft.id}/submit",
        NOBODY,
    ),
    Route(
        "projects.review",
        "own class",
        "POST",
        lambda w: f"/projects/{w.submitted_project.id}/review/publish",
        STAFF,
    ),
    Route(
        "projects.review",
        "other school",
        "POST",
        lambda w: f"/projects/{w.project_b.id}/review/changes",
        NOBODY,
    ),
    Route(
        "projects.archive",
        "own class",
        "POST",
        lambda w: f"/projects/{w.published_project.id}/archive",
        STAFF,
    ),
    Route(
        "projects.archive",
        "other school",
        "POST",
        lambda w: f"/projects/{w.project_b.id}/archive",
        NOBODY,
    ),
    Route("projects.queue", "reviews", "GET", lambda w: "/reviews", STAFF),
    Route("projects.index", "browse", "GET", lambda w: "/projects", SIGNED_IN),
    Route("projects.portfolio", "own", "GET", lambda w: "/portfolio", ONLY_STUDENT),
    # project files
    Route(
        "files.start",
        "own draft",
        "POST",
        lambda w: f"/projects/{w.draft_project.id}/files",
        ONLY_STUDENT,
    ),
    Route(
        "files.start",
        "another team's draft",
        "POST",
        lambda w: f"/projects/{w.other_draft.id}/files",
        NOBODY,
    ),
    Route(
        "files.receive", "signed link", "PUT", lambda w: upload_link(w.pending_file), ONLY_STUDENT
    ),
    Route("files.receive", "forged link", "PUT", lambda w: "/files/upload/forged", NOBODY),
    Route(
        "files.complete",
        "own upload",
        "POST",
        lambda w: f"/files/{w.pending_file.id}/complete",
        ONLY_STUDENT,
    ),
    Route(
        "files.complete",
        "another team's upload",
        "POST",
        lambda w: f"/files/{w.other_pending.id}/complete",
        NOBODY,
    ),
    Route(
        "files.upload_form",
        "own draft",
        "POST",
        lambda w: f"/projects/{w.draft_project.id}/files/form",
        ONLY_STUDENT,
    ),
    Route(
        "files.upload_form",
        "another team's draft",
        "POST",
        lambda w: f"/projects/{w.other_draft.id}/files/form",
        NOBODY,
    ),
    Route(
        "files.download",
        "published project",
        "GET",
        lambda w: f"/files/{w.published_file.id}",
        SIGNED_IN,
    ),
    Route(
        "files.download",
        "another team's draft",
        "GET",
        lambda w: f"/files/{w.other_draft_file.id}",
        roles(LOGIN, DENY, OK, DENY, OK, OK),
    ),
    Route(
        "files.download",
        "other school",
        "GET",
        lambda w: f"/files/{w.file_b.id}",
        roles(LOGIN, DENY, DENY, DENY, DENY, OK),
    ),
    Route("files.serve", "signed link", "GET", lambda w: download_link(w.published_file), EVERYONE),
    Route("files.serve", "forged link", "GET", lambda w: "/files/download/forged", NOT_FOUND),
    Route(
        "files.delete",
        "own draft",
        "POST",
        lambda w: f"/files/{w.draft_file.id}/delete",
        ONLY_STUDENT,
    ),
    Route(
        "files.delete",
        "another team's draft",
        "POST",
        lambda w: f"/files/{w.other_draft_file.id}/delete",
        NOBODY,
    ),
    # schools
    Route("schools.admin_schools", "list", "GET", lambda w: "/admin/schools", ONLY_SITE_ADMIN),
    Route("schools.create_school", "post", "POST", lambda w: "/admin/schools", ONLY_SITE_ADMIN),
    Route(
        "schools.admin_invite",
        "post",
        "POST",
        lambda w: f"/admin/schools/{w.school_a.id}/invite",
        ONLY_SITE_ADMIN,
    ),
    Route("schools.staff", "list", "GET", lambda w: "/school/staff", ONLY_SCHOOL_ADMIN),
    Route("schools.invite", "post", "POST", lambda w: "/school/staff", ONLY_SCHOOL_ADMIN),
    Route(
        "schools.revoke_invitation",
        "own school",
        "POST",
        lambda w: f"/school/invitations/{w.invitation_a.id}/revoke",
        ONLY_SCHOOL_ADMIN,
    ),
    Route(
        "schools.revoke_invitation",
        "other school",
        "POST",
        lambda w: f"/school/invitations/{w.invitation_b.id}/revoke",
        NOBODY,
    ),
    # ladder: engagement and offer pages (engagements.*)
    *(
        Route(f"engagements.{name}", case, "POST", url, expect)
        for name, path in (("interest", "interest"), ("claim_mentor", "mentor"))
        for case, url, expect in (
            ("own school", lambda w, p=path: f"/projects/{w.own_published.id}/{p}", ONLY_EMPLOYER),
            ("other school", lambda w, p=path: f"/projects/{w.project_b.id}/{p}", NOBODY),
        )
    ),
    Route("engagements.pipeline", "own", "GET", lambda w: "/pipeline", ONLY_EMPLOYER),
    *(
        Route("engagements.show", case, "GET", url, expect)
        for case, url, expect in (
            ("own", lambda w: f"/engagements/{w.engagement.id}", SIGNED_IN),
            (
                "another organisation's",
                lambda w: f"/engagements/{w.other_org_engagement.id}",
                roles(LOGIN, DENY, OK, DENY, OK, OK),
            ),
            ("other school", lambda w: f"/engagements/{w.engagement_b.id}", ONLY_SITE_ADMIN),
        )
    ),
    *(
        Route(f"engagements.{name}", case, "POST", url, expect)
        for name, path, who in (
            ("mark_complete", "complete", ONLY_EMPLOYER),
            ("confirm_complete", "confirm", STAFF),
            ("allow_skip", "skip", STAFF),
            ("close", "close", roles(LOGIN, DENY, OK, OK, OK, DENY)),
        )
        for case, url, expect in (
            ("own", lambda w, p=path: f"/engagements/{w.engagement.id}/{p}", who),
            (
                "another organisation's",
                lambda w, p=path: f"/engagements/{w.other_org_engagement.id}/{p}",
                {**who, "employer": DENY},
            ),
            ("other school", lambda w, p=path: f"/engagements/{w.engagement_b.id}/{p}", NOBODY),
        )
    ),
    *(
        Route("engagements.new_offer", f"{case} {method}", method, url, expect)
        for method in ("GET", "POST")
        for case, url, expect in (
            ("own", lambda w: f"/engagements/{w.engagement.id}/offers/new", ONLY_EMPLOYER),
            (
                "another organisation's",
                lambda w: f"/engagements/{w.other_org_engagement.id}/offers/new",
                NOBODY,
            ),
        )
    ),
    *(
        Route("engagements.edit_offer", f"{case} {method}", method, url, expect)
        for method in ("GET", "POST")
        for case, url, expect in (
            ("own", lambda w: f"/offers/{w.offer.id}/edit", ONLY_EMPLOYER),
            ("another organisation's", lambda w: f"/offers/{w.other_org_offer.id}/edit", NOBODY),
        )
    ),
    *(
        Route("engagements.offer", case, "GET", url, expect)
        for case, url, expect in (
            ("own", lambda w: f"/offers/{w.offer.id}", SIGNED_IN),
            (
                "another organisation's",
                lambda w: f"/offers/{w.other_org_offer.id}",
                roles(LOGIN, DENY, OK, DENY, OK, OK),
            ),
            ("other school", lambda w: f"/offers/{w.offer_b.id}", ONLY_SITE_ADMIN),
        )
    ),
    *(
        Route(f"engagements.{name}", case, "POST", url, expect)
        for name, path, who, other_org in (
            ("propose", "propose", ONLY_EMPLOYER, NOBODY),
            ("withdraw", "withdraw", ONLY_EMPLOYER, NOBODY),
            ("approve", "approve", STAFF, STAFF),
            ("record_consent", "consent", STAFF, STAFF),
            ("accept", "accept", ONLY_STUDENT, NOBODY),
            ("decline", "decline", ONLY_STUDENT, NOBODY),
        )
        for case, url, expect in (
            ("own", lambda w, p=path: f"/offers/{w.offer.id}/{p}", who),
            (
                "another organisation's",
                lambda w, p=path: f"/offers/{w.other_org_offer.id}/{p}",
                other_org,
            ),
            ("other school", lambda w, p=path: f"/offers/{w.offer_b.id}/{p}", NOBODY),
        )
    ),
    # ladder: team and staff pages (ladder.*)
    Route("ladder.team", "own teams", "GET", lambda w: "/my/engagements", ONLY_STUDENT),
    Route("ladder.approvals", "queue", "GET", lambda w: "/approvals", STAFF),
    Route("ladder.school_ladder", "own school", "GET", lambda w: "/ladder", STAFF),
    Route(
        "ladder.school_ladder",
        "filtered by another school's class",
        "GET",
        lambda w: f"/ladder?class={w.class_b.id}&organisation={w.engagement_b.organisation_id}",
        STAFF,
    ),
    Route(
        "ladder.background_checks",
        "own school",
        "GET",
        lambda w: "/school/background-checks",
        ONLY_SCHOOL_ADMIN,
    ),
    Route(
        "ladder.record_check",
        "member of an organisation the school verified",
        "POST",
        lambda w: f"/school/background-checks/{w.employer.id}",
        ONLY_SCHOOL_ADMIN,
    ),
    Route(
        "ladder.record_check",
        "member of an organisation only another school verified",
        "POST",
        lambda w: f"/school/background-checks/{w.engagement_b.opened_by_id}",
        NOBODY,
    ),
    Route(
        "ladder.record_check",
        "member of an organisation still pending",
        "POST",
        lambda w: f"/school/background-checks/{w.pending_a.organisation.members[0].id}",
        NOBODY,
    ),
    Route(
        "ladder.record_check",
        "a student",
        "POST",
        lambda w: f"/school/background-checks/{w.student.id}",
        NOBODY,
    ),
    Route(
        "ladder.settings",
        "own school",
        "GET",
        lambda w: "/school/ladder-settings",
        ONLY_SCHOOL_ADMIN,
    ),
    Route(
        "ladder.settings",
        "own school post",
        "POST",
        lambda w: "/school/ladder-settings",
        ONLY_SCHOOL_ADMIN,
    ),
    # notifications: the bell, the list and mail preferences (notifications.*)
    Route("notifications.bell", "badge", "GET", lambda w: "/notifications/bell", SIGNED_IN),
    Route("notifications.index", "list", "GET", lambda w: "/notifications", SIGNED_IN),
    Route(
        "notifications.index",
        "past the last page",
        "GET",
        lambda w: "/notifications?page=9",
        NOBODY,
    ),
    Route(
        "notifications.open_one",
        "the student's",
        "GET",
        lambda w: f"/notifications/{student_note(w)}",
        ONLY_STUDENT,
    ),
    Route("notifications.mark_all_read", "own", "POST", lambda w: "/notifications/read", SIGNED_IN),
    Route("notifications.settings", "form", "GET", lambda w: "/notifications/settings", SIGNED_IN),
    Route("notifications.settings", "post", "POST", lambda w: "/notifications/settings", SIGNED_IN),
    *(
        Route(f"notifications.{name}", case, method, url, expect)
        for name, method, suffix in (
            ("preferences", "GET", ""),
            ("preferences", "POST", ""),
            ("confirm_unsubscribe", "GET", "/unsubscribe"),
            ("unsubscribe", "POST", "/unsubscribe"),
        )
        for case, url, expect in (
            (
                "the student's token",
                lambda w, s=suffix: f"/notifications/preferences/{student_token(w)}{s}",
                EVERYONE,
            ),
            (
                "a tampered token",
                lambda w, s=suffix: f"/notifications/preferences/{student_token(w)}x{s}",
                NOT_FOUND,
            ),
        )
    ),
    # messages: threads, posting, polling and attachments (messaging.*)
    Route("messaging.inbox", "own", "GET", lambda w: "/messages", SIGNED_IN),
    *(
        Route(f"messaging.{name}", case, method, url, expect)
        for name, method, in_it in (
            ("thread", "GET", roles(LOGIN, OK, OK, OK, OK, DENY)),
            ("post", "POST", roles(LOGIN, OK, OK, OK, DENY, DENY)),
        )
        for case, url, expect in (
            ("own engagement thread", lambda w: f"/messages/{w.thread.id}", in_it),
            ("other school's thread", lambda w: f"/messages/{w.thread_b.id}", NOBODY),
            (
                "school channel",
                lambda w: f"/messages/{w.school_thread.id}",
                roles(LOGIN, DENY, OK, OK, OK, DENY),
            ),
        )
    ),
    Route(
        "messaging.thread",
        "poll of another school's thread",
        "GET",
        lambda w: f"/messages/{w.thread_b.id}?after=0",
        NOBODY,
    ),
    *(
        Route("messaging.engagement_thread", case, "GET", url, expect)
        for case, url, expect in (
            (
                "own",
                lambda w: f"/engagements/{w.engagement.id}/messages",
                roles(LOGIN, OK, OK, OK, OK, DENY),
            ),
            (
                "another organisation's",
                lambda w: f"/engagements/{w.other_org_engagement.id}/messages",
                roles(LOGIN, DENY, OK, DENY, OK, DENY),
            ),
            ("other school", lambda w: f"/engagements/{w.engagement_b.id}/messages", NOBODY),
        )
    ),
    Route("messaging.new_thread", "form", "GET", lambda w: "/messages/new", STAFF),
    Route("messaging.new_thread", "post", "POST", lambda w: "/messages/new", STAFF),
    Route(
        "messaging.download",
        "own thread's file",
        "GET",
        lambda w: f"/messages/attachments/{w.attachment.id}",
        roles(LOGIN, OK, OK, OK, OK, DENY),
    ),
    # moderation: held messages, flags and mutes (moderation.*)
    Route("moderation.queue", "own school", "GET", lambda w: "/messages/held", STAFF),
    *(
        Route(f"moderation.{name}", case, "POST", url, expect)
        for name in ("release", "reject")
        for case, url, expect in (
            ("held", lambda w, n=name: f"/messages/held/{w.held_message.id}/{n}", STAFF),
            ("already visible", lambda w, n=name: f"/messages/held/{w.message.id}/{n}", STAFF),
            ("other school", lambda w, n=name: f"/messages/held/{w.message_b.id}/{n}", NOBODY),
        )
    ),
    *(
        Route("moderation.flag", case, "POST", url, expect)
        for case, url, expect in (
            (
                "visible message of own thread",
                lambda w: f"/messages/{w.message.id}/flag",
                roles(LOGIN, OK, OK, OK, OK, DENY),
            ),
            (
                "a student's held message",
                lambda w: f"/messages/{w.held_message.id}/flag",
                roles(LOGIN, OK, OK, DENY, OK, DENY),
            ),
            ("other school's message", lambda w: f"/messages/{w.message_b.id}/flag", NOBODY),
        )
    ),
    Route(
        "moderation.resolve",
        "report in own school",
        "POST",
        lambda w: f"/messages/flags/{report_of(w.message, w.student)}/resolve",
        STAFF,
    ),
    Route(
        "moderation.resolve",
        "report in another school",
        "POST",
        lambda w: f"/messages/flags/{report_of(w.message_b, w.student_b)}/resolve",
        NOBODY,
    ),
    Route("mutes.mutes", "own school", "GET", lambda w: "/school/mutes", STAFF),
    Route("mutes.mute", "empty form", "POST", lambda w: "/school/mutes", STAFF),
    Route(
        "mutes.unmute",
        "own school's mute",
        "POST",
        lambda w: f"/school/mutes/{mute_of(w.employer, w.school_a.id, w.teacher)}/unmute",
        STAFF,
    ),
    Route(
        "mutes.unmute",
        "another school's mute",
        "POST",
        lambda w: f"/school/mutes/{mute_of(w.message_b.author, w.school_b.id)}/unmute",
        NOBODY,
    ),
]
