"""Judging a pitch event: the organisers' coverage board, a judge's pages reached by their own
link (a rubric score per pitch, or the pairwise walk), and a guest's or judge's "I'd like to work
with this team". Adds its pages to `views.bp`."""

from __future__ import annotations

from collections.abc import Callable

from flask import (
    abort,
    flash,
    redirect,
    render_template,
    url_for,
)
from werkzeug.wrappers import Response

from ..extensions import db
from ..forms_common import EmptyForm, add_error
from ..models import (
    EventGuest,
    EventPresenter,
    EventStatus,
    JudgingMode,
    PitchEvent,
)
from ..permissions import load_or_404, require, staff_required
from ..web import is_htmx
from . import guests, interests, judging, pairwise, rules, services
from .forms import (
    InterestForm,
    score_form,
)
from .views import bp

# --- judging -------------------------------------------------------------------------------------


@bp.get("/<int:event_id>/coverage")
@staff_required
def coverage(event_id: int) -> str:
    """The organiser's coverage board: which judge has scored which pitch, refreshed every 5 s
    while the event is live (the grid alone, by htmx)."""
    event = load_or_404(PitchEvent, event_id, rules.can_view)
    require(rules.can_organise, event, status=403)
    template = "pitch_events/_coverage.html" if is_htmx() else "pitch_events/coverage.html"
    return render_template(template, event=services.load_entries(event), board=judging.board(event))


def _judge(token: str) -> EventGuest:
    guest = judging.judge_from(token)
    if guest is None:
        abort(404)
    return guest


@bp.get("/judge/<token>")
def judge_home(token: str) -> str:
    """A judge's page (their own link, no account): the pitches in order, which they scored."""
    guest = _judge(token)
    services.load_entries(guest.event)
    if guest.event.judging_mode is JudgingMode.PAIRWISE:
        return _judge_home_pairwise(guest, token)
    slots = services.run_of_show(guest.event)
    mine = judging.assigned_to(guest)
    return render_template(
        "pitch_events/judge.html",
        guest=guest,
        event=guest.event,
        token=token,
        assigned=[s for s in slots if s.presenter.id in mine],
        others=[s for s in slots if s.presenter.id not in mine],
        judged=judging.judgements_of(guest),
        when=guests.when_at_school(guest.event),
    )


@bp.route("/judge/<token>/pitches/<int:presenter_id>", methods=["GET", "POST"])
def judge_pitch(token: str, presenter_id: int) -> Response | tuple[str, int]:
    """Score one pitch on the rubric and leave the team a comment (again: it replaces)."""
    guest = _judge(token)
    presenter = db.session.get(EventPresenter, presenter_id)
    if presenter is None or presenter.event_id != guest.event_id or presenter.declined:
        abort(404)
    if guest.event.judging_mode is not JudgingMode.RUBRIC:
        abort(404)  # judged in pairs, from the judge's page
    criteria = judging.rubric(guest.event)
    db.session.commit()  # the default rubric, if this is its first use
    form = score_form(criteria)
    earlier = judging.judgements_of(guest).get(presenter.id)
    if not form.is_submitted() and earlier is not None:
        form.comment.data = earlier.comment
        for c in criteria:
            getattr(form, f"c{c.id}").data = str(earlier.scores.get(str(c.id), ""))
    if form.validate_on_submit():
        scores = {c.id: int(getattr(form, f"c{c.id}").data) for c in criteria}
        try:
            judging.judge(guest, presenter, scores, form.comment.data or "")
        except judging.JudgingError as error:
            db.session.rollback()
            add_error(form.comment, str(error))  # shown with what was chosen and typed
        else:
            db.session.commit()
            flash(f"Saved: your scores for “{presenter.project.title}”.", "success")
            return redirect(url_for("pitch_events.judge_home", token=token), 303)
    return render_template(
        "pitch_events/judge_pitch.html",
        guest=guest,
        event=guest.event,
        token=token,
        presenter=presenter,
        slot=services.slot_of(guest.event, presenter),
        form=form,
        criteria=criteria,
        live=guest.event.status is EventStatus.LIVE,
        interested=presenter.id in interests.interests_of(guest),
        interest_form=InterestForm(),
    ), (422 if form.errors else 200)


def _judge_home_pairwise(guest: EventGuest, token: str) -> str:
    if guest.event.status is EventStatus.LIVE:
        pairwise.forget_declined(guest)  # a team that declined meanwhile is not shown
        db.session.commit()
    return render_template(
        "pitch_events/judge_pairwise.html",
        guest=guest,
        event=guest.event,
        token=token,
        action_form=EmptyForm(),
        when=guests.when_at_school(guest.event),
        live=guest.event.status is EventStatus.LIVE,
        interested=interests.interests_of(guest),
        interest_form=InterestForm(),
    )


def _pairwise_step(token: str, step: Callable[[EventGuest], object]) -> Response:
    """Run one step of a judge's pairwise walk (a form post) and go back to their page: what the
    step returned, or the reason it was refused."""
    guest = _judge(token)
    if EmptyForm().validate_on_submit():
        try:
            step(guest)
        except judging.JudgingError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
    return redirect(url_for("pitch_events.judge_home", token=token), 303)


@bp.post("/judge/<token>/next/<int:seen>")
def judge_next(token: str, seen: int) -> Response:
    """Pairwise mode: the judge starts, or has seen the pitch they were sent to: the next one."""
    return _pairwise_step(token, lambda guest: pairwise.advance(guest, seen))


@bp.post("/judge/<token>/skip/<int:at>")
def judge_skip(token: str, at: int) -> Response:
    """Pairwise mode: the judge could not see the pitch they were sent to."""
    return _pairwise_step(token, lambda guest: pairwise.skip(guest, at))


@bp.post("/judge/<token>/compare/<int:step>/<int:before>/<int:at>/<int:winner_id>")
def judge_compare(token: str, step: int, before: int, at: int, winner_id: int) -> Response:
    """Pairwise mode: which of the two pitches shown was better (sent twice, it counts once)."""

    def answer(guest: EventGuest) -> None:
        counted = pairwise.compare(guest, step, (before, at), winner_id)
        flash(
            "Thank you: on to the next pitch."
            if counted
            else "That answer was given already (or you had moved on): nothing changed.",
            "success" if counted else "info",
        )

    return _pairwise_step(token, answer)


def _interest(guest: EventGuest, presenter_id: int, back: str) -> Response:
    presenter = db.session.get(EventPresenter, presenter_id)
    if presenter is None or presenter.event_id != guest.event_id or presenter.declined:
        abort(404)
    form = InterestForm()
    if not form.validate_on_submit():
        flash(" ".join(form.note.errors) or "That did not reach us: please try again.", "error")
    else:
        try:
            interest = interests.express(guest, presenter, form.note.data or "")
        except interests.InterestError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(
                f"Thank you: {presenter.project.team.name} will hear from "
                + (
                    "you through the marketplace."
                    if interest.engagement_id
                    else "their teacher, who will be in touch with you."
                ),
                "success",
            )
    return redirect(back, 303)


@bp.post("/judge/<token>/pitches/<int:presenter_id>/interest")
def judge_interest(token: str, presenter_id: int) -> Response:
    """A judge would like to work with this team."""
    guest = _judge(token)
    return _interest(
        guest,
        presenter_id,
        url_for("pitch_events.judge_pitch", token=token, presenter_id=presenter_id)
        if guest.event.judging_mode is JudgingMode.RUBRIC
        else url_for("pitch_events.judge_home", token=token),
    )


@bp.post("/invitation/<token>/pitches/<int:presenter_id>/interest")
def guest_interest(token: str, presenter_id: int) -> Response:
    """A guest (or a judge, after the event) would like to work with this team."""
    guest = guests.guest_from(token)
    if guest is None:
        abort(404)
    return _interest(
        guest, presenter_id, url_for("pitch_events.invitation", token=token, _anchor="pitches")
    )
