"""A pitch event's results and what surrounds them, for the organisers: assigning judges, the
rubric, the leaderboard, judges set aside, awards, the presenter screen, the event's report and
its leads; each team's feedback and the public page. Adds its pages to `views.bp`."""

from __future__ import annotations

from collections.abc import Callable

from flask import (
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from .. import clock
from ..extensions import db
from ..forms_common import EmptyForm, SelectChoice, add_error
from ..models import (
    LADDER,
    EventAward,
    EventGuest,
    EventInterest,
    EventPresenter,
    EventStatus,
    Judgement,
    JudgingMode,
    PitchEvent,
    RubricCriterion,
    User,
)
from ..permissions import load_or_404, require, staff_required
from ..projects import pitch as project_pitch
from ..web import commit_or_refuse, is_htmx
from . import interests, judging, results, rules, services
from .forms import (
    AwardForm,
    CriterionForm,
    ExcludeForm,
    WinnerForm,
)
from .views import bp


@bp.post("/<int:event_id>/assign")
@staff_required
def assign(event_id: int) -> Response:
    """Give every pitch its judges, balancing the load (again after inviting more judges)."""
    event = load_or_404(PitchEvent, event_id, rules.can_view)
    require(rules.can_assign, event, status=403)
    added = judging.assign(event)
    db.session.commit()
    flash(
        f"{added} pitch{'es' if added != 1 else ''} assigned to judges."
        if added
        else "Every pitch has its judges already (or no judge is invited yet).",
        "success" if added else "info",
    )
    return redirect(url_for("pitch_events.results_page", event_id=event.id), 303)


# --- results ---------------------------------------------------------------------------------


def _results_context(event: PitchEvent) -> dict[str, object]:
    """The leaderboard, of every pitch or of one track (`?track=`: a career cluster's pitches,
    ranked among themselves)."""
    services.load_entries(event)
    board = results.results(event)
    tracks = sorted({s.presenter.project.challenge.career_cluster for s in board.standings})
    track = request.args.get("track", "")
    if track in tracks:
        board.standings = results.within(board.standings, track)
    else:
        track = ""
    return {
        "event": event,
        "board": board,
        "live": event.status is EventStatus.LIVE,
        "tracks": tracks if len(tracks) > 1 else [],
        "track": track,
    }


@bp.get("/<int:event_id>/results")
@staff_required
def results_page(event_id: int) -> str:
    """The organisers' leaderboard (live while the event is), the judges and what they gave,
    judges set aside, the awards."""
    event = load_or_404(PitchEvent, event_id, rules.can_view)
    require(rules.can_see_results, event, status=403)
    if event.judging_mode is JudgingMode.RUBRIC:
        judging.rubric(event)
        db.session.commit()  # the default rubric, if this is its first use (before reading)
    if is_htmx():
        return render_template("pitch_events/_leaderboard.html", **_results_context(event))
    return _results_page(event)


def _award_clusters(event: PitchEvent, form: AwardForm) -> AwardForm:
    form.cluster.choices = [
        SelectChoice("", "Every pitch"),
        *(
            SelectChoice(c, c)
            for c in sorted({p.project.challenge.career_cluster for p in event.presenters})
        ),
    ]
    return form


def _results_page(
    event: PitchEvent,
    award_form: AwardForm | None = None,
    exclude_form: ExcludeForm | None = None,
    excluding: int | None = None,
) -> str:
    """The results page; a form sent back with its errors and what was typed, if one is given
    (`excluding`: the judge whose set-aside form it is)."""
    return render_template(
        "pitch_events/results.html",
        **_results_context(event),
        awards=results.awards_of(event),
        award_form=award_form or _award_clusters(event, AwardForm(formdata=None)),
        exclude_form=exclude_form or ExcludeForm(formdata=None),
        excluding=excluding,
        action_form=EmptyForm(),
        can_award=rules.can_award(event, current_user),
        can_assign=rules.can_assign(event, current_user),
        can_set_aside=rules.can_set_aside,
        pitches=[p for p in event.presenters if not p.declined],
    )


def _organiser_guest(guest_id: int, rule: Callable[[EventGuest, User], bool]) -> EventGuest:
    guest = load_or_404(EventGuest, guest_id, rules.can_see_guest)
    require(rule, guest, status=403)
    return guest


@bp.post("/guests/<int:guest_id>/set-aside")
@staff_required
def set_aside(guest_id: int) -> Response | tuple[str, int]:
    """Set a judge's scores aside, with the reason."""
    guest = _organiser_guest(guest_id, rules.can_set_aside)
    form = ExcludeForm()
    if not form.validate_on_submit():
        return _results_page(guest.event, exclude_form=form, excluding=guest.id), 422
    commit_or_refuse(
        lambda: results.exclude(guest, current_user, form.reason.data or ""),
        results.ResultsError,
        f"{guest.label}'s scores are set aside.",
    )
    return redirect(url_for("pitch_events.results_page", event_id=guest.event_id), 303)


@bp.post("/guests/<int:guest_id>/count-again")
@staff_required
def count_again(guest_id: int) -> Response:
    """Count a judge's scores again."""
    guest = _organiser_guest(guest_id, rules.can_set_aside)
    commit_or_refuse(
        lambda: results.include(guest),
        results.ResultsError,
        f"{guest.label}'s scores count again.",
    )
    return redirect(url_for("pitch_events.results_page", event_id=guest.event_id), 303)


@bp.post("/<int:event_id>/awards")
@staff_required
def add_award(event_id: int) -> Response | tuple[str, int]:
    """Name an award, for every pitch or for one track."""
    event = load_or_404(PitchEvent, event_id, rules.can_view)
    require(rules.can_award, event, status=403)
    form = _award_clusters(event, AwardForm())
    if form.validate_on_submit():
        try:
            results.add_award(event, form.name.data or "", form.cluster.data or "")
        except results.ResultsError as error:
            db.session.rollback()
            add_error(form.name, str(error))
        else:
            db.session.commit()
            flash(f"The award “{form.name.data}” is added: choose its winner.", "success")
            return redirect(
                url_for("pitch_events.results_page", event_id=event.id, _anchor="awards"), 303
            )
    return _results_page(event, award_form=form), 422


def _award(award_id: int) -> EventAward:
    award = db.session.get(EventAward, award_id)
    event = db.session.get(PitchEvent, award.event_id) if award else None
    if award is None or event is None:
        abort(404)
    require(rules.can_view, event)
    require(rules.can_award, event, status=403)
    return award


@bp.post("/awards/<int:award_id>/winner")
@staff_required
def award_winner(award_id: int) -> Response:
    """Choose (or clear) an award's winner."""
    award = _award(award_id)
    form = WinnerForm()
    event = db.session.get(PitchEvent, award.event_id)
    assert event is not None
    form.presenter_id.choices = [
        SelectChoice("", ""),
        *(SelectChoice(p.id, "") for p in event.presenters if not p.declined),
    ]
    if not form.validate_on_submit():
        flash("Choose one of the event's pitches.", "error")
    else:
        winner = (
            db.session.get(EventPresenter, form.presenter_id.data)
            if form.presenter_id.data
            else None
        )
        commit_or_refuse(
            lambda: results.give_award(award, winner),
            results.ResultsError,
            f"“{award.name}”: "
            + (f"won by “{winner.project.title}”." if winner else "no winner chosen yet."),
        )
    return redirect(
        url_for("pitch_events.results_page", event_id=award.event_id, _anchor="awards"), 303
    )


@bp.post("/awards/<int:award_id>/delete")
@staff_required
def remove_award(award_id: int) -> Response:
    award = _award(award_id)
    event_id, name = award.event_id, award.name
    commit_or_refuse(
        lambda: results.remove_award(award), results.ResultsError, f"“{name}” is removed."
    )
    return redirect(url_for("pitch_events.results_page", event_id=event_id, _anchor="awards"), 303)


@bp.get("/presenters/<int:presenter_id>/feedback")
@login_required
def feedback(presenter_id: int) -> str:
    """A team's results once released: its scores per criterion against the event's average,
    the judges' comments, its awards."""
    presenter = load_or_404(EventPresenter, presenter_id, rules.can_read_feedback)
    event = services.load_entries(presenter.event)
    return render_template(
        "pitch_events/feedback.html",
        presenter=presenter,
        event=event,
        feedback=results.feedback(event, presenter),
        mine_team=rules.is_presenting_team(presenter, current_user),
        held=results.held_comments(event, current_user) if current_user.is_staff else [],
        action_form=EmptyForm(),
    )


@bp.post("/judgements/<int:judgement_id>/comment/<any(show, hide):decision>")
@staff_required
def decide_comment(judgement_id: int, decision: str) -> Response:
    """A held comment: let it through to the team, or keep it from them."""
    judgement = load_or_404(Judgement, judgement_id, rules.can_decide_comment)
    commit_or_refuse(
        lambda: results.decide_comment(judgement, decision == "show"),
        results.ResultsError,
        "The comment is shown to the team." if decision == "show" else "The comment stays hidden.",
    )
    return redirect(url_for("pitch_events.feedback", presenter_id=judgement.presenter_id), 303)


@bp.get("/<int:event_id>/public")
def public(event_id: int) -> str:
    """The event as anyone sees it: when and where, the pitches by title and team, and the
    awards once the results are released. No student's name."""
    event = db.session.get(PitchEvent, event_id)
    if event is None or not rules.is_public(event):
        abort(404)
    services.load_entries(event)
    released = event.status is EventStatus.RELEASED
    return render_template(
        "pitch_events/public.html",
        event=event,
        slots=services.run_of_show(event),
        awards=[a for a in results.awards_of(event) if a.presenter_id] if released else [],
        zone=clock.place_name(clock.zone(event.school.timezone)),
    )


@bp.get("/<int:event_id>/report")
@staff_required
def report(event_id: int) -> str:
    """What the event produced: guests, judges, interests, the engagements and how far they
    climbed since, the leads to follow up."""
    event = load_or_404(PitchEvent, event_id, rules.can_view)
    require(rules.can_see_results, event, status=403)
    return render_template(
        "pitch_events/report.html",
        event=event,
        report=interests.report(event),
        ladder=LADDER,
        action_form=EmptyForm(),
    )


@bp.post("/interests/<int:interest_id>/followed-up")
@staff_required
def followed_up(interest_id: int) -> Response:
    """A lead is followed up."""
    interest = load_or_404(EventInterest, interest_id, rules.can_follow_up)
    interests.follow_up(interest, current_user)
    db.session.commit()
    flash("Marked as followed up.", "success")
    back = request.form.get("back") == "report" and rules.can_see_results(
        interest.presenter.event, current_user
    )
    return redirect(
        url_for(
            "pitch_events.report" if back else "pitch_events.show",
            event_id=interest.event_id,
            _anchor="leads",
        ),
        303,
    )


# --- the rubric --------------------------------------------------------------------------------


def _criterion_values(form: CriterionForm) -> tuple[str, int, list[str]]:
    return (
        form.name.data or "",
        form.weight.data or 1,
        [form.d1.data or "", form.d2.data or "", form.d3.data or "", form.d4.data or "",
         form.d5.data or ""],
    )  # fmt: skip


def _rubric_page(
    event: PitchEvent,
    new_form: CriterionForm | None = None,
    changed: tuple[int, CriterionForm] | None = None,
) -> str:
    judging.rubric(event)
    db.session.commit()  # the default rubric, if this is its first use (before reading)
    criteria = judging.rubric(event)
    forms = {}
    for c in criteria:
        form = CriterionForm(prefix=f"c{c.id}", formdata=None)
        form.name.data, form.weight.data = c.name, c.weight
        for n, text in enumerate(c.descriptors, start=1):
            getattr(form, f"d{n}").data = text
        forms[c.id] = form
    if changed is not None:  # sent back with its errors and what was typed
        forms[changed[0]] = changed[1]
    return render_template(
        "pitch_events/rubric.html",
        open_id=changed[0] if changed else None,
        event=event,
        criteria=criteria,
        forms=forms,
        new_form=new_form or CriterionForm(prefix="new", formdata=None),
        editable=rules.can_judge_setup(event, current_user),
        action_form=EmptyForm(),
    )


@bp.get("/<int:event_id>/rubric")
@staff_required
def rubric_page(event_id: int) -> str:
    """The event's rubric: what each criterion weighs and what each score means."""
    event = load_or_404(PitchEvent, event_id, rules.can_view)
    require(rules.can_organise, event, status=403)
    return _rubric_page(event)


@bp.post("/<int:event_id>/rubric")
@staff_required
def add_criterion(event_id: int) -> Response | tuple[str, int]:
    event = load_or_404(PitchEvent, event_id, rules.can_view)
    require(rules.can_judge_setup, event, status=403)
    form = CriterionForm(prefix="new")
    if not form.validate_on_submit():
        return _rubric_page(event, form), 422
    name, weight, descriptors = _criterion_values(form)
    try:
        judging.add_criterion(event, name, weight, descriptors)
    except judging.JudgingError as error:
        db.session.rollback()
        add_error(form.name, str(error))
        return _rubric_page(event, form), 422
    db.session.commit()
    flash(f"“{name}” is added to the rubric.", "success")
    return redirect(url_for("pitch_events.rubric_page", event_id=event.id), 303)


@bp.post("/rubric/<int:criterion_id>")
@staff_required
def change_criterion(criterion_id: int) -> Response | tuple[str, int]:
    criterion = load_or_404(RubricCriterion, criterion_id, rules.can_see_criterion)
    require(rules.can_change_criterion, criterion, status=403)
    form = CriterionForm(prefix=f"c{criterion.id}")
    if form.validate_on_submit():
        name, weight, descriptors = _criterion_values(form)
        try:
            judging.change_criterion(criterion, name, weight, descriptors)
        except judging.JudgingError as error:
            db.session.rollback()
            add_error(form.name, str(error))
        else:
            db.session.commit()
            flash(f"“{name}” is saved.", "success")
            return redirect(url_for("pitch_events.rubric_page", event_id=criterion.event_id), 303)
    return _rubric_page(criterion.event, changed=(criterion.id, form)), 422


@bp.post("/rubric/<int:criterion_id>/delete")
@staff_required
def remove_criterion(criterion_id: int) -> Response:
    criterion = load_or_404(RubricCriterion, criterion_id, rules.can_see_criterion)
    require(rules.can_change_criterion, criterion, status=403)
    event_id, name = criterion.event_id, criterion.name
    commit_or_refuse(
        lambda: judging.remove_criterion(criterion),
        judging.JudgingError,
        f"“{name}” is taken out of the rubric.",
    )
    return redirect(url_for("pitch_events.rubric_page", event_id=event_id), 303)


@bp.get("/<int:event_id>/present/<int:number>")
@staff_required
def present(event_id: int, number: int) -> str:
    """The presenter screen: one pitch of the run of show at a time, its cover, deck and video
    at hand, with the slot's time and the way to the previous and next pitch."""
    event = load_or_404(PitchEvent, event_id, rules.can_view)
    require(rules.can_organise, event, status=403)
    slots = services.run_of_show(services.load_entries(event))
    if not 1 <= number <= len(slots):
        abort(404)
    slot = slots[number - 1]
    project = slot.presenter.project
    return render_template(
        "pitch_events/present.html",
        event=event,
        slot=slot,
        total=len(slots),
        project=project,
        pitch=project_pitch.of(project),
        inside=False,
        part="",
    )
