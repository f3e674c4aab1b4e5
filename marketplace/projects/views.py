"""Teams write and submit projects; teachers review and publish; everyone reads what they may."""

from __future__ import annotations

import re
from typing import Any, NamedTuple

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from markupsafe import Markup, escape
from sqlalchemy.orm import joinedload, with_expression
from werkzeug.wrappers import Response

from ..built import Built
from ..clusters import CAREER_CLUSTERS
from ..extensions import db
from ..forms_common import EmptyForm, SelectChoice, add_error, bounded_int
from ..markdown import render_kept
from ..models import (
    Challenge,
    Classroom,
    Engagement,
    PitchRole,
    Placement,
    Project,
    ProjectStatus,
    School,
    Team,
    TeamMembership,
    User,
)
from ..permissions import load_or_404, require, staff_required, student_required
from ..storage import storage
from ..web import commit_or_refuse, is_htmx
from . import changes, pitch, rules, search, services
from .file_kinds import human_size
from .forms import EditProjectForm, ProjectForm, ReviewForm

bp = Blueprint("projects", __name__)
bp.add_app_template_global(rules.can_edit, "can_edit_project")
bp.add_app_template_global(rules.can_review, "can_review_project")
bp.add_app_template_global(rules.is_member, "is_team_member")
bp.add_app_template_filter(human_size, "file_size")
bp.add_app_template_global(pitch.roles_for, "pitch_roles")


@bp.app_template_global("role_label")
def role_label(role: PitchRole) -> str:
    """What a pitch role is called in a sentence: "pitch deck"."""
    return pitch.ROLE_LABELS[role]


@bp.app_template_global("media_url")
def media_url(key: str, content_type: str = "image/webp") -> str:
    """A link that shows a stored image, video or captions track in the page."""
    return storage().media_url(key, content_type)


@bp.app_template_filter("duration")
def duration(seconds: float | int | None) -> str:
    """A length people read: "45 s", "3 min", "2 min 05 s"."""
    whole = round(seconds or 0)
    minutes, rest = divmod(whole, 60)
    if not minutes:
        return f"{rest} s"
    return f"{minutes} min" if not rest else f"{minutes} min {rest:02d} s"


def _redirect_to(project: Project) -> Response:
    return redirect(url_for("projects.show", project_id=project.id), 303)


@bp.route("/teams/<int:team_id>/projects/new", methods=["GET", "POST"])
@student_required
def create(team_id: int) -> Response | tuple[str, int]:
    """A team member starts a project for an open challenge."""
    team = load_or_404(Team, team_id, rules.can_start_project)
    form = ProjectForm(challenge_id=request.args.get("challenge", type=bounded_int))
    choices = services.challenges_for(team)
    form.challenge_id.choices = [
        SelectChoice("", "Choose…"),
        *(SelectChoice(c.id, f"{c.title} — {c.school.name}") for c in choices),
    ]
    if form.validate_on_submit():
        challenge = db.session.get(Challenge, form.challenge_id.data)
        try:
            project = services.create_project(
                team, challenge, current_user, skills=form.skill_list, **form.fields_for_save()
            )
        except services.ProjectError as error:
            add_error(form.challenge_id, str(error))
        else:
            db.session.commit()
            flash("Your project is saved as a draft. Submit it when it is ready.", "success")
            return _redirect_to(project)
    return render_template("projects/form.html", form=form, team=team, project=None), (
        422 if form.errors else 200
    )


@bp.route("/projects/<int:project_id>/edit", methods=["GET", "POST"])
@student_required
def edit(project_id: int) -> Response | tuple[str, int]:
    """A team member changes a draft, or a project sent back for changes."""
    project = load_or_404(Project, project_id, rules.can_view)
    require(rules.can_edit, project, status=403)
    form = EditProjectForm(obj=project)
    if not form.is_submitted():
        form.skills.data = ", ".join(project.skills)
    if form.validate_on_submit():
        services.update_project(
            project, current_user, skills=form.skill_list, **form.fields_for_save()
        )
        db.session.commit()
        flash("Saved.", "success")
        return _redirect_to(project)
    return render_template("projects/form.html", form=form, team=project.team, project=project), (
        422 if form.errors else 200
    )


# What the project page shows, read with the project in one statement: its challenge, its team
# with the class, school and members (who may see it is asked of them), and its stored files.
SHOWN_WITH = (
    joinedload(Project.challenge),
    joinedload(Project.team).joinedload(Team.classroom).joinedload(Classroom.school),
    joinedload(Project.team).joinedload(Team.memberships),
    joinedload(Project.files),
)


def _shown_to(user: User) -> sa.Select[Project]:
    """The project page's statement for `user`: the project by `id` with SHOWN_WITH, and
    whether the page's endorsements and engagements have anything to read for `user`, asked
    in the same statement (most projects have neither, and each would be a statement of its
    own: 0.2 ms each, and a round trip). Built once for each organisation (and once for
    everyone else): building it costs more than running it."""
    key = (True, user.organisation_id) if user.is_employer else (False, None)

    def build() -> sa.Select[Project]:
        by_id = sa.select(Project).where(Project.id == sa.bindparam("id", type_=sa.Integer))
        return by_id.options(*_shown_with_hints(*key))

    return _SHOWN_TO.get(key, build)


def _shown_with_hints(employer: bool, organisation_id: int | None) -> tuple[Any, ...]:
    engaged = sa.exists().where(Engagement.project_id == Project.id)
    if employer:  # the panel shows an employer its own organisation's engagement
        engaged = engaged.where(Engagement.organisation_id == organisation_id)
    endorsed = sa.exists().where(
        TeamMembership.team_id == Project.team_id,
        Placement.student_id == TeamMembership.student_id,
        Placement.endorsement_shown(),
    )
    return (
        *SHOWN_WITH,
        with_expression(Project.any_engagement_seen, engaged),
        with_expression(Project.any_endorsement_shown, endorsed),
    )


_SHOWN_TO: Built[sa.Select[Project]] = Built(limit=1024)


@bp.get("/projects/<int:project_id>")
@login_required
def show(project_id: int) -> str:
    """A project: pitch, story, links and team; its review history for the team and teacher."""
    project = load_or_404(Project, project_id, rules.can_view, statement=_shown_to(current_user))
    inside = rules.is_member(project, current_user) or rules.can_review(project, current_user)
    return render_template(
        "projects/show.html",
        project=project,
        pitch=pitch.of(project),
        body=render_kept(project.body),
        inside=inside,
        changes=changes.since_last_submission(project) if inside else None,
        # Their buttons are the team's and its reviewers' (a form costs 0.1 ms to build).
        review_form=ReviewForm() if inside else None,
        action_form=EmptyForm() if inside else None,
    )


@bp.get("/projects/<int:project_id>/pitch")
@login_required
def pitch_fragment(project_id: int) -> str:
    """The pitch section alone, or one part of it (`part=video|deck`): what a part still being
    prepared asks for every 3 s; `n` counts the asks, so it stops after a while."""
    project = load_or_404(Project, project_id, rules.can_view)
    inside = rules.is_member(project, current_user) or rules.can_review(project, current_user)
    part = request.args.get("part", "")
    return render_template(
        "projects/_pitch.html",
        project=project,
        pitch=pitch.of(project),
        inside=inside,
        part=part if part in ("video", "deck") else "",
        polls=request.args.get("n", 0, type=bounded_int) or 0,
    )


@bp.post("/projects/<int:project_id>/submit")
@student_required
def submit(project_id: int) -> Response:
    """Send the project to the teacher for review."""
    project = load_or_404(Project, project_id, rules.can_view)
    require(rules.is_member, project, status=403)
    commit_or_refuse(
        lambda: services.submit(project, current_user),
        services.ProjectError,
        "Submitted. Your teacher will review it.",
    )
    return _redirect_to(project)


@bp.post("/projects/<int:project_id>/review/<any(publish, changes):decision>")
@staff_required
def review(project_id: int, decision: str) -> Response:
    """Publish a submitted project, or send it back with a comment."""
    project = load_or_404(Project, project_id, rules.can_view)
    require(rules.can_review, project, status=403)
    form = ReviewForm()
    if not form.validate_on_submit():
        flash(" ".join(form.comment.errors), "error")
        return _redirect_to(project)
    commit_or_refuse(
        lambda: services.review(
            project, current_user, decision == "publish", form.comment.data or ""
        ),
        services.ProjectError,
        "Published." if decision == "publish" else "Sent back to the team.",
    )
    return _redirect_to(project)


@bp.post("/projects/<int:project_id>/archive")
@staff_required
def archive(project_id: int) -> Response:
    """Archive a published project."""
    project = load_or_404(Project, project_id, rules.can_view)
    require(rules.can_review, project, status=403)
    commit_or_refuse(
        lambda: services.archive(project, current_user), services.ProjectError, "Archived."
    )
    return _redirect_to(project)


@bp.get("/reviews")
@staff_required
def queue() -> str:
    """Submitted projects waiting for review, oldest first."""
    return render_template("projects/queue.html", projects=services.review_queue(current_user))


class Browsable(NamedTuple):
    """A school in the browse page's school filter."""

    id: int
    name: str


def _browsable_schools() -> list[Browsable]:
    """The schools whose published projects the user may browse, as (id, name): for an employer
    those that verified its organisation, for everyone else their own school (both came with the
    user: no statement of their own), for a site admin every school."""
    if current_user.is_employer:
        organisation = current_user.organisation
        verified = organisation.verified_schools if organisation is not None else []
        return [Browsable(*school) for school in verified]
    if current_user.is_site_admin:
        query = sa.select(School.id, School.name).order_by(School.id)
        return [Browsable(*row) for row in db.session.execute(query)]
    school = current_user.school
    return [Browsable(school.id, school.name)] if school is not None else []


@bp.get("/projects")
@login_required
def index() -> str | tuple[str, int]:
    """Browse and search published projects; filtered live with htmx, plain GET without JS."""
    schools = _browsable_schools()
    if not schools:
        return render_template("projects/awaiting.html"), 200
    school_ids = [school_id for school_id, _ in schools]
    args = request.args
    filters = search.Filters(
        query=args.get("q", "")[:300],
        cluster=args.get("cluster", "") if args.get("cluster") in CAREER_CLUSTERS else "",
        skill=args.get("skill", "")[:40],
        school_id=args.get("school", type=bounded_int)
        if args.get("school", type=bounded_int) in school_ids
        else None,
        challenge_id=args.get("challenge", type=bounded_int),
        sort="recent" if args.get("sort") == "recent" else "relevance",
    )
    page = args.get("page", 1, type=bounded_int) or 1
    organisation_id = current_user.organisation_id if current_user.is_employer else None
    results = search.search(filters, school_ids, page=page, organisation_id=organisation_id)
    context = {"results": results, "clusters": CAREER_CLUSTERS, "schools": schools}
    if is_htmx():
        return render_template("projects/_results.html", **context)
    return render_template("projects/index.html", **context)


@bp.get("/portfolio")
@student_required
def portfolio() -> str:
    """A student's published work."""
    return render_template("projects/portfolio.html", projects=services.portfolio(current_user))


STATUS_BADGES = {
    ProjectStatus.DRAFT: "badge-wait",
    ProjectStatus.SUBMITTED: "badge-wait",
    ProjectStatus.CHANGES_REQUESTED: "badge-no",
    ProjectStatus.PUBLISHED: "badge-ok",
    ProjectStatus.ARCHIVED: "",
}


@bp.app_template_filter("status_badge")
def status_badge(status: ProjectStatus) -> str:
    """The badge class of a project status."""
    return STATUS_BADGES.get(status, "")


def cluster_class(cluster: str) -> str:
    """A career cluster's colour class for a card without a cover ("cluster-4")."""
    return f"cluster-{CAREER_CLUSTERS.index(cluster)}" if cluster in CAREER_CLUSTERS else ""


# The first letter of each word (a word that begins with "_" does not count).
_WORD_START = re.compile(r"(?<!\w)[^\W_]")


def initials(title: str) -> str:
    """A project's initials for its placeholder cover: "CheckIn Buddy" → "CB"."""
    return "".join(_WORD_START.findall(title)[:2]).upper() or "?"


@bp.app_template_global("cover")
def cover(project: Any) -> Markup:
    """A project card's cover: the thumbnail of the image the team chose (made by the worker),
    or, until there is one, a placeholder in its career cluster's colour with the project's
    initials. Decorative either way: the title follows as text. A function, not a macro: a page
    shows 24 of them, and a Jinja macro costs ten times as much to call (`project` is a
    `Project` or a browse page's `Card`). Written out with `escape` rather than through
    `Markup.format`, which costs three times as much."""
    if project.cover_key:
        return Markup(  # noqa: S704 - the one value is escaped
            f'<img class="cover cover-image" src="{escape(media_url(project.cover_key))}" alt=""'
            ' width="640" height="360" loading="lazy" decoding="async">'
        )
    return Markup(  # noqa: S704 - both values are escaped
        '<div class="cover cover-placeholder'
        f' {escape(cluster_class(project.challenge.career_cluster))}" aria-hidden="true">'
        f"<span>{escape(initials(project.title))}</span></div>"
    )
