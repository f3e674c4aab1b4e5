"""Importing a spreadsheet of partners: upload, a preview of what would happen (each broken row
with its reason, the duplicates), then the import itself. Between the two the file waits in the
instance folder under a name made of the school and the file's hash (never in the page: a form
field holds at most 500 kB)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from ..extensions import db
from ..permissions import staff_required
from . import imports
from .outreach_forms import ConfirmImportForm, ImportForm
from .views import bp


def _stash(school_id: int, text: str) -> str:
    """Keep the decoded file until it is confirmed; its name (the key) is returned."""
    key = hashlib.sha256(f"{school_id}:{text}".encode()).hexdigest()
    folder = Path(current_app.instance_path) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{school_id}-{key}.csv").write_text(text, encoding="utf-8")
    return key


def _unstash(school_id: int, key: str) -> str | None:
    if len(key) != 64 or not all(c in "0123456789abcdef" for c in key):
        return None
    path = Path(current_app.instance_path) / "imports" / f"{school_id}-{key}.csv"
    return path.read_text(encoding="utf-8") if path.exists() else None


def _forget(school_id: int, key: str) -> None:
    (Path(current_app.instance_path) / "imports" / f"{school_id}-{key}.csv").unlink(missing_ok=True)


def _page(
    form: ImportForm,
    preview: imports.Preview | None = None,
    key: str = "",
    status: int = 200,
) -> tuple[str, int]:
    confirm = ConfirmImportForm(content=key)
    page = render_template("partners/import.html", form=form, preview=preview, confirm=confirm)
    return page, status


@bp.route("/import", methods=["GET", "POST"])
@staff_required
def import_file() -> tuple[str, int]:
    """Upload a CSV file of partners and see what importing it would do (nothing is saved)."""
    form = ImportForm()
    if not form.validate_on_submit():
        return _page(form, status=422 if request.method == "POST" else 200)
    school = current_user.school
    try:
        text = imports.decode(form.file.data.read(imports.MAX_BYTES + 1))
        preview = imports.read_text(text, school)
    except imports.ImportError_ as problem:
        form.file.errors = [str(problem)]
        return _page(form, status=422)
    return _page(form, preview, _stash(school.id, text))


@bp.post("/import/confirm")
@staff_required
def confirm_import() -> Response | tuple[str, int]:
    """Import the previewed file: the new partners, and new contacts of those already there."""
    confirm = ConfirmImportForm()
    school = current_user.school
    text = _unstash(school.id, confirm.content.data or "") if confirm.validate_on_submit() else None
    if text is None:
        flash("Upload the file again: the preview was lost.", "error")
        return redirect(url_for("partners.import_file"), 303)
    try:
        preview = imports.read_text(text, school)
    except imports.ImportError_ as problem:
        flash(str(problem), "error")
        return redirect(url_for("partners.import_file"), 303)
    outcome = imports.apply(preview, school, current_user)
    db.session.commit()
    _forget(school.id, confirm.content.data or "")
    flash(
        f"Imported: {outcome.added} new partner{'s' if outcome.added != 1 else ''}, "
        f"{outcome.contacts_added} new contact{'s' if outcome.contacts_added != 1 else ''}; "
        f"{outcome.unchanged} already in your network unchanged; "
        f"{len(preview.broken)} row{'s' if len(preview.broken) != 1 else ''} left out.",
        "success",
    )
    return redirect(url_for("partners.index"), 303)
