"""Pages of one engagement: interest, the timeline, the pipeline board, and the offer form."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.blueprints import BlueprintSetupState
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from ..extensions import db
from ..forms_common import EmptyForm, SelectChoice
from ..models import LADDER, Engagement, EngagementEvent, Offer, Project, Rung
from ..permissions import employer_required, load_or_404, staff_required
from ..projects import rules as project_rules
from ..web import commit_or_refuse, safe_next
from . import ladder, queries, rules, story
from .forms import CloseForm, InterestForm, SkipForm

bp = Blueprint("engagements", __name__)


def back_to(default: str) -> Response:
    """Return where the action was taken (the form's `next`, a path on this site) or to
    `default`."""
    return redirect(safe_next(request.form.get("next")) or default, 303)


def engagement_or_404(engagement_id: int) -> Engagement:
    """The engagement, if the user has a part in it (or is a site admin); else 404."""
    return load_or_404(Engagement, engagement_id, rules.can_view)


def offer_or_404(offer_id: int) -> Offer:
    """The offer, for those with a part in its engagement; students never see drafts."""
    return load_or_404(Offer, offer_id, rules.can_view_offer)


def to_engagement(engagement: Engagement) -> Response:
    return back_to(url_for("engagements.show", engagement_id=engagement.id))


# --- interest ----------------------------------------------------------------------------------


@bp.post("/projects/<int:project_id>/interest")
@employer_required
def interest(project_id: int) -> Response:
    """An employer says "I'm interested" in a published project, with an optional note."""
    project = load_or_404(Project, project_id, project_rules.can_view)
    form = InterestForm()
    if not form.validate():
        flash(" ".join(form.note.errors), "error")
        return redirect(url_for("projects.show", project_id=project.id), 303)
    holder: list[Engagement] = []
    commit_or_refuse(
        lambda: holder.append(ladder.show_interest(project, current_user, form.note.data or "")),
        ladder.LadderError,
        "Thank you: the team and their teacher are told of your interest.",
    )
    return redirect(url_for("projects.show", project_id=project.id), 303)


@bp.post("/projects/<int:project_id>/mentor")
@employer_required
def claim_mentor(project_id: int) -> Response:
    """ "Claim to mentor": open the engagement if needed, then draft the mentorship offer."""
    project = load_or_404(Project, project_id, project_rules.can_view)
    engagement = queries.for_project(project, current_user)
    if not engagement:
        try:
            note = InterestForm().note.data or ""
            engagement = [ladder.show_interest(project, current_user, note[:2000])]
        except ladder.LadderError as refusal:
            db.session.rollback()
            flash(str(refusal), "error")
            return redirect(url_for("projects.show", project_id=project.id), 303)
        db.session.commit()
    return redirect(
        url_for("engagements.new_offer", engagement_id=engagement[0].id, rung="mentorship"), 303
    )


# --- the engagement ------------------------------------------------------------------------


@bp.get("/engagements/<int:engagement_id>")
@login_required
def show(engagement_id: int) -> str:
    """An engagement: where it stands on the ladder, its offers, the next step, the timeline."""
    engagement = engagement_or_404(engagement_id)
    if rules.withdrawn_by_school(engagement, current_user):
        return render_template("engagements/withdrawn.html", engagement=engagement)
    part = rules.part_of(engagement, current_user)
    offers = [o for o in engagement.offers if rules.sees_offer(o, current_user)]
    skip_form = SkipForm()
    skip_form.to.choices = [
        SelectChoice(r.value, r.label.capitalize())
        for r in Rung
        if r.level > engagement.rung.level + 1
    ]
    return render_template(
        "engagements/show.html",
        engagement=engagement,
        part=part,
        is_staff=part in rules.STAFF_PARTS,
        offers=offers,
        events=queries.timeline(engagement, current_user),
        stalled=rules.is_stalled(engagement),
        next_step=rules.next_step(engagement, current_user),
        open_offer=rules.open_offer(engagement, current_user),
        action_form=EmptyForm(),
        close_form=CloseForm(),
        skip_form=skip_form,
    )


@bp.post("/engagements/<int:engagement_id>/complete")
@employer_required
def mark_complete(engagement_id: int) -> Response:
    """The employer marks the current rung done (the teacher confirms)."""
    engagement = engagement_or_404(engagement_id)
    commit_or_refuse(
        lambda: ladder.mark_complete(engagement, current_user),
        ladder.LadderError,
        "Marked complete. The teacher is asked to confirm.",
    )
    return to_engagement(engagement)


@bp.post("/engagements/<int:engagement_id>/confirm")
@staff_required
def confirm_complete(engagement_id: int) -> Response:
    """The teacher confirms the rung is complete."""
    engagement = engagement_or_404(engagement_id)
    commit_or_refuse(
        lambda: ladder.confirm_complete(engagement, current_user),
        ladder.LadderError,
        "Confirmed complete.",
    )
    return to_engagement(engagement)


@bp.post("/engagements/<int:engagement_id>/skip")
@staff_required
def allow_skip(engagement_id: int) -> Response:
    """The teacher lets the engagement skip to a higher rung."""
    engagement = engagement_or_404(engagement_id)
    form = SkipForm()
    form.to.choices = [SelectChoice(r.value, r.label) for r in Rung]
    if not form.validate():
        flash("Choose the rung to allow.", "error")
        return to_engagement(engagement)
    to = Rung(form.to.data)
    commit_or_refuse(
        lambda: ladder.allow_skip(engagement, current_user, to),
        ladder.LadderError,
        f"The employer may now offer up to {to.a}.",
    )
    return to_engagement(engagement)


@bp.post("/engagements/<int:engagement_id>/close")
@login_required
def close(engagement_id: int) -> Response:
    """The employer or the teacher ends the engagement."""
    engagement = engagement_or_404(engagement_id)
    if not (current_user.is_employer or current_user.is_staff):
        abort(403)
    form = CloseForm()
    if not form.validate():
        flash(" ".join(form.reason.errors), "error")
        return to_engagement(engagement)
    commit_or_refuse(
        lambda: ladder.close(engagement, current_user, form.reason.data or ""),
        ladder.LadderError,
        "Closed.",
    )
    return to_engagement(engagement)


# --- the pipeline board ------------------------------------------------------------------------


@bp.get("/pipeline")
@employer_required
def pipeline() -> str:
    """The organisation's engagements as a board with a column per rung."""
    if current_user.organisation_id is None:
        abort(404)
    board = queries.pipeline(current_user.organisation_id)
    return render_template("engagements/pipeline.html", board=board)


def card_response(engagement_id: int, message: str) -> str:
    """After an htmx action on the board: the panel's message and the card, swapped in place."""
    engagement, last, open_offers = queries.card(engagement_id)
    return render_template(
        "engagements/_card_update.html",
        engagement=engagement,
        last=last,
        open_offers=open_offers,
        message=message,
    )


bp.add_app_template_global(rules.is_stalled, "is_stalled")
bp.add_app_template_global(rules.withdrawn_by_school, "withdrawn_by_school")


@bp.app_template_global("timeline_sentence")
def timeline_sentence(event: EngagementEvent) -> str:
    """A timeline step as a sentence for the reader."""
    return story.sentence(event, current_user)


@bp.app_template_global("engagement_panel")
def engagement_panel(project: Project) -> dict[str, object]:
    """What the project page shows of the ladder (templates/engagements/_project_panel.html):
    the employer's own engagement and its timeline, or every engagement for the team and its
    staff, and the "I'm interested" form."""
    engagements = queries.for_project(project, current_user)
    own = current_user.is_employer and engagements
    return {
        "engagements": engagements,
        "events": queries.timeline(engagements[0], current_user) if own else [],
        "interest_form": InterestForm(),
    }


@bp.record_once
def _ladder_global(state: BlueprintSetupState) -> None:
    """The rungs in order, for every template (a value: app template globals take functions)."""
    state.app.jinja_env.globals["LADDER"] = LADDER


@bp.app_template_global("next_step")
def next_step_for_viewer(engagement: Engagement) -> str:
    """The next step as the current user may read it (students are not told of drafts)."""
    return rules.next_step(engagement, current_user)
