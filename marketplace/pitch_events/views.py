"""Pitch events: organisers create them and arrange the run of show; teachers enter their
teams' published projects; teams see their slot and may decline."""

from __future__ import annotations

from collections.abc import Callable

import segno
import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from .. import clock
from ..extensions import db, limiter
from ..forms_common import EmptyForm, SelectChoice, add_error
from ..models import (
    LADDER,
    EventAward,
    EventGuest,
    EventInterest,
    EventPresenter,
    EventStatus,
    GuestRole,
    Judgement,
    JudgingMode,
    PitchEvent,
    Project,
    RubricCriterion,
    School,
    User,
)
from ..permissions import load_or_404, require, staff_required, student_required
from ..projects import pitch as project_pitch
from ..web import absolute_url, commit_or_refuse, is_htmx
from . import guests, interests, judging, pairwise, results, rules, services
from .forms import (
    AwardForm,
    CriterionForm,
    DeclineForm,
    EnterForm,
    EventForm,
    ExcludeForm,
    InterestForm,
    InviteForm,
    MinutesForm,
    WinnerForm,
    score_form,
)

bp = Blueprint("pitch_events", __name__, url_prefix="/events")
bp.add_app_template_global(services.entries_of, "event_entries")
bp.add_app_template_global(services.slot_of, "event_slot")
bp.add_app_template_global(rules.can_decline, "can_decline_event")
bp.add_app_template_global(rules.can_withdraw, "can_withdraw_entry")
bp.add_app_template_global(rules.takes_part, "takes_part_in_event")
bp.add_app_template_global(rules.can_edit, "can_edit_event")


@bp.after_request
def _kept_by_nobody(response: Response) -> Response:
    """Guests' and judges' pages are reached by personal links, without an account: no cache
    along the way keeps them (a logged-in user's pages are never stored anyway)."""
    response.headers["Cache-Control"] = "no-store"
    return response


NEXT_STEPS = {  # what the organiser may do next, as the buttons say it
    EventStatus.DRAFT: [(EventStatus.PUBLISHED, "Publish to the schools taking part")],
    EventStatus.PUBLISHED: [
        (EventStatus.LIVE, "Start the event (live)"),
        (EventStatus.DRAFT, "Back to a draft"),
    ],
    EventStatus.LIVE: [(EventStatus.CLOSED, "Close the event")],
    EventStatus.CLOSED: [(EventStatus.RELEASED, "Release the results to the teams")],
    EventStatus.RELEASED: [],
}


def _invite_form(event: PitchEvent, form: InviteForm | None = None) -> InviteForm:
    form = form or InviteForm()
    form.member_ids.choices = [
        SelectChoice(
            m.id, f"{m.full_name} — {m.organisation.name}" if m.organisation else m.full_name
        )
        for m in guests.invitable_members(event)
    ]
    return form


def _event_page(event: PitchEvent, **forms: object) -> str:
    services.load_entries(event)
    enter_form = forms.pop("enter_form", None) or EnterForm()
    organiser = rules.can_organise(event, current_user)
    invite_form = forms.pop("invite_form", None)
    enterable = services.enterable_projects(event, current_user)
    enter_form.project_id.choices = [  # type: ignore[attr-defined]
        SelectChoice("", "Choose…"),
        *(SelectChoice(p.id, f"{p.title} — team {p.team.name}") for p in enterable),
    ]
    return render_template(
        "pitch_events/show.html",
        event=event,
        slots=(slots := services.run_of_show(event)),
        overrun=services.overrun(event, slots),
        declined=[p for p in event.presenters if p.declined],
        organiser=rules.can_organise(event, current_user),
        coverage=judging.coverage(event) if organiser else {},
        next_steps=NEXT_STEPS[event.status] if rules.can_organise(event, current_user) else [],
        enterable=enterable,
        enter_form=enter_form,
        decline_form=forms.pop("decline_form", None) or DeclineForm(),
        guests=guests.guests_of(event) if organiser else [],
        invite_form=_invite_form(event, invite_form) if organiser else None,  # type: ignore[arg-type]
        inviting=event.status in guests.INVITING,
        minutes_form=MinutesForm(),
        action_form=EmptyForm(),
        zone=clock.place_name(clock.zone(event.school.timezone)),
        leads=interests.leads_for(event, current_user),
    )


@bp.get("")
@login_required
def index() -> str:
    """The events a person takes part in, newest first."""
    return render_template(
        "pitch_events/index.html",
        events=services.events_for(current_user),
        can_create=rules.can_create(current_user),
    )


def _with_schools(form: EventForm, organiser_id: int) -> EventForm:
    others = db.session.scalars(
        sa.select(School).where(School.id != organiser_id).order_by(School.name)
    )
    form.partner_ids.choices = [SelectChoice(s.id, s.name) for s in others]
    return form


def _save(form: EventForm, event: PitchEvent) -> Response | tuple[str, int]:
    day, starts, ends = form.day.data, form.starts.data, form.ends.data
    assert day is not None and starts is not None and ends is not None  # InputRequired
    try:
        services.save_event(
            event,
            current_user,
            title=form.title.data or "",
            description=form.description.data or "",
            day=day,
            starts=starts,
            ends=ends,
            place=form.place.data or "",
            online_url=form.online_url.data or "",
            capacity=form.capacity.data,
            pitch_minutes=form.pitch_minutes.data or 1,
            changeover_minutes=form.changeover_minutes.data or 0,
            min_judges=form.min_judges.data or 1,
            partner_ids=form.partner_ids.data or [],
            judging_mode=JudgingMode(form.judging_mode.data),
        )
    except services.EventError as error:
        db.session.rollback()
        add_error(getattr(form, error.field or "partner_ids"), str(error))
        return render_template(
            "pitch_events/form.html", form=form, event=event if event.id else None
        ), 422
    db.session.commit()
    flash(f"“{event.title}” is saved.", "success")
    return redirect(url_for("pitch_events.show", event_id=event.id), 303)


@bp.route("/new", methods=["GET", "POST"])
@staff_required
def create() -> Response | tuple[str, int]:
    """A teacher or school admin plans a demo day (a draft until published)."""
    form = _with_schools(EventForm(), current_user.school_id)
    if form.validate_on_submit():
        return _save(form, PitchEvent())
    return render_template("pitch_events/form.html", form=form, event=None), (
        422 if form.errors else 200
    )


@bp.route("/<int:event_id>/edit", methods=["GET", "POST"])
@staff_required
def edit(event_id: int) -> Response | tuple[str, int]:
    """Change an event of one's school: its time, place, length of pitches, schools."""
    event = load_or_404(PitchEvent, event_id, rules.can_view)
    require(rules.can_edit, event, status=403)
    form = _with_schools(EventForm(obj=event), event.school_id)
    if not form.is_submitted():
        seen_from = clock.zone(event.school.timezone)
        starts, ends = (
            clock.local(event.starts_at, seen_from),
            clock.local(event.ends_at, seen_from),
        )
        form.day.data, form.starts.data, form.ends.data = starts.date(), starts.time(), ends.time()
        form.partner_ids.data = [p.school_id for p in event.partners]
    if form.validate_on_submit():
        return _save(form, event)
    return render_template("pitch_events/form.html", form=form, event=event), (
        422 if form.errors else 200
    )


@bp.get("/<int:event_id>")
@login_required
def show(event_id: int) -> str:
    """The event: when and where, its state, and the run of show."""
    return _event_page(load_or_404(PitchEvent, event_id, rules.can_view))


@bp.post("/<int:event_id>/status/<any(draft, published, live, closed, released):to>")
@staff_required
def move(event_id: int, to: str) -> Response:
    """Publish, go live, close, release the results."""
    event = load_or_404(PitchEvent, event_id, rules.can_view)
    require(rules.can_organise, event, status=403)
    target = EventStatus(to)
    commit_or_refuse(
        lambda: services.move_event(event, target, current_user),
        services.EventError,
        f"“{event.title}” is {services.STATUS_MESSAGES[target]}.",
    )
    return redirect(url_for("pitch_events.show", event_id=event.id), 303)


@bp.post("/<int:event_id>/presenters")
@staff_required
def enter(event_id: int) -> Response | tuple[str, int]:
    """A teacher enters one of their school's published projects."""
    event = load_or_404(PitchEvent, event_id, rules.can_view)
    require(rules.can_enter_projects, event, status=403)
    form = EnterForm()
    form.project_id.choices = [
        SelectChoice(p.id, p.title) for p in services.enterable_projects(event, current_user)
    ]
    if not form.validate_on_submit():
        return _event_page(event, enter_form=form), 422
    project = db.session.get(Project, form.project_id.data)
    if project is None:
        abort(404)
    commit_or_refuse(
        lambda: services.enter(event, project, current_user),
        services.EventError,
        f"“{project.title}” is entered; its team is told and may decline.",
    )
    return redirect(url_for("pitch_events.show", event_id=event.id, _anchor="run-of-show"), 303)


def _presenter(presenter_id: int, rule: Callable[[EventPresenter, User], bool]) -> EventPresenter:
    presenter = load_or_404(EventPresenter, presenter_id, rules.can_see_presenter)
    require(rule, presenter, status=403)
    return presenter


@bp.post("/presenters/<int:presenter_id>/decline")
@student_required
def decline(presenter_id: int) -> Response | tuple[str, int]:
    """A member of the team says no, for the team."""
    presenter = _presenter(presenter_id, rules.can_decline)
    form = DeclineForm()
    if not form.validate_on_submit():
        return _event_page(presenter.event, decline_form=form), 422
    commit_or_refuse(
        lambda: services.decline(presenter, current_user, form.reason.data or ""),
        services.EventError,
        f"Your team will not pitch at {presenter.event.title}; your teacher is told.",
    )
    return redirect(url_for("pitch_events.show", event_id=presenter.event_id), 303)


@bp.post("/presenters/<int:presenter_id>/withdraw")
@staff_required
def withdraw(presenter_id: int) -> Response:
    """Take an entry back before the event goes live."""
    presenter = _presenter(presenter_id, rules.can_withdraw)
    event_id, title = presenter.event_id, presenter.project.title
    services.withdraw(presenter, current_user)
    db.session.commit()
    flash(f"“{title}” is no longer entered.", "success")
    return redirect(url_for("pitch_events.show", event_id=event_id, _anchor="run-of-show"), 303)


@bp.post("/presenters/<int:presenter_id>/move/<any(up, down):direction>")
@staff_required
def shift(presenter_id: int, direction: str) -> Response:
    """One place earlier or later in the run of show."""
    presenter = _presenter(presenter_id, rules.can_arrange)
    services.shift(presenter, current_user, -1 if direction == "up" else 1)
    db.session.commit()
    return redirect(
        url_for("pitch_events.show", event_id=presenter.event_id, _anchor=f"slot-{presenter.id}"),
        303,
    )


@bp.post("/presenters/<int:presenter_id>/minutes")
@staff_required
def set_minutes(presenter_id: int) -> Response:
    """A slot's own length (empty: the event's)."""
    presenter = _presenter(presenter_id, rules.can_arrange)
    form = MinutesForm()
    if not form.validate_on_submit():
        flash(" ".join(form.minutes.errors) or "Give the minutes as a whole number.", "error")
    else:
        services.set_minutes(presenter, current_user, form.minutes.data)
        db.session.commit()
        flash(
            f"The slot of “{presenter.project.title}” is updated; the times after it follow.",
            "success",
        )
    return redirect(
        url_for("pitch_events.show", event_id=presenter.event_id, _anchor=f"slot-{presenter.id}"),
        303,
    )


# --- guests and judges -------------------------------------------------------------------------


@bp.post("/<int:event_id>/guests")
@staff_required
@limiter.limit(
    lambda: current_app.config["EVENT_INVITE_LIMIT"], key_func=lambda: f"invite:{current_user.id}"
)
def invite(event_id: int) -> Response | tuple[str, int]:
    """Invite members of partner organisations and other people by e-mail."""
    event = load_or_404(PitchEvent, event_id, rules.can_view)
    require(rules.can_organise, event, status=403)
    form = _invite_form(event, InviteForm())
    if not form.validate_on_submit():
        return _event_page(event, invite_form=form), 422
    others, unread = guests.parse_people(form.others.data or "")
    if unread:
        add_error(form.others, "These lines hold no e-mail address: " + "; ".join(unread[:5]))
        return _event_page(event, invite_form=form), 422
    people = guests.members_as_invitees(event, form.member_ids.data or []) + others
    if not people:
        add_error(form.member_ids, "Choose someone, or type an address below.")
        return _event_page(event, invite_form=form), 422
    role = GuestRole(form.role.data)
    try:
        invited = guests.invite(event, current_user, people, role)
    except guests.GuestError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("pitch_events.show", event_id=event.id, _anchor="guests"), 303)
    db.session.commit()
    skipped = len(people) - len(invited)
    said = f"{len(invited)} invitation{'s' if len(invited) != 1 else ''} sent"
    flash(said + (f"; {skipped} already invited." if skipped else "."), "success")
    return redirect(url_for("pitch_events.show", event_id=event.id, _anchor="guests"), 303)


def _guest(guest_id: int) -> EventGuest:
    guest = load_or_404(EventGuest, guest_id, rules.can_see_guest)
    require(rules.can_manage_guest, guest, status=403)
    return guest


@bp.post("/guests/<int:guest_id>/check-in")
@staff_required
def check_in(guest_id: int) -> Response:
    """At the door: the organiser ticks the list, or confirms a scanned pass."""
    guest = _guest(guest_id)
    try:
        first = guests.check_in(guest, current_user)
    except guests.GuestError as error:
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(
            f"{guest.label} is checked in." if first else f"{guest.label} was checked in already.",
            "success" if first else "info",
        )
    return redirect(url_for("pitch_events.show", event_id=guest.event_id, _anchor="guests"), 303)


@bp.post("/guests/<int:guest_id>/revoke")
@staff_required
def revoke(guest_id: int) -> Response:
    """Withdraw an invitation: the links sent stop working."""
    guest = _guest(guest_id)
    guests.revoke(guest, current_user)
    db.session.commit()
    flash(f"{guest.label}'s invitation is withdrawn; their links no longer work.", "success")
    return redirect(url_for("pitch_events.show", event_id=guest.event_id, _anchor="guests"), 303)


@bp.get("/check-in/<token>")
@staff_required
def scanned(token: str) -> str:
    """What the organiser's phone opens when it scans a guest's pass."""
    guest = guests.guest_from(token, guests.PASS)
    if guest is None or not rules.can_organise(guest.event, current_user):
        abort(404)
    return render_template("pitch_events/scanned.html", guest=guest, action_form=EmptyForm())


@bp.get("/invitation/<token>")
def invitation(token: str) -> str:
    """A guest's own page, from their invitation (no account): the event, their answer, and
    their pass for the door. Opening it changes nothing (mail scanners open links too)."""
    guest = guests.guest_from(token)
    if guest is None:
        abort(404)
    check_in_link = absolute_url("pitch_events.scanned", token=guests.token_for(guest, guests.PASS))
    return render_template(
        "pitch_events/invitation.html",
        guest=guest,
        event=guest.event,
        token=token,
        pass_image=segno.make(check_in_link, error="m").png_data_uri(scale=6, border=2),
        action_form=EmptyForm(),
        when=guests.when_at_school(guest.event),
        judge_link=(
            url_for("pitch_events.judge_home", token=judging.judge_token(guest))
            if guest.judge and guest.event.status in judging.OPEN
            else ""
        ),
        slots=(
            services.run_of_show(services.load_entries(guest.event))
            if guest.event.status in interests.AFTER_THE_START
            else []
        ),
        interested=interests.interests_of(guest),
        interest_form=InterestForm(),
    )


@bp.post("/invitation/<token>/<any(yes, no):reply>")
def reply(token: str, reply: str) -> Response:
    """The guest's answer (they may change it)."""
    guest = guests.guest_from(token)
    if guest is None:
        abort(404)
    form = EmptyForm()
    if form.validate_on_submit():
        try:
            guests.answer(guest, reply == "yes")
        except guests.GuestError as error:
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(
                "Thank you: we look forward to seeing you."
                if reply == "yes"
                else "Thank you for letting us know.",
                "success",
            )
    return redirect(url_for("pitch_events.invitation", token=token), 303)


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


# --- what the event produced -------------------------------------------------------------------


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
