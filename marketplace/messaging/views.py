"""Pages of threads: the inbox, a thread (polled by htmx), posting, and attachments."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response

from ..engagements.views import engagement_or_404
from ..extensions import db, limiter
from ..forms_common import bounded_int
from ..markdown import render_markdown
from ..models import (
    EngagementStatus,
    Message,
    MessageAttachment,
    MessageState,
    Organisation,
    Thread,
)
from ..permissions import load_or_404, require, staff_required
from ..storage import StorageError, storage
from ..web import is_htmx
from . import queries, rules, service
from .errors import AttachmentError, MessagingError
from .forms import MessageForm, NewThreadForm

bp = Blueprint("messaging", __name__)
bp.add_app_template_global(render_markdown, "render_markdown")


def message_id(value: str) -> int:
    """A message id from the page (the poll's position): 0 when out of range."""
    number = int(value)
    return number if 0 <= number < 2**63 else 0


@bp.get("/messages")
@login_required
def inbox() -> str:
    """The user's threads, newest activity first, with unread counts."""
    return render_template(
        "messaging/inbox.html",
        rows=queries.inbox(current_user),
        subject=service.thread_subject,
    )


def _page_context(thread: Thread, form: MessageForm, messages: list) -> dict:
    engagement = thread.engagement
    closed = engagement is not None and engagement.status is EngagementStatus.CLOSED
    return dict(
        thread=thread,
        subject=service.thread_subject(thread),
        messages=messages,
        last_id=messages[-1].id if messages else 0,
        form=form,
        may_post=rules.is_participant(thread, current_user) and not closed,
        closed=closed,
        moderator=rules.is_moderator(thread, current_user),
    )


@bp.get("/messages/<int:thread_id>")
@login_required
def thread(thread_id: int) -> str | tuple[str, int]:
    """A thread, oldest first; opening it marks it read. With `after` (the htmx poll) only the
    newer messages the viewer may see, as a fragment."""
    thread = load_or_404(Thread, thread_id, rules.can_read)
    after = request.args.get("after", type=message_id)
    if after is not None and is_htmx():
        return _newer(thread, after)
    messages = service.visible_to(current_user, thread)
    if messages:
        queries.mark_read(thread, current_user, messages[-1].id)
    db.session.commit()
    return render_template(
        "messaging/thread.html",
        **_page_context(thread, MessageForm.for_thread(thread, formdata=None), messages),
    )


def _newer(thread: Thread, after: int, form: MessageForm | None = None, notice: str = "") -> str:
    """The fragment appended by the poll (and by posting): newer messages, the poller with the
    new position, and (after posting) the compose form swapped out of band."""
    since = queries.read_at(thread, current_user)
    messages = service.visible_to(current_user, thread, after=after, released_since=since)
    last_id = max([after, *(m.id for m in messages)])
    if messages:
        queries.mark_read(thread, current_user, last_id)
    db.session.commit()
    return render_template(
        "messaging/_newer.html",
        thread=thread,
        messages=messages,
        last_id=last_id,
        form=form,
        notice=notice,
        may_post=True,
        moderator=rules.is_moderator(thread, current_user),
    )


def _sender_key() -> str:
    return f"message-sender:{current_user.get_id()}"


def _thread_key() -> str:
    return f"message-thread:{current_user.get_id()}:{(request.view_args or {}).get('thread_id')}"


@bp.post("/messages/<int:thread_id>")
@login_required
@limiter.limit(lambda: current_app.config["MESSAGE_LIMIT_PER_THREAD"], key_func=_thread_key)
@limiter.limit(lambda: current_app.config["MESSAGE_LIMIT_PER_SENDER"], key_func=_sender_key)
def post(thread_id: int) -> Response | str | tuple[str, int]:
    """Write into a thread: htmx appends the message and clears the form; without JavaScript a
    POST-redirect-GET. A refusal keeps what was typed."""
    thread = load_or_404(Thread, thread_id, rules.can_read)
    require(rules.is_participant, thread, status=403)  # staff read; the people in it write
    form = MessageForm.for_thread(thread)
    after = request.form.get("after", type=message_id)  # the last one the page shows (htmx)
    message = None
    if form.validate():
        upload = form.file.data
        files = [upload] if isinstance(upload, FileStorage) and upload.filename else []
        try:
            message = service.post_message(thread, current_user, form.body.data or "", files)
        except MessagingError as refusal:
            db.session.rollback()
            target = form.file if isinstance(refusal, AttachmentError) else form.body
            target.errors = [*target.errors, str(refusal)]
        else:
            db.session.commit()
    notice = _notice(message)
    if is_htmx():
        fresh = MessageForm.for_thread(thread, formdata=None) if message is not None else form
        return _newer(thread, after if after is not None else 0, fresh, notice)
    if message is not None:
        flash(notice or "Sent.", "info" if notice else "success")
        return redirect(url_for("messaging.thread", thread_id=thread.id) + "#compose", 303)
    messages = service.visible_to(current_user, thread)
    return render_template("messaging/thread.html", **_page_context(thread, form, messages)), 422


def _notice(message: Message | None) -> str:
    """What the sender is told when their message is held."""
    if message is None or message.state is not MessageState.HELD:
        return ""
    who = "your teacher" if current_user.is_student else "the team's teacher"
    reason = message.hold_reason
    return f"Held for {who}: {reason[:1].lower()}{reason[1:]}"


@bp.get("/engagements/<int:engagement_id>/messages")
@login_required
def engagement_thread(engagement_id: int) -> Response:
    """The engagement's thread, created on first use, for those who may read it."""
    engagement = engagement_or_404(engagement_id)
    require(rules.may_read_engagement, engagement)
    thread = service.engagement_thread(engagement, current_user)
    db.session.commit()
    return redirect(url_for("messaging.thread", thread_id=thread.id), 303)


@bp.route("/messages/new", methods=["GET", "POST"])
@staff_required
def new_thread() -> Response | tuple[str, int]:
    """Staff write to an organisation in their school's relationship channel (no students)."""
    form = NewThreadForm()
    partners = queries.school_partners(current_user.school_id)
    readers = queries.organisations_with_readers([o.id for o in partners])
    form.organisation.choices = [(None, "Choose an organisation")] + [
        (o.id, o.name if o.id in readers else f"{o.name} (nobody there has an account yet)")
        for o in partners
    ]
    chosen = request.args.get("organisation", type=bounded_int)
    if request.method == "GET" and chosen:
        form.organisation.data = chosen
    if form.validate_on_submit():
        organisation = db.session.get(Organisation, form.organisation.data or 0)
        if organisation is None or organisation not in partners:
            form.organisation.errors = ["Choose one of your school's organisations."]
        else:
            thread = service.school_thread(
                current_user.school_id, organisation, current_user, form.subject.data or ""
            )
            try:
                service.post_message(thread, current_user, form.body.data or "")
            except MessagingError as refusal:
                db.session.rollback()
                form.body.errors = [str(refusal)]
            else:
                db.session.commit()
                if organisation.id in readers:
                    flash("Sent.", "success")
                else:  # a prospect: kept in the channel, but not "sent" to anyone
                    flash(
                        f"Saved in your school's conversation with {organisation.name}, but "
                        f"nobody there can read it yet: no one at {organisation.name} has an "
                        "account. E-mail its contacts from its record in the partner network "
                        "(the mail reaches them, and is logged); they read this here "
                        "once they join.",
                        "info",
                    )
                return redirect(url_for("messaging.thread", thread_id=thread.id), 303)
    status = 422 if request.method == "POST" else 200
    return render_template("messaging/new.html", form=form, partners=partners), status


@bp.get("/messages/attachments/<int:attachment_id>")
@login_required
def download(attachment_id: int) -> Response:
    """A short-lived link to a message's file, for those who may read the message."""
    row = load_or_404(MessageAttachment, attachment_id, rules.can_download)
    try:
        return redirect(storage().download_url(row.key, row.filename), 303)
    except StorageError as error:
        flash(str(error), "error")
        return redirect(url_for("messaging.thread", thread_id=row.thread_id), 303)
