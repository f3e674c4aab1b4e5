"""Pitch events: organisers create them and arrange the run of show; teachers enter their
teams' published projects; teams see their slot and may decline; guests and judges are invited,
answer and are checked in. Judging's pages are in judging_views.py, the results' and the
organisers' tools in results_views.py (both add theirs to this blueprint)."""

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
    url_for,
)
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from .. import clock
from ..extensions import db, limiter
from ..forms_common import EmptyForm, SelectChoice, add_error
from ..models import (
    EventGuest,
    EventPresenter,
    EventStatus,
    GuestRole,
    JudgingMode,
    PitchEvent,
    Project,
    School,
    User,
)
from ..permissions import load_or_404, require, staff_required, student_required
from ..web import absolute_url, commit_or_refuse
from . import guests, interests, judging, rules, services
from .forms import (
    DeclineForm,
    EnterForm,
    EventForm,
    InterestForm,
    InviteForm,
    MinutesForm,
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
