"""Pages of a placement once it runs: the supervisor's evaluations (by account; by link they are
`personal_views`), the student's reflection and rating, the coordinator's site visits, completing
or ending the placement, and the certificate."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from .. import clock, storage
from ..extensions import db
from ..models import EvaluationKind, Placement, PlacementStatus
from ..permissions import require, staff_required, student_required
from ..privacy import public_name
from ..web import commit_or_refuse
from . import completion, evaluations, rules
from .forms import CompleteForm, EndForm, EvaluationFormBase, ReflectionForm, VisitForm
from .forms import evaluation_form as make_evaluation_form
from .page import placement_page
from .records import AlreadyDone, PlacementError
from .views import bp, placement_or_404, staff_placement_or_403, to_placement


def _kind(raw: str) -> EvaluationKind:
    try:
        return EvaluationKind(raw)
    except ValueError:
        abort(404)


def evaluation_page(
    placement: Placement, kind: EvaluationKind, form: EvaluationFormBase, refusal: str = ""
) -> str:
    """The evaluation form, as the supervisor sees it by account or by link."""
    return render_template(
        "placements/evaluate.html",
        placement=placement,
        kind=kind,
        form=form,
        refusal=refusal,
        student_name=public_name(placement.student),
    )


@bp.route("/placements/<int:placement_id>/evaluations/<kind>", methods=["GET", "POST"])
@login_required
def evaluate(placement_id: int, kind: str) -> str | Response | tuple[str, int]:
    """The supervisor the agreement names evaluates the student, signed in."""
    placement = placement_or_404(placement_id)
    which = _kind(kind)
    require(rules.is_supervisor, placement, status=403)
    closed = evaluations.closed_problem(placement, which)
    if closed:
        flash(closed, "info")
        return to_placement(placement, "#evaluations")
    form = make_evaluation_form(placement.school.skills, evaluator_name=current_user.full_name)
    if form.validate_on_submit():
        try:
            evaluations.submit(
                placement,
                which,
                form.scores(),
                form.strengths.data or "",
                form.to_improve.data or "",
                form.evaluator_name.data or "",
                user=current_user,
            )
        except AlreadyDone as repeat:
            db.session.rollback()
            flash(str(repeat), "info")
            return to_placement(placement, "#evaluations")
        except PlacementError as refusal:
            db.session.rollback()
            return evaluation_page(placement, which, form, str(refusal)), 422
        db.session.commit()
        flash(f"Thank you: the {which.value} evaluation is in.", "success")
        return to_placement(placement, "#evaluations")
    status = 422 if form.is_submitted() else 200
    return evaluation_page(placement, which, form), status


@bp.post("/placements/<int:placement_id>/evaluations/<kind>/ask")
@staff_required
def ask_evaluation(placement_id: int, kind: str) -> Response:
    placement = staff_placement_or_403(placement_id)
    which = _kind(kind)
    commit_or_refuse(
        lambda: evaluations.ask(placement, which, current_user),
        PlacementError,
        f"The supervisor was sent a link for the {which.value} evaluation.",
    )
    return to_placement(placement, "#evaluations")


@bp.post("/placements/<int:placement_id>/reflection")
@student_required
def reflect(placement_id: int) -> Response | tuple[str, int]:
    placement = placement_or_404(placement_id)
    require(rules.is_student, placement, status=403)
    form = ReflectionForm()
    if not form.validate():
        return placement_page(placement, reflection_form=form), 422
    completed = placement.status is PlacementStatus.COMPLETED  # the rating is kept as it was
    commit_or_refuse(
        lambda: evaluations.reflect(
            placement,
            current_user,
            form.reflection.data or "",
            placement.rating if completed else int(form.rating.data or 0) or None,
            placement.rating_comment if completed else form.rating_comment.data or "",
            bool(form.show_endorsement.data),
        ),
        PlacementError,
        "Saved.",
    )
    return to_placement(placement, "#reflection")


@bp.post("/placements/<int:placement_id>/visits")
@staff_required
def log_visit(placement_id: int) -> Response | tuple[str, int]:
    placement = staff_placement_or_403(placement_id)
    form = VisitForm()
    if form.validate():
        try:
            evaluations.log_visit(
                placement,
                current_user,
                form.visited_on.data,  # type: ignore[arg-type]
                form.mode.data or "",
                form.notes.data or "",
                clock.school_today(placement.school),
            )
        except PlacementError as refusal:
            db.session.rollback()
            form.visited_on.errors = [str(refusal)]
        else:
            db.session.commit()
            flash("The site visit is logged.", "success")
            return to_placement(placement, "#visits")
    return placement_page(placement, visit_form=form), 422


@bp.post("/placements/<int:placement_id>/complete")
@staff_required
def complete(placement_id: int) -> Response | tuple[str, int]:
    placement = staff_placement_or_403(placement_id)
    form = CompleteForm()
    if form.validate():
        try:
            completion.complete(placement, current_user, form.override_reason.data or "")
        except AlreadyDone as repeat:
            db.session.rollback()
            flash(str(repeat), "info")
        except PlacementError as refusal:
            db.session.rollback()
            form.override_reason.errors = [str(refusal)]
            return placement_page(placement, complete_form=form), 422
        else:
            db.session.commit()
            flash("Completed. The certificate is in the student's portfolio.", "success")
        return to_placement(placement, "#completion")
    return placement_page(placement, complete_form=form), 422


@bp.post("/placements/<int:placement_id>/end")
@staff_required
def end(placement_id: int) -> Response | tuple[str, int]:
    placement = staff_placement_or_403(placement_id)
    form = EndForm()
    if not form.validate():
        return placement_page(placement, end_form=form), 422
    commit_or_refuse(
        lambda: completion.end(placement, current_user, form.reason.data or ""),
        PlacementError,
        "The placement is ended; its record is kept.",
    )
    return to_placement(placement, "#completion")


@bp.get("/placements/<int:placement_id>/certificate.pdf")
@login_required
def certificate(placement_id: int) -> Response:
    """The certificate kept on completion: the student's, and the school's staff."""
    placement = placement_or_404(placement_id)
    require(rules.can_have_certificate, placement, status=403)
    if placement.status is not PlacementStatus.COMPLETED or not placement.certificate_key:
        abort(404)
    url = storage.storage().download_url(
        placement.certificate_key, completion.certificate_name(placement)
    )
    return redirect(url, 303)
