"""Employers set up their organisation; school staff verify organisations for their school."""

from __future__ import annotations

from collections.abc import Collection

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from ..extensions import db
from ..forms_common import EmptyForm, SelectChoice, required
from ..models import JoinRequest, Organisation, Partnership, School, VerificationStatus
from ..permissions import employer_required, load_or_404, staff_required
from ..web import commit_or_refuse
from . import membership, rules, services
from .forms import DecisionForm, OrganisationForm, OrganisationZoneForm, RequestSchoolsForm

bp = Blueprint("organisations", __name__)
bp.add_app_template_global(services.partnerships_of, "partnerships_of")


def _school_choices(exclude: Collection[int] = frozenset()) -> list[SelectChoice]:
    schools = db.session.scalars(sa.select(School).order_by(School.name))
    return [
        SelectChoice(s.id, f"{s.name}, {s.city}" if s.city else s.name)
        for s in schools
        if s.id not in exclude
    ]


def _chosen_schools(ids: list[int]) -> list[School]:
    return list(db.session.scalars(sa.select(School).where(School.id.in_(ids))))


@bp.route("/organisation/setup", methods=["GET", "POST"])
@employer_required
def setup() -> Response | tuple[str, int]:
    """An employer creates their organisation, or joins one that uses their e-mail domain."""
    if current_user.organisation_id is not None:
        return redirect(url_for("organisations.profile"))
    form = OrganisationForm()
    form.school_ids.choices = _school_choices()
    if current_user.email_confirmed_at is not None and form.validate_on_submit():
        services.create_organisation(
            current_user,
            _chosen_schools(required(form.school_ids.data)),
            name=required(form.name.data),
            website=form.website.data or "",
            industry=form.industry.data or "",
            career_cluster=form.career_cluster.data,
            city=form.city.data or "",
            size=form.size.data or "",
            timezone=form.timezone.data or "",
        )
        db.session.commit()
        flash("Your organisation is created. The schools you chose will verify it.", "success")
        return redirect(url_for("organisations.profile"))
    return render_template(
        "organisations/setup.html",
        form=form,
        joinable=services.joinable_organisations(current_user),
        join_request=membership.pending_request_of(current_user),
        action_form=EmptyForm(),
    ), (422 if form.errors else 200)


@bp.post("/organisation/join/<int:organisation_id>")
@employer_required
def join(organisation_id: int) -> Response:
    """Claim a prospect of one's e-mail domain, or ask its members to let one in."""
    organisation = load_or_404(Organisation, organisation_id)
    try:
        request = membership.join_or_ask(current_user, organisation)
    except services.OrganisationError as error:
        flash(str(error), "error")
        return redirect(url_for("organisations.setup"), 303)
    db.session.commit()
    if request is not None:
        flash(f"We asked the members of {organisation.name} to let you in.", "success")
        return redirect(url_for("dashboard.home"), 303)
    flash(f"You joined {organisation.name}.", "success")
    return redirect(url_for("organisations.profile"), 303)


@bp.post("/organisation/requests/<int:request_id>/<any(accept, decline):decision>")
@employer_required
def decide_request(request_id: int, decision: str) -> Response:
    """A member accepts or declines a colleague's request to join."""
    request = load_or_404(JoinRequest, request_id, rules.can_decide_join)
    commit_or_refuse(
        lambda: membership.decide_request(request, current_user, decision == "accept"),
        services.OrganisationError,
        f"{request.user.full_name} is {decision}ed.",
    )
    return redirect(url_for("organisations.profile"), 303)


@bp.route("/organisation", methods=["GET", "POST"])
@employer_required
def profile() -> Response | tuple[str, int]:
    """The employer's organisation: members and where it stands with each school."""
    organisation = current_user.organisation
    if organisation is None:
        return redirect(url_for("organisations.setup"))
    form = _more_schools_form(organisation)
    if form.validate_on_submit():
        services.request_verification(organisation, _chosen_schools(required(form.school_ids.data)))
        db.session.commit()
        flash("We asked the schools you chose to verify your organisation.", "success")
        return redirect(url_for("organisations.profile"))
    zone = {"timezone": organisation.timezone} if organisation.timezone else None
    return _profile_page(organisation, form, OrganisationZoneForm(data=zone))


def _more_schools_form(organisation: Organisation, **kwargs: object) -> RequestSchoolsForm:
    """Asking schools the organisation has not asked yet (every page that shows the form lists
    the partnerships with their schools too: read here in one statement)."""
    services.partnerships_of(organisation)
    form = RequestSchoolsForm(**kwargs)
    asked = {p.school_id for p in organisation.asked_partnerships}
    form.school_ids.choices = _school_choices(asked)
    return form


def _profile_page(
    organisation: Organisation, form: RequestSchoolsForm, zone_form: OrganisationZoneForm
) -> tuple[str, int]:
    return render_template(
        "organisations/profile.html",
        organisation=organisation,
        form=form,
        requests=membership.pending_requests_for(organisation),
        action_form=EmptyForm(),
        zone_form=zone_form,
    ), (422 if form.errors or zone_form.errors else 200)


@bp.post("/organisation/timezone")
@employer_required
def set_timezone() -> Response | tuple[str, int]:
    """Move the organisation to another time zone: its members read every time there."""
    organisation = current_user.organisation
    if organisation is None:
        abort(404)
    form = OrganisationZoneForm()
    if not form.validate_on_submit():
        return _profile_page(organisation, _more_schools_form(organisation, formdata=None), form)
    organisation.timezone = form.timezone.data
    db.session.commit()
    flash(f"Your organisation now reads times in {form.timezone.data}.", "success")
    return redirect(url_for("organisations.profile"), 303)


@bp.get("/partners/verification")
@staff_required
def verification() -> str:
    """Organisations waiting for this school's check, and the ones already decided."""
    return _verification_page(DecisionForm())


def _verification_page(form: DecisionForm, failed: Partnership | None = None) -> str:
    school_id = current_user.school_id
    return render_template(
        "organisations/verification.html",
        pending=services.partnerships_for_school(school_id, VerificationStatus.PENDING),
        verified=services.partnerships_for_school(school_id, VerificationStatus.VERIFIED),
        declined=services.partnerships_for_school(school_id, VerificationStatus.DECLINED),
        form=form,
        failed=failed,
    )


@bp.post("/partners/verification/<int:partnership_id>/<any(verify, decline):decision>")
@staff_required
def decide(partnership_id: int, decision: str) -> Response | tuple[str, int]:
    """Verify or decline an organisation for this school."""
    partnership = load_or_404(Partnership, partnership_id, rules.can_decide_partnership)
    form = DecisionForm()
    if not form.validate_on_submit():
        return _verification_page(form, failed=partnership), 422
    services.decide(partnership, current_user, decision == "verify", form.note.data or "")
    db.session.commit()
    verb = "verified" if decision == "verify" else "declined"
    flash(f"{partnership.organisation.name} is {verb} for {partnership.school.name}.", "success")
    return redirect(url_for("organisations.verification"), 303)
