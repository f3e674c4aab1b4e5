"""Pages of placements: the coordinator's list, one placement with its agreement and signatures,
the agreement's form and PDF, and a guardian's consent asked for by link (the hours are
`hours_views`)."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import (
    Blueprint,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload
from werkzeug.wrappers import Response

from ..engagements import ladder
from ..engagements import rules as ladder_rules
from ..extensions import db
from ..forms_common import SelectChoice
from ..models import (
    Classroom,
    Engagement,
    EntryStatus,
    HourEntry,
    Offer,
    Placement,
    PlacementStatus,
    Project,
    Team,
    User,
)
from ..permissions import load_or_404, require, staff_required
from ..web import commit_or_refuse
from . import consent, documents, evaluations, records, rules, signing
from .forms import AgreementForm, AskConsentForm, GuardianForm, SignForm
from .page import placement_page
from .records import PlacementError

bp = Blueprint("placements", __name__)


def placement_or_404(placement_id: int) -> Placement:
    return load_or_404(Placement, placement_id, rules.can_view)


def staff_placement_or_403(placement_id: int) -> Placement:
    """A placement the reader may see (404 otherwise) and works on as the school's staff (403
    otherwise)."""
    placement = placement_or_404(placement_id)
    require(rules.is_staff, placement, status=403)
    return placement


def to_placement(placement: Placement, anchor: str = "") -> Response:
    return redirect(url_for("placements.show", placement_id=placement.id) + anchor, 303)


def client_of() -> tuple[str, str]:
    return request.remote_addr or "", request.headers.get("User-Agent", "")


@bp.app_template_global("offer_placements")
def offer_placements(offer: Offer) -> list[Placement]:
    """The placements an offer became that the reader may open (the offer page lists them)."""
    return [p for p in records.placements_of(offer) if rules.can_view(p, current_user)]


@bp.app_template_global("engagement_placements")
def engagement_placements(engagement: Engagement) -> list[Placement]:
    """The students' placements of an engagement that the reader may open (its page lists
    them, and a workplace rung completes with them)."""
    return [p for p in ladder.placements_at(engagement) if rules.can_view(p, current_user)]


@bp.app_template_global("endorsements_of")
def endorsements_of(students: list[User]) -> list[evaluations.Endorsement]:
    """The workplace endorsements these students agreed to show (a project's team)."""
    return evaluations.endorsements([s.id for s in students])


@bp.app_template_global("team_endorsements")
def team_endorsements(project: Project) -> list[evaluations.Endorsement]:
    """The endorsements of a project's team, for its page: none asked for when the project was
    read knowing that none shows (`Project.any_endorsement_shown`)."""
    if project.any_endorsement_shown is False:
        return []
    return endorsements_of(project.team.members)


@bp.app_template_global("certificates_of")
def certificates_of(student: User) -> list[Placement]:
    """A student's completed placements, for the certificates in their portfolio."""
    return evaluations.completed_placements(student)


# --- the list ---------------------------------------------------------------------------------


def visible_placements(user: User) -> sa.Select[Placement]:
    """The placements the user's list shows: a teacher's classes, a school admin's school, an
    organisation's own, a student's own."""
    query = sa.select(Placement)
    if user.is_site_admin:
        return query
    if user.is_school_admin:
        return query.where(Placement.school_id == user.school_id)
    if user.is_teacher:
        own_teams = (
            sa.select(Team.id)
            .join(Classroom, Team.classroom_id == Classroom.id)
            .where(Classroom.teacher_id == user.id)
        )
        return query.join(Engagement, Placement.engagement_id == Engagement.id).where(
            sa.or_(Engagement.team_id.in_(own_teams), Placement.coordinator_id == user.id)
        )
    if user.is_employer:
        return query.where(Placement.organisation_id == user.organisation_id)
    return query.where(Placement.student_id == user.id)


@dataclass(frozen=True)
class Listed:
    """The placements a reader's list shows, with their verified minutes (two statements)."""

    placements: list[Placement]
    verified: dict[int, int]

    def hours(self, placement: Placement) -> float:
        return round(self.verified.get(placement.id, 0) / 60, 1)


LIST_LIMIT = 500


def listed(user: User, open_only: bool = False, limit: int = LIST_LIMIT) -> Listed:
    query = visible_placements(user)
    if open_only:
        query = query.where(
            Placement.status.in_([PlacementStatus.AGREEMENT, PlacementStatus.ACTIVE])
        )
    placements = list(
        db.session.scalars(
            query.options(
                joinedload(Placement.student),
                joinedload(Placement.organisation),
                joinedload(Placement.school),
            )
            .order_by(Placement.status, Placement.start_date.desc(), Placement.id.desc())
            .limit(limit)
        )
    )
    if not placements:
        return Listed([], {})
    verified = dict(
        db.session.execute(
            sa.select(HourEntry.placement_id, sa.func.sum(HourEntry.minutes))
            .where(
                HourEntry.placement_id.in_([p.id for p in placements]),
                HourEntry.status.in_([s for s in EntryStatus if s.counts]),
            )
            .group_by(HourEntry.placement_id)
        ).all()
    )
    return Listed(placements, {k: int(v or 0) for k, v in verified.items()})


@bp.app_template_global("open_placements")
def open_placements(user: User, limit: int = 10) -> Listed:
    """The reader's placements waiting for signatures or under way, with their hours: the
    student's dashboard and the teacher's ladder show them."""
    return listed(user, open_only=True, limit=limit)


@bp.get("/placements")
@login_required
def index() -> str:
    rows = listed(current_user)
    rating = (
        evaluations.rating_summary(current_user.organisation_id)
        if current_user.is_employer and current_user.organisation_id
        else None
    )
    return render_template("placements/index.html", rows=rows, rating=rating, limit=LIST_LIMIT)


# --- one placement ------------------------------------------------------------------------------


@bp.get("/placements/<int:placement_id>")
@login_required
def show(placement_id: int) -> str:
    placement = placement_or_404(placement_id)
    return placement_page(placement)


@bp.route("/placements/<int:placement_id>/agreement", methods=["GET", "POST"])
@login_required
def agreement(placement_id: int) -> str | Response | tuple[str, int]:
    """The agreement's terms: a change after a signature asks every signer again."""
    placement = placement_or_404(placement_id)
    require(rules.can_edit_terms, placement, status=403)
    form = AgreementForm(obj=placement)
    if not form.is_submitted():
        form.training_plan.data = "\n".join(placement.training_plan)
        form.safety_items.data = "\n".join(placement.safety_items)
        form.workers_comp.data = placement.workers_comp.value
    if form.validate_on_submit():
        had_signatures = bool(records.current_signatures(placement))
        try:
            changed = records.change_terms(placement, current_user, form.values())
        except PlacementError as refusal:
            db.session.rollback()
            form.form_errors.append(str(refusal))
        else:
            db.session.commit()
            if not changed:
                flash("Nothing changed.", "info")
            elif had_signatures:
                flash(
                    "Saved. The terms changed, so every signer is asked to sign again: "
                    "send the agreement for signatures.",
                    "warning",
                )
            else:
                flash("Saved.", "success")
            return to_placement(placement)
    status = 422 if form.is_submitted() else 200
    return render_template("placements/agreement.html", placement=placement, form=form), status


@bp.get("/placements/<int:placement_id>/agreement.pdf")
@login_required
def agreement_pdf(placement_id: int) -> Response:
    placement = placement_or_404(placement_id)
    pdf = documents.agreement_pdf(placement, rules.is_host(placement, current_user))
    response = make_response(pdf)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'inline; filename="agreement-{placement.id}.pdf"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/placements/<int:placement_id>/sign")
@login_required
def sign(placement_id: int) -> Response | tuple[str, int]:
    placement = placement_or_404(placement_id)
    form = SignForm()
    if not form.validate():
        return placement_page(placement, sign_form=form), 422
    ip, agent = client_of()
    commit_or_refuse(
        lambda: signing.sign_in_app(
            placement,
            current_user,
            form.typed_name.data or "",
            ip,
            agent,
            form.terms_hash.data or "",
        ),
        PlacementError,
        "Signed. Thank you.",
    )
    return to_placement(placement, "#signatures")


@bp.post("/placements/<int:placement_id>/guardian")
@staff_required
def save_guardian(placement_id: int) -> Response | tuple[str, int]:
    placement = staff_placement_or_403(placement_id)
    form = GuardianForm()
    if not form.validate():
        return placement_page(placement, guardian_form=form), 422
    consent.save_guardian(
        placement.student, current_user, form.name.data or "", form.email.data or ""
    )
    db.session.commit()
    flash("The guardian's details are saved.", "success")
    return to_placement(placement, "#signatures")


@bp.post("/placements/<int:placement_id>/signatures/request")
@staff_required
def request_signatures(placement_id: int) -> Response:
    placement = staff_placement_or_403(placement_id)
    sent: list[str] = []

    def send() -> None:
        sent.extend(r.label for r in signing.request(placement, current_user))

    if commit_or_refuse(send, PlacementError, "Sent.") and not sent:
        flash("Everyone who signs by e-mail has signed.", "info")
    return to_placement(placement, "#signatures")


# --- a guardian's consent to an offer, by link ----------------------------------------------------


@bp.post("/offers/<int:offer_id>/ask-consent")
@staff_required
def ask_consent(offer_id: int) -> Response:
    offer = load_or_404(Offer, offer_id, ladder_rules.can_view_offer)
    require(ladder_rules.has_part, offer.engagement, *ladder_rules.STAFF_PARTS, status=403)
    form = AskConsentForm()
    form.student_id.choices = [
        SelectChoice(s.id, s.full_name) for s in ladder_rules.participants(offer)
    ]
    if not form.validate():
        flash(" ".join(e for errors in form.errors.values() for e in errors), "error")
    else:
        student = db.session.get_one(User, form.student_id.data)
        commit_or_refuse(
            lambda: consent.ask(
                offer, current_user, student, form.name.data or "", form.email.data or ""
            ),
            PlacementError,
            f"A consent link was sent to {student.first_name}'s guardian.",
        )
    return redirect(url_for("engagements.offer", offer_id=offer.id), 303)
