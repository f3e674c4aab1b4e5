"""The school's public partner page and the logos on it (no login), and the listing's consent:
recorded by staff, or given by a member of the organisation."""

from __future__ import annotations

import contextlib

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from ..extensions import db
from ..forms_common import flash_errors
from ..models import Partnership
from ..permissions import employer_required, load_or_404, require, staff_required
from ..storage import StorageError, storage
from . import listing, rules
from .outreach_forms import ListingForm, LogoForm, MemberListingForm
from .views import bp

public_bp = Blueprint("partner_page", __name__)
PAGE_MAX_AGE = 300  # seconds a browser or a proxy may keep the page before asking again


@public_bp.get("/schools/<slug>/partners")
def page(slug: str) -> Response:
    """The school's partners who agreed to be listed, and its open challenges; cacheable."""
    found = listing.public_page(slug)
    if found is None:
        abort(404)
    # The page's nav differs for a signed-in reader: their copy is their own.
    reader = current_user.get_id() if current_user.is_authenticated else None
    etag = f"{found.etag}-{reader}" if reader else found.etag
    response = Response(status=200)
    response.set_etag(etag)
    # A signed-in reader's copy (their name in the nav) is kept nowhere: a school computer
    # is shared.
    response.headers["Cache-Control"] = (
        "private, no-store" if reader else f"public, max-age={PAGE_MAX_AGE}"
    )
    response.vary.add("Cookie")
    if request.if_none_match.contains(etag):
        response.status_code = 304
        return response
    response.set_data(render_template("partners/public.html", page=found))
    response.mimetype = "text/html"
    return response


@public_bp.get("/logos/<int:partner_id>/<name>")
def logo(partner_id: int, name: str) -> Response:
    """A partner's logo as a school shows it (its name carries its hash: cached for a year)."""
    record = db.session.get(Partnership, partner_id)
    if record is None or not record.logo_key or not record.logo_key.endswith(f"/{name}"):
        abort(404)
    try:
        with storage().open(record.logo_key) as handle:
            data = handle.read()
    except (StorageError, FileNotFoundError, OSError):
        abort(404)
    response = Response(data, mimetype="image/png")
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    return response


@bp.post("/<int:partner_id>/listing")
@staff_required
def set_listing(partner_id: int) -> Response:
    """List (or unlist) the partner on the public page, with how and when they agreed."""
    record = load_or_404(Partnership, partner_id, rules.can_see_partner)
    form = ListingForm()
    if form.validate_on_submit():
        try:
            listing.set_listing(
                record,
                current_user,
                listed=bool(form.listed.data),
                blurb=form.blurb.data or "",
                consent=form.consent.data or "",
                consented_on=form.consented_on.data,
            )
        except listing.ListingError as problem:
            flash(str(problem), "error")
        else:
            db.session.commit()
            flash(
                "Listed on your public partner page." if record.listed else "Not listed.", "success"
            )
    else:
        flash_errors(form)
    return redirect(url_for("partners.show", partner_id=record.id) + "#listing", 303)


@bp.post("/<int:partner_id>/logo")
@staff_required
def upload_logo(partner_id: int) -> Response:
    """Upload the partner's logo (checked, resized to the standard height, stored)."""
    record = load_or_404(Partnership, partner_id, rules.can_see_partner)
    form = LogoForm()
    if form.validate_on_submit():
        data = form.logo.data.read(listing.LOGO_MAX_BYTES + 1)
        try:
            replaced = listing.save_logo(record, data)
        except listing.ListingError as problem:
            db.session.rollback()
            flash(str(problem), "error")
        else:
            db.session.commit()
            if replaced:  # only once the new one is committed
                with contextlib.suppress(StorageError):
                    storage().delete(replaced)
            flash("Logo saved.", "success")
    else:
        flash_errors(form)
    return redirect(url_for("partners.show", partner_id=record.id) + "#listing", 303)


@bp.post("/listing/<int:partner_id>/consent")
@employer_required
def member_consent(partner_id: int) -> Response:
    """A member of the organisation agrees (or stops agreeing) to be on a school's page."""
    record = load_or_404(Partnership, partner_id)
    require(rules.can_consent_to_listing, record)
    form = MemberListingForm()
    if form.validate_on_submit():
        agree = bool(form.listed.data)
        listing.consent_by_member(record, current_user, agree, form.blurb.data or "")
        db.session.commit()
        flash(
            f"{record.school.name} may list you on its partner page."
            if agree
            else f"{record.school.name} may not list you: it no longer does.",
            "success",
        )
    return redirect(url_for("organisations.profile"), 303)
