"""Teachers curate challenges; students and verified employers read them; employers adopt."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from ..extensions import db
from ..forms_common import EmptyForm, SelectChoice, add_error
from ..markdown import render_kept
from ..models import (
    CHALLENGE_TRANSITIONS,
    AdoptionRequest,
    Challenge,
    ChallengeStatus,
    QuestionState,
    SponsorQuestion,
)
from ..permissions import employer_required, load_or_404, staff_required
from ..projects import rules as project_rules
from ..projects.services import projects_for_challenge
from ..web import commit_or_refuse
from . import interest, questions, rules, services
from .forms import AdoptForm, AnswerForm, ChallengeForm, QuestionForm

bp = Blueprint("challenges", __name__, url_prefix="/challenges")
bp.add_app_template_global(rules.can_edit, "can_edit_challenge")
bp.add_app_template_global(rules.can_request_adoption, "can_adopt_challenge")
bp.add_app_template_global(rules.sponsor_label, "sponsor_label")
# For the class page (forming teams): the challenges its students would like to work on.
bp.add_app_template_global(interest.demand_in_class, "challenge_demand")
bp.add_app_template_global(questions.can_answer, "can_answer_question")
bp.add_app_template_global(rules.can_check_question, "can_check_question")

ACTION_LABELS = {
    ChallengeStatus.OPEN: "Open for projects",
    ChallengeStatus.CLOSED: "Close",
    ChallengeStatus.ARCHIVED: "Archive",
}


@bp.get("")
@login_required
def index() -> str:
    """The challenges this user may see; staff filter theirs by status."""
    status = request.args.get("status")
    chosen = ChallengeStatus(status) if status in set(ChallengeStatus) else None
    challenges = services.visible_challenges(current_user, chosen)
    return render_template(
        "challenges/index.html",
        challenges=challenges,
        interest_counts=interest.counts(
            [c.id for c in challenges if rules.sees_interest_count(c, current_user)]
        ),
        status=chosen,
        statuses=list(ChallengeStatus),
    )


def _form_page(form: ChallengeForm, challenge: Challenge | None = None) -> str:
    return render_template("challenges/form.html", form=form, challenge=challenge)


def _with_sponsors(form: ChallengeForm) -> ChallengeForm:
    form.sponsor_id.choices = [
        SelectChoice("", "No sponsor yet"),
        *(
            SelectChoice(o.id, f"{o.name} (prospect)" if o.status.value == "prospect" else o.name)
            for o in services.sponsor_choices(current_user.school_id)
        ),
    ]
    return form


def _save(form: ChallengeForm, challenge: Challenge) -> Response | tuple[str, int]:
    sponsor_id = form.sponsor_id.data
    if form.new_prospect.data:
        sponsor_id = services.add_prospect(current_user.school_id, form.new_prospect.data).id
    try:
        services.save_challenge(
            challenge,
            current_user,
            title=form.title.data,
            statement=form.statement.data,
            career_cluster=form.career_cluster.data,
            skills=form.skill_list,
            deliverables=form.deliverables.data or [],
            starts_on=form.starts_on.data,
            due_on=form.due_on.data,
            sponsor_id=sponsor_id,
            shared=form.shared.data,
            question_quota=(
                form.question_quota.data if form.question_quota.data is not None else 3
            ),
        )
    except services.ChallengeError as error:
        db.session.rollback()
        add_error(form.sponsor_id, str(error))
        return _form_page(form, challenge if challenge.id else None), 422
    db.session.commit()
    flash(f"“{challenge.title}” is saved.", "success")
    return redirect(url_for("challenges.show", challenge_id=challenge.id), 303)


@bp.route("/new", methods=["GET", "POST"])
@staff_required
def create() -> Response | tuple[str, int]:
    """A teacher writes a new challenge (a draft until opened)."""
    form = _with_sponsors(ChallengeForm())
    if form.validate_on_submit():
        return _save(form, Challenge())
    return _form_page(form), (422 if form.errors else 200)


@bp.route("/<int:challenge_id>/edit", methods=["GET", "POST"])
@staff_required
def edit(challenge_id: int) -> Response | tuple[str, int]:
    """Change a challenge of one's school."""
    challenge = load_or_404(Challenge, challenge_id, rules.can_edit)
    form = _with_sponsors(ChallengeForm(obj=challenge))
    if not form.is_submitted():
        form.skills.data = ", ".join(challenge.skills)
    if form.validate_on_submit():
        return _save(form, challenge)
    return _form_page(form, challenge), (422 if form.errors else 200)


@bp.get("/<int:challenge_id>")
@login_required
def show(challenge_id: int) -> str:
    """A challenge: its statement, sponsor and dates; workflow and adoption for those who may."""
    return _show_page(load_or_404(Challenge, challenge_id, rules.can_view))


def _show_page(
    challenge: Challenge,
    question_form: QuestionForm | None = None,
    answer_form: tuple[int, AnswerForm] | None = None,
) -> str:
    team = questions.asking_team(challenge, current_user)
    own_request = (
        services.pending_adoption(challenge, current_user.organisation_id)
        if current_user.is_employer and current_user.organisation_id
        else None
    )
    return render_template(
        "challenges/show.html",
        challenge=challenge,
        statement=render_kept(challenge.statement),
        moves=[(s, ACTION_LABELS[s]) for s in sorted(CHALLENGE_TRANSITIONS[challenge.status])],
        requests=services.adoption_requests(challenge)
        if rules.can_edit(challenge, current_user)
        else [],
        own_request=own_request,
        adopt_form=AdoptForm(),
        projects=[
            p for p in projects_for_challenge(challenge) if project_rules.can_view(p, current_user)
        ],
        action_form=EmptyForm(),
        marked=current_user.is_student and interest.has_marked(challenge, current_user),
        interested=(
            interest.interested_students(challenge, current_user)
            if rules.can_edit(challenge, current_user)
            else []
        ),
        interest_count=(
            interest.counts([challenge.id]).get(challenge.id, 0)
            if rules.sees_interest_count(challenge, current_user)
            else None
        ),
        questions=questions.for_page(challenge, current_user),
        asking_team=team,
        questions_left=(
            challenge.question_quota - questions.asked_by_team(challenge, team) if team else 0
        ),
        question_form=question_form or QuestionForm(formdata=None),
        answer_form=answer_form,
    )


@bp.post("/<int:challenge_id>/questions")
@login_required
def ask(challenge_id: int) -> Response | tuple[str, int]:
    """A team asks the sponsor; a question with contact details waits for the teacher."""
    challenge = load_or_404(Challenge, challenge_id, rules.can_view)
    if not current_user.is_student:
        abort(403)  # teams ask; their teachers check and the sponsor answers
    form = QuestionForm()
    if form.validate_on_submit():
        try:
            question = questions.ask(challenge, current_user, form.body.data or "")
        except questions.QuestionError as refusal:
            db.session.rollback()
            add_error(form.body, str(refusal))
        else:
            db.session.commit()
            if question.state is QuestionState.HELD:
                flash(f"{question.hold_reason} Your teacher checks it first.", "info")
            else:
                flash("Asked: the sponsor is told, and every team will read the answer.", "success")
            return redirect(_question_anchor(question), 303)
    return _show_page(challenge, question_form=form), 422


def _question_anchor(question: SponsorQuestion) -> str:
    return url_for("challenges.show", challenge_id=question.challenge_id) + (
        f"#question-{question.id}"
    )


@bp.post("/questions/<int:question_id>/answer")
@login_required
def answer(question_id: int) -> Response | tuple[str, int]:
    """The sponsor (or the teacher, for a prospect) answers for every team of the challenge."""
    question = load_or_404(SponsorQuestion, question_id, questions.can_answer)
    form = AnswerForm()
    if form.validate_on_submit():
        try:
            questions.answer(question, current_user, form.answer.data or "")
        except questions.QuestionError as refusal:
            db.session.rollback()
            add_error(form.answer, str(refusal))
        else:
            db.session.commit()
            flash("Answered: every team of the challenge reads it.", "success")
            return redirect(_question_anchor(question), 303)
    return _show_page(question.challenge, answer_form=(question.id, form)), 422


@bp.post("/questions/<int:question_id>/<any(release, reject):decision>")
@staff_required
def check_question(question_id: int, decision: str) -> Response:
    """The teacher lets a held question through to the sponsor, or keeps it back."""
    question = load_or_404(SponsorQuestion, question_id, rules.can_check_question)
    commit_or_refuse(
        lambda: (questions.release if decision == "release" else questions.reject)(
            question, current_user
        ),
        questions.QuestionError,
        "Sent to the sponsor." if decision == "release" else "Kept back; the team may ask again.",
    )
    return redirect(_question_anchor(question), 303)


@bp.post("/<int:challenge_id>/interest")
@login_required
def mark_interest(challenge_id: int) -> Response:
    """A student says "we'd like to work on this" (or takes it back)."""
    challenge = load_or_404(Challenge, challenge_id, rules.can_view)
    if request.form.get("want") == "no":
        interest.withdraw(challenge, current_user)
        flash("Taken back: your teacher no longer counts you for this challenge.", "info")
    else:
        try:
            interest.mark(challenge, current_user)
        except interest.InterestError as refusal:
            abort(403, str(refusal))
        flash("Your teacher now knows you'd like to work on this challenge.", "success")
    db.session.commit()
    return redirect(url_for("challenges.show", challenge_id=challenge.id), 303)


@bp.post("/<int:challenge_id>/status/<any(open, closed, archived):to>")
@staff_required
def move(challenge_id: int, to: str) -> Response:
    """Open, close or archive a challenge."""
    challenge = load_or_404(Challenge, challenge_id, rules.can_edit)
    commit_or_refuse(
        lambda: services.transition(challenge, current_user, ChallengeStatus(to)),
        services.ChallengeError,
        f"“{challenge.title}” is {to}.",
    )
    return redirect(url_for("challenges.show", challenge_id=challenge.id), 303)


@bp.post("/<int:challenge_id>/adopt")
@employer_required
def adopt(challenge_id: int) -> Response:
    """An employer asks to sponsor the challenge."""
    challenge = load_or_404(Challenge, challenge_id, rules.can_view)
    form = AdoptForm()
    if form.validate_on_submit():
        try:
            services.request_adoption(challenge, current_user, form.message.data or "")
        except services.ChallengeError as error:
            flash(str(error), "error")
        else:
            db.session.commit()
            flash("We asked the teacher. You will hear back by e-mail.", "success")
        return redirect(url_for("challenges.show", challenge_id=challenge.id), 303)
    flash(" ".join(form.message.errors), "error")
    return redirect(url_for("challenges.show", challenge_id=challenge.id), 303)


@bp.post("/adoptions/<int:request_id>/<any(accept, decline):decision>")
@staff_required
def decide_adoption(request_id: int, decision: str) -> Response:
    """The school accepts (the organisation becomes the sponsor) or declines an adoption."""
    adoption = load_or_404(AdoptionRequest, request_id, rules.can_decide_adoption)
    commit_or_refuse(
        lambda: services.decide_adoption(adoption, current_user, decision == "accept"),
        services.ChallengeError,
        f"{adoption.organisation.name}'s request is {decision}ed.",
    )
    return redirect(url_for("challenges.show", challenge_id=adoption.challenge_id), 303)
