"""Uploading, downloading and removing project files."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    request,
    send_file,
    url_for,
)
from flask_login import current_user, login_required
from itsdangerous import BadSignature
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response

from ..extensions import db
from ..models import PitchRole, Project, ProjectFile
from ..permissions import load_or_404, require, student_required
from ..storage import (
    MEDIA_EXPIRES,
    STAGING,
    LocalStorage,
    StorageError,
    TooLarge,
    content_disposition,
    storage,
)
from ..web import commit_or_refuse
from . import files, pitch, rules
from .file_kinds import human_size

bp = Blueprint("files", __name__)


def _problem(message: str, status: int = 422) -> tuple[Response, int]:
    return jsonify(error=message), status


def _editable(project_id: int) -> Project:
    project = load_or_404(Project, project_id, rules.can_view)
    require(rules.can_edit, project, status=403)
    return project


@bp.post("/projects/<int:project_id>/files")
@student_required
def start(project_id: int) -> tuple[Response, int]:
    """Begin an upload: a pending row and a short-lived target for the browser (JSON)."""
    project = _editable(project_id)
    try:
        size = int(request.form.get("size", "0"))
    except ValueError:
        return _problem("The file size is missing.")
    try:
        row, target = files.start_upload(
            project, current_user, request.form.get("filename", ""), size
        )
    except files.FileRejected as error:
        return _problem(str(error))
    except StorageError as error:
        db.session.rollback()
        return _problem(str(error), 503)
    db.session.commit()
    return jsonify(
        id=row.id,
        method=target.method,
        url=target.url,
        fields=target.fields,
        complete=url_for("files.complete", file_id=row.id),
    ), 201


@bp.put("/files/upload/<token>")
@student_required
def receive(token: str) -> tuple[Response, int] | tuple[str, int]:
    """Local mode: the signed target of a pending upload; the body (at most the size that was
    announced) is streamed in chunks to the file's staging key, never to the key served."""
    if not isinstance(storage(), LocalStorage):
        abort(404)
    try:
        key, max_bytes = LocalStorage.read_upload_token(token)
    except BadSignature:
        return _problem("This upload link has expired; start the upload again.", 403)
    too_large = f"The file is larger than the {human_size(max_bytes)} announced."
    if (request.content_length or 0) > max_bytes:
        return _problem(too_large, 413)  # refused before a byte is read
    request.max_content_length = max_bytes
    try:
        files.receive(key, request.stream, max_bytes)
    except files.UploadClosed as error:
        return _problem(str(error), 410 if error.gone else 409)
    except (TooLarge, RequestEntityTooLarge):
        return _problem(too_large, 413)
    return "", 204


@bp.post("/files/<int:file_id>/complete")
@student_required
def complete(file_id: int) -> tuple[Response, int]:
    """Check what arrived; keep it, or delete it and say why (JSON)."""
    row = load_or_404(ProjectFile, file_id, rules.can_change_files)
    try:
        files.complete_upload(row, current_user)
    except (files.FileRejected, StorageError) as error:
        db.session.commit()  # the discarded row and object stay discarded
        return _problem(str(error))
    db.session.commit()
    roles = [
        {
            "role": role.value,
            "label": f"Use as {pitch.ROLE_LABELS[role]}",
            "url": url_for("files.choose_role", file_id=row.id, role=role.value),
        }
        for role in pitch.roles_for(row)
    ]
    return jsonify(
        id=row.id,
        filename=row.filename,
        size=row.size,
        size_label=human_size(row.size),
        download=url_for("files.download", file_id=row.id),
        remove=url_for("files.delete", file_id=row.id),
        roles=roles,
    ), 200


@bp.post("/projects/<int:project_id>/files/form")
@student_required
def upload_form(project_id: int) -> Response:
    """Without JavaScript: the whole file in one form post, checked the same way."""
    project = _editable(project_id)
    upload = request.files.get("file")
    back = redirect(url_for("projects.show", project_id=project.id), 303)
    if upload is None or not upload.filename:
        flash("Choose a file first.", "error")
        return back
    upload.stream.seek(0, 2)
    size = upload.stream.tell()
    upload.stream.seek(0)
    try:
        row = files.upload_whole(project, current_user, upload.filename, upload.stream, size)
    except (files.FileRejected, StorageError) as error:
        db.session.commit()  # the discarded row and object stay discarded
        flash(str(error), "error")
        return back
    db.session.commit()
    flash(f"{row.filename} is added.", "success")
    return back


@bp.get("/files/<int:file_id>")
@login_required
def download(file_id: int) -> Response:
    """Anyone who may see the project gets a short-lived link to the file."""
    row = load_or_404(ProjectFile, file_id, rules.can_download)
    try:
        return redirect(storage().download_url(row.key, row.filename), 303)
    except StorageError as error:
        flash(str(error), "error")
        return redirect(url_for("projects.show", project_id=row.project_id), 303)


@bp.get("/files/download/<token>")
def serve(token: str) -> Response:
    """Local mode: the signed, short-lived download link; always an attachment."""
    local = storage()
    if not isinstance(local, LocalStorage):  # S3 hands out its own signed links
        abort(404)
    try:
        key, filename = LocalStorage.read_download_token(token)
    except BadSignature:
        abort(404)
    if key.startswith(STAGING) or local.size(key) is None:  # staged bytes are never served
        abort(404)
    response = send_file(local.path(key), mimetype="application/octet-stream", max_age=0)
    response.headers["Content-Disposition"] = content_disposition(filename)
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@bp.get("/media/<token>")
def media(token: str) -> Response:
    """Local mode: a signed media link (an image, a video, a captions track), shown in the page
    rather than downloaded; byte ranges are answered (206), so a video can be sought."""
    local = storage()
    if not isinstance(local, LocalStorage):  # S3 hands out its own signed links
        abort(404)
    try:
        key, content_type = LocalStorage.read_media_token(token)
    except BadSignature:
        abort(404)
    if key.startswith(STAGING) or local.size(key) is None:
        abort(404)
    response = send_file(
        local.path(key), mimetype=content_type, conditional=True, max_age=MEDIA_EXPIRES
    )
    response.headers["Content-Disposition"] = "inline"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.cache_control.public = False
    response.cache_control.private = True
    return response


@bp.post("/files/<int:file_id>/pitch/<any(cover, deck, video, captions):role>")
@student_required
def choose_role(file_id: int, role: str) -> Response:
    """A team member puts a file forward as the project's cover, deck, video or captions."""
    row = load_or_404(ProjectFile, file_id, rules.can_change_files)
    chosen = PitchRole(role)
    commit_or_refuse(
        lambda: pitch.choose(row, chosen, current_user),
        pitch.PitchError,
        f"{row.filename} is now the {pitch.ROLE_LABELS[chosen]}.",
    )
    return redirect(url_for("projects.show", project_id=row.project_id, _anchor="pitch"), 303)


@bp.post("/files/<int:file_id>/pitch/none")
@student_required
def step_back(file_id: int) -> Response:
    """The file is no longer part of the pitch; it stays among the project's files."""
    row = load_or_404(ProjectFile, file_id, rules.can_change_files)
    was = row.pitch_role
    pitch.step_back(row, current_user)
    db.session.commit()
    if was is not None:
        flash(f"{row.filename} is no longer the {pitch.ROLE_LABELS[was]}.", "success")
    return redirect(url_for("projects.show", project_id=row.project_id, _anchor="pitch"), 303)


@bp.post("/files/<int:file_id>/delete")
@student_required
def delete(file_id: int) -> Response:
    """A team member removes a file while the project can be edited."""
    row = load_or_404(ProjectFile, file_id, rules.can_change_files)
    try:
        files.delete_file(row, current_user)
    except StorageError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(f"{row.filename} is removed.", "success")
    return redirect(url_for("projects.show", project_id=row.project_id), 303)
