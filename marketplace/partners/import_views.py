"""Importing a spreadsheet of partners: upload, a preview of what would happen (each broken row
with its reason, the duplicates), then the import itself."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from ..extensions import db
from ..permissions import staff_required
from . import imports
from .forms import ConfirmImportForm, ImportForm
from .views import bp


def _page(
    form: ImportForm,
    preview: imports.Preview | None = None,
    content: str = "",
    status: int = 200,
) -> tuple[str, int]:
    confirm = ConfirmImportForm(content=content)
    page = render_template("partners/import.html", form=form, preview=preview, confirm=confirm)
    return page, status


@bp.route("/import", methods=["GET", "POST"])
@staff_required
def import_file() -> tuple[str, int]:
    """Upload a CSV file of partners and see what importing it would do (nothing is saved)."""
    form = ImportForm()
    if not form.validate_on_submit():
        return _page(form, status=422 if request.method == "POST" else 200)
    data = form.file.data.read(imports.MAX_BYTES + 1)
    try:
        preview = imports.read(data, current_user.school)
    except imports.ImportError_ as problem:
        form.file.errors = [str(problem)]
        return _page(form, status=422)
    return _page(form, preview, data.decode("utf-8-sig", errors="replace"))


@bp.post("/import/confirm")
@staff_required
def confirm_import() -> Response | tuple[str, int]:
    """Import the previewed file: the new partners, and new contacts of those already there."""
    confirm = ConfirmImportForm()
    if not confirm.validate_on_submit():
        flash("Upload the file again: the preview was lost.", "error")
        return redirect(url_for("partners.import_file"), 303)
    try:
        preview = imports.read((confirm.content.data or "").encode(), current_user.school)
    except imports.ImportError_ as problem:
        flash(str(problem), "error")
        return redirect(url_for("partners.import_file"), 303)
    outcome = imports.apply(preview, current_user.school, current_user)
    db.session.commit()
    flash(
        f"Imported: {outcome.added} new partner{'s' if outcome.added != 1 else ''}, "
        f"{outcome.contacts_added} new contact{'s' if outcome.contacts_added != 1 else ''}; "
        f"{outcome.unchanged} already in your network unchanged; "
        f"{len(preview.broken)} row{'s' if len(preview.broken) != 1 else ''} left out.",
        "success",
    )
    return redirect(url_for("partners.index"), 303)
