"""Files sent with messages: kept in the same `Storage` and checked by the same function as
project files (`projects.files`), so a message cannot carry what a project may not."""

from __future__ import annotations

import uuid

from flask import current_app
from werkzeug.datastructures import FileStorage

from ..extensions import db
from ..models import Message, MessageAttachment, User
from ..projects import files
from ..storage import StorageError, TooLarge, copy_stream, staging_key, storage
from .errors import AttachmentError


def attach(message: Message, user: User, upload: FileStorage) -> MessageAttachment:
    """Store one uploaded file on `message`, checked like a project file. A file that fails the
    checks leaves neither row nor object, and the message is refused (MessagingError)."""
    max_file = current_app.config["MAX_FILE_BYTES"]
    try:
        name = files.clean_filename(upload.filename or "")
        ext = files.extension(name)
        if ext not in files.ALLOWED:
            allowed = ", ".join(sorted(files.ALLOWED))
            raise files.FileRejected(f"“.{ext}” files are not accepted. Use one of: {allowed}.")
    except files.FileRejected as error:
        raise AttachmentError(str(error)) from None
    row = MessageAttachment(
        message_id=message.id,
        thread_id=message.thread_id,
        key=f"messages/{message.thread_id}/{uuid.uuid4().hex}.{ext}",
        filename=name,
        kind=files.ALLOWED[ext][0],
        uploaded_by_id=user.id,
    )
    db.session.add(row)
    db.session.flush()
    try:
        staged = storage().write(staging_key(row.key), copy_stream(upload.stream), max_file)
        if staged == 0:
            raise files.FileRejected("The file is empty.")
        row.size = staged
        files.verify_and_store(row)  # the one check shared with project files
    except (files.FileRejected, StorageError, TooLarge) as error:
        _discard(row)
        text = str(error) or f"The file is larger than {max_file // 1024 // 1024} MB."
        raise AttachmentError(text) from None
    return row


def _discard(row: MessageAttachment) -> None:
    try:
        files.delete_objects(row.key)
    finally:
        db.session.delete(row)
        db.session.flush()
