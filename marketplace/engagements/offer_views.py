"""Pages of one offer: the terms form, the offer itself, and every answer to it."""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from .. import clock
from ..extensions import db
from ..forms_common import EmptyForm, SelectChoice, required
from ..models import Engagement, Offer, OfferStatus, Rung, User
from ..permissions import employer_required, require, staff_required, student_required
from ..privacy import name_for
from ..web import commit_or_refuse, is_htmx
from . import ladder, rules
from .forms import AcceptForm, AskConsentForm, ConsentForm, DeclineForm, OfferForm
from .views import back_to, bp, card_response, engagement_or_404, offer_or_404


def to_offer(offer: Offer) -> Response:
    return back_to(url_for("engagements.offer", offer_id=offer.id))


def _prepare(form: OfferForm, engagement: Engagement) -> None:
    """Offer only rungs above the current one, and the team's students by the name the
    employer may see."""
    form.rung.choices = [
        SelectChoice(r.value, r.label.capitalize()) for r in Rung if r.level > engagement.rung.level
    ]
    form.students.choices = [
        SelectChoice(m.id, name_for(current_user, m)) for m in engagement.team.members
    ]


def _save_offer(form: OfferForm, engagement: Engagement, offer: Offer | None) -> Offer | None:
    """Save the draft, and send it to the teacher when that button was pressed. On refusal
    nothing is saved and the reason is shown on the form."""
    today = clock.school_today(engagement.school)
    rung, terms, students = Rung(form.rung.data), form.terms(), form.students.data or []
    sending = request.form.get("action") == "propose"
    try:
        if offer is None:
            offer = ladder.draft_offer(engagement, current_user, rung, terms, students)
        else:
            ladder.update_offer(offer, current_user, {"rung": rung, **terms}, students)
        if sending:
            ladder.propose(offer, current_user, today)
    except ladder.LadderError as refusal:
        db.session.rollback()
        form.form_errors.append(str(refusal))
        return None
    db.session.commit()
    return offer


def _offer_form_page(
    form: OfferForm, engagement: Engagement, offer: Offer | None
) -> tuple[str, int] | Response | str:
    if form.is_submitted() and all(
        [form.validate(), form.check_terms(clock.school_today(engagement.school))]
    ):
        saved = _save_offer(form, engagement, offer)
        if saved is not None:
            sent = saved.status is OfferStatus.PROPOSED
            message = (
                "Sent to the teacher for approval."
                if sent
                else "Saved as a draft: send it when ready."
            )
            if is_htmx():
                return card_response(engagement.id, message)
            flash(message, "success")
            return redirect(url_for("engagements.offer", offer_id=saved.id), 303)
    template = "engagements/_offer_form.html" if is_htmx() else "engagements/offer_form.html"
    # htmx swaps only 2xx answers by default: the board's panel gets its errors with a 200.
    status = 422 if form.is_submitted() and not is_htmx() else 200
    return render_template(
        template, form=form, engagement=engagement, offer=offer, in_panel=is_htmx()
    ), status


@bp.route("/engagements/<int:engagement_id>/offers/new", methods=["GET", "POST"])
@employer_required
def new_offer(engagement_id: int) -> tuple[str, int] | Response | str:
    """Draft the offer for a rung above the current one (and send it to the teacher)."""
    engagement = engagement_or_404(engagement_id)
    if rules.withdrawn_by_school(engagement, current_user):
        abort(404)  # the school no longer works with them: nothing of the team is shown
    require(rules.has_part, engagement, rules.Part.EMPLOYER)
    suggested = request.args.get("rung") or (engagement.rung.next or Rung.INTERNSHIP).value
    form = OfferForm(rung=suggested)
    _prepare(form, engagement)
    return _offer_form_page(form, engagement, None)


@bp.route("/offers/<int:offer_id>/edit", methods=["GET", "POST"])
@employer_required
def edit_offer(offer_id: int) -> tuple[str, int] | Response | str:
    """Change a draft's terms (what was sent to the teacher stays as it was sent)."""
    offer = offer_or_404(offer_id)
    if offer.status is not OfferStatus.DRAFT:
        flash("Only a draft can be changed; withdraw this offer and make a new one.", "error")
        return to_offer(offer)
    form = OfferForm(obj=offer)
    if not form.is_submitted():
        form.rung.data = offer.rung.value
        form.students.data = sorted(offer.named_student_ids)
    _prepare(form, offer.engagement)
    return _offer_form_page(form, offer.engagement, offer)


@bp.get("/offers/<int:offer_id>")
@login_required
def offer(offer_id: int) -> str:
    """An offer's terms, where it stands, what blocks it, and what the viewer may do."""
    return offer_page(offer_or_404(offer_id))


def offer_page(offer: Offer, consent_form: ConsentForm | None = None) -> str:
    """Render the offer page (with a consent form that failed validation, to show its errors
    and what was typed)."""
    engagement = offer.engagement
    today = clock.school_today(engagement.school)
    part = rules.part_of(engagement, current_user)
    missing = rules.consents_missing(offer, today)
    if consent_form is None:
        consent_form = ConsentForm(formdata=None)
        consent_form.student_id.choices = [SelectChoice(s.id, s.full_name) for s in missing]
    blockers: list[str] = []
    can_answer = current_user.is_student and rules.can_answer(offer, current_user)
    if can_answer:
        blockers = rules.acceptance_problems(offer, current_user, today)
    elif offer.status in (OfferStatus.DRAFT, OfferStatus.PROPOSED):
        blockers = rules.proposal_problems(offer, today)
    return render_template(
        "engagements/offer.html",
        offer=offer,
        engagement=engagement,
        part=part,
        is_staff=part in rules.STAFF_PARTS,
        participants=rules.participants(offer),
        missing=missing,
        blockers=blockers,
        is_minor=lambda s: rules.is_minor(s, today),
        action_form=EmptyForm(),
        accept_form=AcceptForm(),
        decline_form=DeclineForm(),
        consent_form=consent_form,
        can_answer=can_answer,
        ask_form=ask_consent_form(offer, missing),
    )


def ask_consent_form(offer: Offer, missing: list[User]) -> AskConsentForm:
    """The form that sends a guardian a consent link, for the minors still without consent."""
    form = AskConsentForm(formdata=None)
    form.student_id.choices = [SelectChoice(s.id, s.full_name) for s in missing]
    return form


@bp.post("/offers/<int:offer_id>/step-out")
@student_required
def step_out(offer_id: int) -> Response:
    """A member of the team steps out of a team offer."""
    return _with_note(
        offer_id, ladder.step_out, "You stepped out of this offer; your team can still take it."
    )


@bp.post("/offers/<int:offer_id>/propose")
@employer_required
def propose(offer_id: int) -> Response:
    """Send a draft to the teacher for approval."""
    offer = offer_or_404(offer_id)
    commit_or_refuse(
        lambda: ladder.propose(offer, current_user, clock.school_today(offer.engagement.school)),
        ladder.LadderError,
        "Sent to the teacher for approval.",
    )
    return to_offer(offer)


@bp.post("/offers/<int:offer_id>/withdraw")
@employer_required
def withdraw(offer_id: int) -> Response:
    """Withdraw an offer not yet answered (or discard a draft)."""
    offer = offer_or_404(offer_id)
    commit_or_refuse(lambda: ladder.withdraw(offer, current_user), ladder.LadderError, "Withdrawn.")
    return to_offer(offer)


@bp.post("/offers/<int:offer_id>/approve")
@staff_required
def approve(offer_id: int) -> Response:
    """The teacher approves the offer; the students may then answer it."""
    offer = offer_or_404(offer_id)
    commit_or_refuse(
        lambda: ladder.approve(offer, current_user, clock.school_today(offer.engagement.school)),
        ladder.LadderError,
        "Approved: the students can now answer it.",
    )
    return to_offer(offer)


@bp.post("/offers/<int:offer_id>/accept")
@student_required
def accept(offer_id: int) -> Response:
    """A student accepts, after ticking that they read the terms."""
    offer = offer_or_404(offer_id)
    form = AcceptForm()
    if not form.validate():
        flash(" ".join(form.confirm.errors), "error")
        return to_offer(offer)
    commit_or_refuse(
        lambda: ladder.accept(offer, current_user, clock.school_today(offer.engagement.school)),
        ladder.LadderError,
        (
            f"Accepted: your {offer.rung.label} placement is open. Sign its training agreement "
            "next; your guardian, the supervisor and your teacher sign too."
            if offer.is_individual
            else f"Accepted: your team is now at {offer.rung.label}. Congratulations!"
        ),
    )
    return to_offer(offer)


@bp.post("/offers/<int:offer_id>/decline")
@student_required
def decline(offer_id: int) -> Response:
    """A student declines, optionally saying why."""
    return _with_note(offer_id, ladder.decline, "Declined.")


def _with_note(offer_id: int, step: Callable[[Offer, User, str], None], done: str) -> Response:
    """A student's answer with an optional note (declining, stepping out)."""
    offer = offer_or_404(offer_id)
    form = DeclineForm()
    if not form.validate():
        flash(" ".join(form.note.errors), "error")
        return to_offer(offer)
    commit_or_refuse(
        lambda: step(offer, current_user, form.note.data or ""), ladder.LadderError, done
    )
    return to_offer(offer)


@bp.post("/offers/<int:offer_id>/consent")
@staff_required
def record_consent(offer_id: int) -> Response | tuple[str, int]:
    """The teacher records a guardian's consent for one student (date and how it was given)."""
    offer = offer_or_404(offer_id)
    form = ConsentForm()
    form.student_id.choices = [SelectChoice(s.id, s.full_name) for s in rules.participants(offer)]
    if not form.validate():
        return offer_page(offer, consent_form=form), 422
    student = db.session.get_one(User, form.student_id.data)  # one of the offer's participants
    given_on = required(form.given_on.data)
    commit_or_refuse(
        lambda: ladder.record_consent(
            offer, current_user, student, given_on, form.method.data, form.note.data or ""
        ),
        ladder.LadderError,
        f"Consent recorded for {student.first_name}.",
    )
    return to_offer(offer)
