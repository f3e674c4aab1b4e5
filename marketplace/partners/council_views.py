"""The advisory council's pages: members and their terms, referrals, meetings and minutes."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import contains_eager
from werkzeug.wrappers import Response

from .. import clock
from ..extensions import db
from ..forms_common import flash_errors, required
from ..models import CouncilMeeting, CouncilMember, CouncilRole, PartnerContact, Partnership
from ..permissions import load_or_404, staff_required
from . import council, rules
from .council_forms import MeetingForm, MemberForm, MinutesForm, ReferralForm, TermForm
from .forms import TaskForm
from .views import bp


def _contacts(school_id: int) -> list[PartnerContact]:
    return list(
        db.session.scalars(
            sa.select(PartnerContact)
            .join(Partnership)
            .where(Partnership.school_id == school_id)
            .options(
                contains_eager(PartnerContact.partnership).joinedload(Partnership.organisation)
            )
            .order_by(PartnerContact.name)
        )
    )


def _council_page(status: int = 200, **forms: Any) -> tuple[str, int]:
    school = current_user.school
    today = clock.school_today(school)
    member_form = forms.get("member_form") or MemberForm(term_start=today)
    member_form.contact.choices = [
        (c.id, f"{c.name} — {c.partnership.organisation.name}") for c in _contacts(school.id)
    ]
    page = render_template(
        "partners/council.html",
        members=council.members(school),
        meetings=council.meetings(school),
        member_form=member_form,
        meeting_form=forms.get("meeting_form") or MeetingForm(),
        referral_form=ReferralForm(),
        failed_referral=forms.get("failed_referral"),
        today=today,
    )
    return page, status


@bp.get("/council")
@staff_required
def council_page() -> tuple[str, int]:
    """The advisory council: who serves, their referrals, the meetings."""
    return _council_page()


@bp.post("/council/members")
@staff_required
def appoint() -> Response | tuple[str, int]:
    """Put a partner's contact on the council for a term."""
    form = MemberForm()
    form.contact.choices = [(c.id, c.name) for c in _contacts(current_user.school_id)]
    if not form.validate_on_submit():
        return _council_page(422, member_form=form)
    contact = db.session.get_one(PartnerContact, form.contact.data)
    try:
        council.appoint(
            current_user.school, current_user, contact, CouncilRole(form.role.data),
            required(form.term_start.data), form.term_end.data,
        )  # fmt: skip
    except council.CouncilError as problem:
        form.term_end.errors = [str(problem)]
        return _council_page(422, member_form=form)
    db.session.commit()
    flash(f"{contact.name} is on the advisory council.", "success")
    return redirect(url_for("partners.council_page"), 303)


@bp.post("/council/members/<int:member_id>")
@staff_required
def change_term(member_id: int) -> Response:
    """Change a member's role or term."""
    member = load_or_404(CouncilMember, member_id, rules.can_run_council)
    form = TermForm()
    if form.validate_on_submit():
        try:
            council.update_member(
                member, current_user, CouncilRole(form.role.data),
                required(form.term_start.data), form.term_end.data,
            )  # fmt: skip
        except council.CouncilError as problem:
            flash(str(problem), "error")
        else:
            db.session.commit()
            flash(f"{member.contact.name}'s term is saved.", "success")
    else:
        flash_errors(form)
    return redirect(url_for("partners.council_page"), 303)


@bp.post("/council/members/<int:member_id>/refer")
@staff_required
def refer(member_id: int) -> Response | tuple[str, int]:
    """Record a business a member referred: a prospect recommended by them."""
    member = load_or_404(CouncilMember, member_id, rules.can_run_council)
    form = ReferralForm()
    if not form.validate_on_submit():
        return _council_page(422, failed_referral=(member.id, form))
    try:
        record = council.refer(
            member, current_user, name=required(form.name.data), website=form.website.data or "",
            contact_name=form.contact_name.data or "", contact_email=form.contact_email.data or "",
            note=form.note.data or "",
        )  # fmt: skip
    except council.CouncilError as problem:
        db.session.rollback()
        flash(str(problem), "error")
        return redirect(url_for("partners.council_page"), 303)
    db.session.commit()
    flash(
        f"{record.organisation.name} is a prospect, recommended by {member.contact.name}.",
        "success",
    )
    return redirect(url_for("partners.show", partner_id=record.id), 303)


@bp.post("/council/meetings")
@staff_required
def plan_meeting() -> Response | tuple[str, int]:
    """Put a council meeting on the calendar, with its agenda."""
    form = MeetingForm()
    if not form.validate_on_submit():
        return _council_page(422, meeting_form=form)
    meeting = council.plan_meeting(
        current_user.school, current_user, required(form.held_on.data),
        form.place.data or "", form.agenda.data or "",
    )  # fmt: skip
    db.session.commit()
    return redirect(url_for("partners.meeting", meeting_id=meeting.id), 303)


def _meeting_page(meeting: CouncilMeeting, status: int = 200, **forms: Any) -> tuple[str, int]:
    school = current_user.school
    rows = council.members(school)
    present = {a.member_id for a in meeting.attendance if a.present}
    minutes_form = forms.get("minutes_form") or MinutesForm(
        agenda=meeting.agenda, minutes=meeting.minutes, present=sorted(present)
    )
    minutes_form.present.choices = [
        (r.member.id, f"{r.member.contact.name} — {r.member.contact.partnership.organisation.name}")
        for r in rows
        if r.member.serving_on(meeting.held_on) or r.member.id in present
    ]
    task_form = forms.get("task_form") or TaskForm(
        assignee=current_user.id, due_on=clock.school_today(school)
    )
    task_form.assignee.choices = rules.staff_choices(school.id)
    page = render_template(
        "partners/meeting.html",
        meeting=meeting,
        minutes_form=minutes_form,
        task_form=task_form,
        items=council.action_items(meeting),
        today=clock.school_today(school),
    )
    return page, status


@bp.route("/council/meetings/<int:meeting_id>", methods=["GET", "POST"])
@staff_required
def meeting(meeting_id: int) -> Response | tuple[str, int]:
    """A council meeting: its agenda, who came and the minutes."""
    found = load_or_404(CouncilMeeting, meeting_id, rules.can_run_council)
    if request.method == "GET":
        return _meeting_page(found)
    form = MinutesForm()
    if not form.validate_on_submit():
        return _meeting_page(found, 422, minutes_form=form)
    council.record_meeting(
        found, current_user, agenda=form.agenda.data or "", minutes=form.minutes.data or "",
        present=set(form.present.data or ()),
    )  # fmt: skip
    db.session.commit()
    flash("The meeting is saved.", "success")
    return redirect(url_for("partners.meeting", meeting_id=found.id), 303)


@bp.post("/council/meetings/<int:meeting_id>/actions")
@staff_required
def add_action(meeting_id: int) -> Response | tuple[str, int]:
    """An action item of the meeting, as a follow-up task for a member of staff."""
    found = load_or_404(CouncilMeeting, meeting_id, rules.can_run_council)
    form = TaskForm()
    form.assignee.choices = rules.staff_choices(found.school_id)
    if not form.validate_on_submit():
        return _meeting_page(found, 422, task_form=form)
    council.add_action_item(
        found, current_user, required(form.title.data), required(form.due_on.data),
        required(form.assignee.data),
    )  # fmt: skip
    db.session.commit()
    flash("Action item set: it is on the follow-ups.", "success")
    return redirect(url_for("partners.meeting", meeting_id=found.id) + "#actions", 303)
