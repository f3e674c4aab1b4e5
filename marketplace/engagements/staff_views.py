"""The team's and the school's views of the ladder: offers awaiting, approvals, the ladder, and
a school admin's background checks and ladder settings.

The buttons of these pages post to the engagement and offer endpoints (`engagements.*`) with a
`next` field, and come back here.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from .. import clock
from ..clusters import CAREER_CLUSTERS
from ..extensions import db
from ..forms_common import EmptyForm, SelectChoice, bounded_int, required
from ..models import Offer, OfferStatus, Rung, User
from ..permissions import school_admin_required, staff_required, student_required
from ..privacy import name_for
from ..web import is_htmx
from . import ladder, queues, rules, school_gates
from .forms import (
    AcceptForm,
    BackgroundCheckForm,
    ConsentForm,
    DeclineForm,
    LadderSettingsForm,
    SkipForm,
)

bp = Blueprint("ladder", __name__)

F = TypeVar("F", bound=FlaskForm)


def own_ids(form: F, key: str) -> F:
    """Give the fields of one of several forms on a page ids of their own (labels follow)."""
    for field in form:
        field.id = f"{key}-{field.name}"
        field.label.field_id = field.id
    return form


# --- the team ----------------------------------------------------------------------------------


@dataclass
class OfferCard:
    """An offer awaiting a student, what stops them accepting it, and their answer forms."""

    offer: Offer
    problems: list[str]
    accept_form: AcceptForm
    decline_form: DeclineForm

    @property
    def can_accept(self) -> bool:
        return not self.problems

    @property
    def can_decline(self) -> bool:
        return self.offer.status is OfferStatus.APPROVED


@bp.get("/my/engagements")
@student_required
def team() -> str:
    """A student's engagements and the offers awaiting their answer, with what blocks each."""
    today = clock.today_for(current_user)
    engagements, last = queues.team_engagements(current_user)
    cards = [
        OfferCard(
            offer,
            rules.acceptance_problems(offer, current_user, today),
            own_ids(AcceptForm(formdata=None), f"accept-{offer.id}"),
            own_ids(DeclineForm(formdata=None), f"decline-{offer.id}"),
        )
        for offer in queues.offers_awaiting(current_user)
    ]
    return render_template(
        "ladder/team.html",
        engagements=engagements,
        last=last,
        cards=cards,
        is_stalled=rules.is_stalled,
    )


# --- the approval queue -----------------------------------------------------------------------


def _consent_form(offer: Offer, student: User) -> ConsentForm:
    """One student's consent to one offer: the student is named, not chosen."""
    form = own_ids(ConsentForm(formdata=None), f"consent-{offer.id}-{student.id}")
    form.student_id.choices = [SelectChoice(student.id, name_for(current_user, student))]
    form.student_id.data = student.id
    return form


@dataclass
class WaitingOffer:
    """Everything that waits on one offer, so its actions sit together: a skip to allow, the
    approval, then a consent form per student still missing one."""

    offer: Offer
    approve: bool = False
    problems: list[str] = dataclasses.field(default_factory=list)
    skip_form: SkipForm | None = None
    consents: list[tuple[User, ConsentForm]] = dataclasses.field(default_factory=list)


def _waiting_offers(queue: queues.ApprovalQueue, today: date) -> list[WaitingOffer]:
    items: dict[int, WaitingOffer] = {}

    def item(offer: Offer) -> WaitingOffer:
        return items.setdefault(offer.id, WaitingOffer(offer))

    for offer in queue.to_approve:
        waiting = item(offer)
        waiting.approve, waiting.problems = True, rules.proposal_problems(offer, today)
    for offer in queue.skips:
        item(offer).skip_form = _skip_form(offer)
    for offer, missing in queue.consents:
        item(offer).consents = [(s, _consent_form(offer, s)) for s in missing]
    return sorted(items.values(), key=lambda w: (w.offer.created_at, w.offer.id))


def _skip_form(offer: Offer) -> SkipForm:
    form = own_ids(SkipForm(formdata=None, to=offer.rung.value), f"skip-{offer.id}")
    above = offer.engagement.rung.level + 1
    form.to.choices = [SelectChoice(r.value, r.label.capitalize()) for r in Rung if r.level > above]
    return form


@bp.get("/approvals")
@staff_required
def approvals() -> str:
    """What waits for the teacher: offers to approve, consents to record, skips to allow and
    completions to confirm (a teacher's classes; a school admin's whole school)."""
    today = clock.today_for(current_user)
    queue = queues.approval_queue(current_user, today)
    return render_template(
        "ladder/approvals.html",
        queue=queue,
        offers=_waiting_offers(queue, today),
        action_form=EmptyForm(),
    )


# --- the school-wide ladder -------------------------------------------------------------------


@bp.get("/ladder")
@staff_required
def school_ladder() -> str:
    """The school's engagements: how many sit on each rung, stalled ones first; filtered by
    class, career cluster and organisation (live with htmx, a plain GET form without JS)."""
    school = current_user.school
    if school is None:
        abort(404)
    classrooms, organisations = queues.filter_choices(school)
    args = request.args
    classroom_id, organisation_id = (
        args.get("class", type=bounded_int),
        args.get("organisation", type=bounded_int),
    )
    filters = queues.LadderFilters(
        classroom_id=classroom_id if classroom_id in {c.id for c in classrooms} else None,
        cluster=args.get("cluster", "") if args.get("cluster") in CAREER_CLUSTERS else "",
        organisation_id=(
            organisation_id if organisation_id in {o.id for o in organisations} else None
        ),
    )
    context = {
        "school": school,
        "filters": filters,
        "board": queues.school_ladder(school, filters, args.get("page", 1, type=bounded_int) or 1),
        "classrooms": classrooms,
        "organisations": organisations,
        "clusters": CAREER_CLUSTERS,
        "rungs": list(Rung),
        "is_stalled": rules.is_stalled,
    }
    if is_htmx():
        return render_template("ladder/_school_ladder.html", **context)
    return render_template("ladder/school_ladder.html", **context)


# --- a school admin's gates -------------------------------------------------------------------


def _checks_page(failed: User | None = None, failed_form: BackgroundCheckForm | None = None) -> str:
    rows = school_gates.roster(current_user.school_id, clock.school_today(current_user.school))
    forms = {
        row.member.id: failed_form
        if failed is not None and row.member.id == failed.id
        else own_ids(BackgroundCheckForm(formdata=None, obj=row.check), f"check-{row.member.id}")
        for row in rows
    }
    return render_template("ladder/background_checks.html", rows=rows, forms=forms, failed=failed)


@bp.get("/school/background-checks")
@school_admin_required
def background_checks() -> str:
    """The employer members of the organisations the school verified, with their checks."""
    return _checks_page()


@bp.post("/school/background-checks/<int:user_id>")
@school_admin_required
def record_check(user_id: int) -> Response | tuple[str, int]:
    """Record (or renew) an employer member's background check for the school."""
    member = school_gates.verified_member(current_user.school_id, user_id)
    if member is None:
        abort(404)
    form = own_ids(BackgroundCheckForm(), f"check-{member.id}")
    if form.validate_on_submit():
        try:
            ladder.attest_background_check(
                current_user.school,
                current_user,
                member,
                required(form.checked_on.data),
                form.valid_until.data,
                form.reference.data or "",
            )
        except ladder.LadderError as refusal:
            db.session.rollback()
            form.valid_until.errors = [*form.valid_until.errors, str(refusal)]
        else:
            db.session.commit()
            flash(f"Background check recorded for {member.full_name}.", "success")
            return redirect(url_for("ladder.background_checks"), 303)
    return _checks_page(member, form), 422


@bp.route("/school/ladder-settings", methods=["GET", "POST"])
@school_admin_required
def settings() -> Response | tuple[str, int]:
    """The school's youngest ages per workplace rung, the days before an engagement counts as
    stalled, and its placement settings (hour limits, site visits, the evaluation rubric)."""
    school = current_user.school
    form = LadderSettingsForm(obj=school)
    if not form.is_submitted():
        form.rubric.data = "\n".join(school.skills)
        for rung in ("job_shadowing", "externship", "internship"):
            form[f"wbl_{rung}"].data = school.wbl_code(rung)
    if form.validate_on_submit():
        school_gates.save_settings(
            school,
            current_user,
            refuse_over_limit=bool(form.refuse_over_limit.data),
            rubric=form.skills(),
            wbl_codes=form.wbl_codes(),
            **{name: form[name].data for name in school_gates.SETTINGS},
        )
        db.session.commit()
        flash("The ladder settings are saved.", "success")
        return redirect(url_for("ladder.settings"), 303)
    return render_template("ladder/settings.html", form=form, school=school), (
        422 if form.errors else 200
    )
