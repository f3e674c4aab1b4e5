"""Writing to a partner's contact, offering them a project by a signed link, and the pages those
people open without an account: the project, "I'm interested", and unsubscribe."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from ..extensions import csrf, db
from ..forms_common import EmptyForm, required
from ..markdown import render_kept
from ..models import PartnerContact, ProjectLink
from ..permissions import load_or_404, staff_required
from . import outreach, project_links, rules
from .outreach_forms import InterestForm, OfferProjectForm, WriteForm
from .views import bp


def _contact(contact_id: int) -> PartnerContact:
    return load_or_404(PartnerContact, contact_id, rules.can_see_contact)


OFFER_NOTE = (
    "Dear {{ first_name }},\n\nOne of our student teams built something I think "
    "{{ organisation }} would find interesting. You can look at it here, no account needed, "
    "and tell us if you would like to talk to the team.\n\nWith thanks,\n{{ sender }}"
)


def _write_page(
    contact: PartnerContact, form: WriteForm, preview: tuple[str, str] | None, status: int
) -> tuple[str, int]:
    page = render_template("partners/write.html", contact=contact, form=form, preview=preview)
    return page, status


def _to_record(contact: PartnerContact, anchor: str) -> Response:
    return redirect(url_for("partners.show", partner_id=contact.partnership_id) + anchor, 303)


def _unreachable(contact: PartnerContact) -> Response:
    flash(f"{contact.name} cannot be e-mailed: {contact.why_not_mailed}.", "error")
    return _to_record(contact, "#contacts")


@bp.route("/contacts/<int:contact_id>/write", methods=["GET", "POST"])
@staff_required
def write(contact_id: int) -> Response | tuple[str, int]:
    """Write an e-mail to a contact from a template, preview it with the merge fields filled
    in, and send it through the outbox (logged on the partner's record)."""
    contact = _contact(contact_id)
    school_id = contact.partnership.school_id
    choices = outreach.templates_for(school_id)
    form = WriteForm()
    form.template.choices = [(t.key, t.name) for t in choices]
    if request.method == "GET":
        chosen = outreach.template(school_id, request.args.get("template", "")) or choices[0]
        form.template.data = chosen.key
        form.subject.data, form.body.data = chosen.subject, chosen.body
    if not contact.reachable_by_mail:
        return _unreachable(contact)
    if request.method == "GET" or not form.validate_on_submit():
        return _write_page(contact, form, None, 200 if request.method == "GET" else 422)
    subject, body = required(form.subject.data), required(form.body.data)
    problem = outreach.merge_problem(subject + body)
    if problem:
        form.body.errors = [problem]
        return _write_page(contact, form, None, 422)
    if "preview" in request.form:
        merged = (
            outreach.merge(subject, contact, current_user),
            outreach.merge(body, contact, current_user),
        )
        return _write_page(contact, form, merged, 200)
    if form.save_as.data:
        outreach.save_template(school_id, current_user, form.save_as.data, subject, body)
    try:
        outreach.send(contact, current_user, subject, body)
    except outreach.OutreachError as problem:
        db.session.rollback()
        form.body.errors = [str(problem)]
        return _write_page(contact, form, None, 422)
    db.session.commit()
    flash(f"Sent to {contact.name}, and logged.", "success")
    return _to_record(contact, "#log")


@bp.route("/contacts/<int:contact_id>/offer", methods=["GET", "POST"])
@staff_required
def offer_project(contact_id: int) -> Response | tuple[str, int]:
    """Offer one published project to a contact by a signed link (no account needed)."""
    contact = _contact(contact_id)
    projects = project_links.offerable_projects(contact.partnership.school_id)
    form = OfferProjectForm()
    form.project.choices = [(p.id, f"{p.title} — {p.team.name}") for p in projects]
    if request.method == "GET":
        form.message.data = OFFER_NOTE
    if not contact.reachable_by_mail:
        return _unreachable(contact)
    if form.validate_on_submit():
        chosen = next(p for p in projects if p.id == form.project.data)
        note = required(form.message.data)
        problem = outreach.merge_problem(note)
        if problem:
            form.message.errors = [problem]
        else:
            try:
                project_links.offer(contact, current_user, chosen, note, required(form.days.data))
            except (project_links.LinkError, outreach.OutreachError) as problem:
                db.session.rollback()
                form.project.errors = [str(problem)]
            else:
                db.session.commit()
                flash(f"“{chosen.title}” sent to {contact.name}: see when they open it.", "success")
                return _to_record(contact, "#links")
    status = 422 if request.method == "POST" else 200
    return render_template(
        "partners/offer.html", contact=contact, form=form, projects=projects
    ), status


@bp.post("/links/<int:link_id>/revoke")
@staff_required
def revoke_link(link_id: int) -> Response:
    """Withdraw a project link: it stops opening at once."""
    link = load_or_404(ProjectLink, link_id, rules.can_see_link)
    project_links.revoke(link, current_user)
    db.session.commit()
    flash("The link is withdrawn: it no longer opens.", "success")
    return redirect(url_for("partners.show", partner_id=link.partnership_id) + "#links", 303)


def _link_or_404(token: str) -> ProjectLink:
    link = project_links.link_from(token)
    if link is None:
        abort(404)
    return link


@bp.route("/project/<token>", methods=["GET", "POST"])
def project_link(token: str) -> Response | tuple[str, int]:
    """A project offered by a school, opened from the e-mail: what an employer may see of it,
    and "I'm interested". No account needed; refused once expired or withdrawn."""
    link = _link_or_404(token)
    problem = project_links.problem(link)
    if problem:
        return render_template("partners/project_link.html", link=link, problem=problem), 410
    form = InterestForm()
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                if project_links.interested(link, form.note.data or ""):
                    db.session.commit()
            except project_links.LinkError as problem:
                db.session.rollback()
                page = render_template("partners/project_link.html", link=link, problem=problem)
                return page, 410
            return redirect(url_for("partners.project_link", token=token), 303)
        status = 422
    else:
        project_links.opened(link)
        db.session.commit()
        status = 200
    return render_template(
        "partners/project_link.html",
        link=link,
        project=link.project,
        body=render_kept(link.project.body),
        form=form,
        problem="",
    ), status


def _contact_of(token: str) -> PartnerContact:
    contact = outreach.contact_from(token)
    if contact is None:
        abort(404)
    return contact


@bp.get("/unsubscribe/<token>")
def confirm_unsubscribe(token: str) -> str:
    """The unsubscribe link opened in a browser: a button to confirm (a GET changes nothing)."""
    contact = _contact_of(token)
    return render_template(
        "partners/unsubscribe.html", contact=contact, token=token, done=False, form=EmptyForm()
    )


@bp.post("/unsubscribe/<token>")
@csrf.exempt  # RFC 8058: mail clients post it without a token; it can only stop mail
def unsubscribe(token: str) -> str:
    """No more e-mail from the school to this contact, from now on."""
    contact = _contact_of(token)
    outreach.unsubscribe(contact)
    db.session.commit()
    return render_template(
        "partners/unsubscribe.html", contact=contact, token=token, done=True, form=EmptyForm()
    )
