"""The partner network's pages for a school's staff: the list, a partner's record (contacts,
log, tasks, activities), and the follow-ups of the whole school."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from .. import clock
from ..clusters import CAREER_CLUSTERS
from ..extensions import db
from ..forms_common import EmptyForm, bounded_int, required
from ..models import (
    ActivityKind,
    PartnerContact,
    Partnership,
    PartnerSource,
    PartnerStage,
    TouchpointKind,
    utcnow,
)
from ..permissions import load_or_404, staff_required
from ..web import is_htmx
from . import log, project_links, queries, records, rules, tasks
from .forms import (
    ActivityForm,
    ContactForm,
    NewPartnerForm,
    RecordForm,
    StageForm,
    TaskForm,
    TouchpointForm,
)
from .outreach_forms import ListingForm, LogoForm

bp = Blueprint("partners", __name__, url_prefix="/partners")


def list_filters() -> queries.Filters:
    args = request.args
    stage = args.get("stage", "")
    return queries.Filters(
        q=args.get("q", "").strip()[:100],
        stage=PartnerStage(stage) if stage in set(PartnerStage) else None,
        cluster=args.get("cluster", "") if args.get("cluster") in CAREER_CLUSTERS else "",
        tag=args.get("tag", "").strip().lower()[:80],
        owner_id=args.get("owner", type=bounded_int),
        source=args.get("source", "") if args.get("source") in set(PartnerSource) else "",
        quiet_days=min(args.get("quiet", type=bounded_int) or 0, 3650) or None,
        sort=args.get("sort", "name") if args.get("sort") in queries.SORTS else "name",
    )


@bp.get("")
@staff_required
def index() -> str:
    """The school's partners, searched and filtered; htmx swaps the list alone."""
    filters = list_filters()
    listing, rows = queries.partner_page(
        current_user.school_id, filters, request.args.get("page", 1, type=bounded_int)
    )
    template = "partners/_list.html" if is_htmx() else "partners/index.html"
    return render_template(
        template,
        listing=listing,
        rows=rows,
        filters=filters,
        staff=rules.staff_of(current_user.school_id),
        stages=list(PartnerStage),
        sources=list(PartnerSource),
        clusters=CAREER_CLUSTERS,
    )


@bp.route("/new", methods=["GET", "POST"])
@staff_required
def new() -> Response | tuple[str, int]:
    """Add a prospect (or an organisation another school already knows) to the network."""
    form = NewPartnerForm()
    if form.validate_on_submit():
        record, created = records.add_partner(
            current_user.school,
            current_user,
            name=required(form.name.data),
            website=form.website.data or "",
            source=form.source.data or "",
            recommended_by=form.recommended_by.data or "",
        )
        if created:
            records.set_labels(record, "cluster", form.clusters.data or ())
            records.set_labels(record, "tag", records.parse_tags(form.tags.data or ""))
            record.notes = form.notes.data or ""
        db.session.commit()
        name = record.organisation.name
        flash(
            f"{name} is in your network as a prospect." if created
            else f"{name} was already in your network: here is its record.",
            "success" if created else "info",
        )  # fmt: skip
        return redirect(url_for("partners.show", partner_id=record.id), 303)
    status = 422 if request.method == "POST" else 200
    return render_template("partners/new.html", form=form), status


def _kinds() -> list[TouchpointKind]:
    wanted = request.args.getlist("kind")
    return [kind for kind in TouchpointKind if kind.value in wanted]


def record_page(record: Partnership, status: int = 200, **forms: Any) -> tuple[str, int]:
    staff = rules.staff_choices(record.school_id)
    today = clock.school_today(record.school)
    record_form = forms.get("record_form") or RecordForm(
        obj=record, owner=record.owner_id, clusters=record.clusters, tags=", ".join(record.tags)
    )
    record_form.owner.choices = [(None, "Nobody yet"), *staff]
    touch_form = forms.get("touch_form") or TouchpointForm(day=today)
    touch_form.contacts.choices = [(c.id, c.name) for c in record.contacts]
    task_form = forms.get("task_form") or TaskForm(assignee=current_user.id)
    task_form.assignee.choices = staff
    kinds = _kinds()
    page = request.args.get("page", 1, type=bounded_int)
    return render_template(
        "partners/show.html",
        record=record,
        organisation=record.organisation,
        entries=log.timeline(record, kinds, page),
        kinds=kinds,
        all_kinds=list(TouchpointKind),
        tasks=tasks.tasks_of(record),
        activities=log.activities_of(record),
        links=project_links.links_of(record),
        now=utcnow(),
        today=today,
        record_form=record_form,
        stage_form=forms.get("stage_form") or StageForm(stage=record.stage.value),
        contact_form=forms.get("contact_form") or ContactForm(),
        touch_form=touch_form,
        task_form=task_form,
        activity_form=forms.get("activity_form") or ActivityForm(held_on=today),
        listing_form=ListingForm(
            listed=record.listed, blurb=record.listing_blurb, consent=record.listing_consent
        ),
        logo_form=LogoForm(),
        form=EmptyForm(),
        open_section=forms.get("open_section", ""),
    ), status


def record_or_404(partner_id: int) -> Partnership:
    return load_or_404(Partnership, partner_id, rules.can_see_partner)


@bp.get("/<int:partner_id>")
@staff_required
def show(partner_id: int) -> tuple[str, int]:
    """A partner's record: stage, details, contacts, follow-ups, activities and the log."""
    record = record_or_404(partner_id)
    if is_htmx() and request.args.get("fragment") == "log":
        kinds = _kinds()
        page = request.args.get("page", 1, type=bounded_int)
        entries = log.timeline(record, kinds, page)
        return render_template(
            "partners/_log.html", record=record, entries=entries, kinds=kinds
        ), 200
    return record_page(record)


def back_to_record(record: Partnership, anchor: str = "") -> Response:
    return redirect(url_for("partners.show", partner_id=record.id) + anchor, 303)


@bp.post("/<int:partner_id>/record")
@staff_required
def update(partner_id: int) -> Response | tuple[str, int]:
    """Change the partner's source, recommender, owner, clusters, tags and private notes."""
    record = record_or_404(partner_id)
    form = RecordForm()
    form.owner.choices = [(None, "Nobody yet"), *rules.staff_choices(record.school_id)]
    if not form.validate_on_submit():
        return record_page(record, 422, record_form=form, open_section="record")
    try:
        records.update_record(
            record,
            current_user,
            owner_id=form.owner.data,
            source=form.source.data,
            recommended_by=form.recommended_by.data,
            notes=form.notes.data,
            clusters=form.clusters.data or [],
            tags=records.parse_tags(form.tags.data or ""),
        )
    except records.PartnerError as problem:
        db.session.rollback()
        form.owner.errors = [str(problem)]
        return record_page(record, 422, record_form=form, open_section="record")
    db.session.commit()
    flash("Saved.", "success")
    return back_to_record(record)


@bp.post("/<int:partner_id>/stage")
@staff_required
def set_stage(partner_id: int) -> Response | tuple[str, int]:
    """Set the partner's stage by hand."""
    record = record_or_404(partner_id)
    form = StageForm()
    if not form.validate_on_submit():
        return record_page(record, 422, stage_form=form)
    records.set_stage(record, current_user, PartnerStage(form.stage.data))
    db.session.commit()
    flash(f"Stage: {record.stage.label}.", "success")
    return back_to_record(record)


def _contact_fields(form: ContactForm) -> dict[str, object]:
    return {
        "name": required(form.name.data),
        "title": form.title.data or "",
        "email": form.email.data or "",
        "phone": form.phone.data or "",
        "channel": form.channel.data,
        "do_not_contact": bool(form.do_not_contact.data),
    }


@bp.post("/<int:partner_id>/contacts")
@staff_required
def add_contact(partner_id: int) -> Response | tuple[str, int]:
    """Add a person at the partner."""
    record = record_or_404(partner_id)
    form = ContactForm()
    if not form.validate_on_submit():
        return record_page(record, 422, contact_form=form, open_section="contact")
    contact = records.add_contact(record, current_user, **_contact_fields(form))
    db.session.commit()
    flash(f"{contact.name} added.", "success")
    return back_to_record(record, "#contacts")


@bp.route("/contacts/<int:contact_id>", methods=["GET", "POST"])
@staff_required
def edit_contact(contact_id: int) -> Response | tuple[str, int]:
    """Change a contact's details (or mark them "do not contact")."""
    contact = load_or_404(PartnerContact, contact_id, rules.can_see_contact)
    form = ContactForm(obj=contact)
    if form.validate_on_submit():
        records.update_contact(contact, current_user, **_contact_fields(form))
        db.session.commit()
        flash(f"{contact.name} saved.", "success")
        return back_to_record(contact.partnership, "#contacts")
    status = 422 if request.method == "POST" else 200
    return render_template("partners/contact.html", form=form, contact=contact), status


@bp.post("/<int:partner_id>/log")
@staff_required
def add_entry(partner_id: int) -> Response | tuple[str, int]:
    """Log a call, e-mail, meeting, event or note in a few seconds."""
    record = record_or_404(partner_id)
    form = TouchpointForm()
    form.contacts.choices = [(c.id, c.name) for c in record.contacts]
    if not form.validate_on_submit():
        return record_page(record, 422, touch_form=form)
    chosen = set(form.contacts.data or ())
    log.log_by_hand(
        record,
        current_user,
        TouchpointKind(form.kind.data),
        required(form.day.data),
        required(form.summary.data),
        [c for c in record.contacts if c.id in chosen],
    )
    db.session.commit()
    flash("Logged.", "success")
    return back_to_record(record, "#log")


@bp.post("/<int:partner_id>/activities")
@staff_required
def add_activity(partner_id: int) -> Response | tuple[str, int]:
    """Record a guest talk, a career day, a mock interview … with this partner."""
    record = record_or_404(partner_id)
    form = ActivityForm()
    if not form.validate_on_submit():
        return record_page(record, 422, activity_form=form, open_section="activity")
    log.add_activity(
        record,
        current_user,
        ActivityKind(form.kind.data),
        required(form.held_on.data),
        form.students_reached.data or 0,
        float(form.hours.data or 0),
        form.note.data or "",
    )
    db.session.commit()
    flash("Activity recorded.", "success")
    return back_to_record(record, "#activities")
