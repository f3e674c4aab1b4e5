"""What the bell says when something happens: one subscriber per event of `marketplace.events`.

Each decides who hears of it and in what words, and calls `notify()` (the bell, and mail per each
person's preference) in the transaction of the change. A new feature that wants people told
announces an event; the words live here.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from .. import clock
from ..engagements import story
from ..events import (
    EngagementMoved,
    EntryWithdrawn,
    EventChanged,
    EventLead,
    MessageFlagged,
    MessageHeld,
    MessageRejected,
    MessageShown,
    PartnershipDecided,
    PresenterDeclined,
    PresenterEntered,
    ProjectReviewed,
    QuestionAnswered,
    QuestionAsked,
    ResultsReleased,
    TeamJoinAnswered,
    TeamJoinAsked,
    subscribe,
)
from ..extensions import db
from ..messaging.moderation import moderation_queue_link, thread_link
from ..messaging.service import message_excerpt, message_link, thread_subject
from ..models import (
    MailState,
    Message,
    MessageState,
    Notification,
    NotificationMail,
    OutgoingMail,
    User,
    utcnow,
)
from ..privacy import name_for
from .service import notify


def engagement_moved(moved: EngagementMoved) -> None:
    """Everyone concerned by a ladder step hears of it, but whoever took it."""
    engagement, event, actor = moved.engagement, moved.timeline, moved.actor
    title = engagement.project.title
    told: set[int] = set()
    for person in moved.audience:
        if person.id in told or (actor is not None and person.id == actor.id) or not person.active:
            continue
        told.add(person.id)
        said = story.sentence(event, person)
        notify(
            person,
            kind=event.action.replace(" ", "_"),
            subject=moved.subject or f"{said} ({title})",
            body=f"{said} — {title}. {event.detail}".strip(),
            link=f"/engagements/{engagement.id}",
            event_id=event.id,
            key=f"event-{event.id}-user-{person.id}",
        )


def team_join_asked(asked: TeamJoinAsked) -> None:
    """The team's students and teacher hear that someone asks to join, and may answer."""
    request = asked.request
    team, student = request.team, request.student
    for person in asked.audience:
        notify(
            person,
            kind="team_join_asked",
            subject=f"{name_for(person, student)} asks to join {team.name}",
            body="Accept or decline on the team's page.",
            link=f"/teams/{team.id}#join-requests",
            key=f"team-join-{request.id}-user-{person.id}",
        )


def team_join_answered(answer: TeamJoinAnswered) -> None:
    """The student hears whether they are on the team."""
    team, student = answer.team, answer.student
    outcome = "accepted" if answer.accepted else "declined"
    notify(
        student,
        kind=f"team_join_{outcome}",
        subject=(
            f"You are on {team.name}" if answer.accepted else f"{team.name} did not take you on"
        ),
        body=f"{name_for(student, answer.decider)} {outcome} your request to join {team.name}.",
        link=f"/teams/{team.id}",
        key=f"team-join-{team.id}-{student.id}-{outcome}-{utcnow():%Y%m%d%H%M%S%f}",
    )


def project_reviewed(review: ProjectReviewed) -> None:
    """The team hears that its project is published, or back for changes."""
    project, published = review.project, review.published
    outcome = "published" if published else "changes_requested"
    for member in project.team.members:
        if not member.active:
            continue
        notify(
            member,
            kind="project_published" if published else "changes_requested",
            subject=f"“{project.title}” is {'published' if published else 'back for changes'}",
            body=(
                "Employers verified by your school can now see it."
                if published
                else f"Your teacher asked for changes:\n\n{review.comment.strip()}"
            ),
            link=f"/projects/{project.id}",
            key=f"project-{review.snapshot.id}-{outcome}-user-{member.id}",
        )


def partnership_decided(decision: PartnershipDecided) -> None:
    """The organisation's members hear whether the school verified it."""
    partnership, verified = decision.partnership, decision.verified
    school, organisation = partnership.school.name, partnership.organisation.name
    outcome = (
        f"{school} verified {organisation}. You can now work with its students' projects."
        if verified
        else f"{school} did not verify {organisation}."
    )
    note_line = f"\n\nNote from the school: {decision.note}" if decision.note else ""
    stamp = partnership.decided_at.strftime("%Y%m%d%H%M%S%f") if partnership.decided_at else ""
    for member in partnership.organisation.members:
        if not member.active:
            continue
        notify(
            member,
            kind="organisation_verified" if verified else "organisation_declined",
            subject=f"{school} {'verified' if verified else 'did not verify'} {organisation}",
            body=outcome + note_line,
            link="/organisation",
            key=(
                f"partnership-{partnership.id}-{partnership.status.value}-{stamp}-user-{member.id}"
            ),
        )


def message_held(held: MessageHeld) -> None:
    """The team's teacher hears that a message waits for them."""
    message = held.message
    for teacher in held.teachers:
        notify(
            teacher,
            kind="message_held",
            subject="A message is waiting for you",
            body=(
                f"{name_for(teacher, message.author)} wrote in “{thread_subject(message.thread)}”. "
                f"{message.hold_reason} Release it or reject it with a reason."
            ),
            key=f"message-held-{message.id}-user-{teacher.id}",
            link=message_link(message),
        )


def message_shown(shown: MessageShown) -> None:
    """Everyone in the thread but the author (and the teacher who released it, who has read it)
    hears of a visible message, the sender named as each may see them; a released message's
    author hears it went."""
    message, reviewer = shown.message, shown.reviewer
    author = message.author
    for person in shown.audience:
        if person.id in (author.id, reviewer.id if reviewer else None):
            continue
        if _fold_into_unread(message, person):
            continue
        notify(
            person,
            kind="message",
            subject=f"New message from {name_for(person, author)}",
            body=f"In “{thread_subject(message.thread)}”:\n\n{message_excerpt(message)}",
            key=f"message-{message.id}-user-{person.id}",
            link=message_link(message),
        )
    if reviewer is not None:
        _settle_held(message)
        notify(
            author,
            kind="message_released",
            subject="Your message was released",
            body=f"Your message in “{message.thread.subject}” was checked and sent.",
            link=message_link(message),
            key=f"message-{message.id}-released",
        )


def _fold_into_unread(message: Message, person: User) -> bool:
    """A burst of messages in one thread is one notice: while `person` has an unread notice of
    the thread from the last few minutes, it is updated ("3 new messages …") and no other mail
    goes out. False when there is none to fold into."""
    since = utcnow() - timedelta(minutes=current_app.config["MESSAGE_FOLD_MINUTES"])
    note = db.session.scalar(
        sa.select(Notification)
        .where(
            Notification.user_id == person.id,
            Notification.kind == "message",
            Notification.read_at.is_(None),
            Notification.created_at >= since,
            Notification.link.like(f"/messages/{message.thread_id}#%"),
        )
        .order_by(Notification.created_at.desc())
        .limit(1)
    )
    if note is None:
        return False
    count = db.session.scalar(
        sa.select(sa.func.count(Message.id)).where(
            Message.thread_id == message.thread_id,
            Message.author_id != person.id,
            Message.state == MessageState.VISIBLE,
            Message.id >= int(note.link.rsplit("-", 1)[1]),  # since the first one told
        )
    )
    subject = f"{max(count or 0, 2)} new messages in “{thread_subject(message.thread)}”"
    note.subject = subject[:200]
    latest = name_for(person, message.author)
    note.body = f"The latest, from {latest}:\n\n{message_excerpt(message)}"
    return True


def message_rejected(rejected: MessageRejected) -> None:
    """The author hears their message was not sent (or removed after a report), with why; a
    removed message leaves no copy in the bell, digests or mail not yet sent."""
    message, reason = rejected.message, rejected.reason
    if rejected.after_report:
        _forget(message)
        outcome, subject, body = "removed", "Your message was removed", "Removed after a report"
    else:
        _settle_held(message)
        outcome, subject, body = "rejected", "Your message was not sent", "Not sent"
    notify(
        message.author,
        kind=f"message_{outcome}",
        subject=subject,
        body=f"{body}: {reason}",
        link=thread_link(message.thread),
        key=f"message-{message.id}-{outcome}",
    )


def message_flagged(flagged: MessageFlagged) -> None:
    """The thread's staff hear that a message was reported."""
    report = flagged.report
    message = report.message
    for teacher in flagged.staff:
        notify(
            teacher,
            kind="message_flagged",
            subject=f"A message in “{message.thread.subject}” was reported",
            body=f"{name_for(teacher, report.user)} reported a message: {report.reason[:300]}",
            link=moderation_queue_link() + "#reported",
            key=f"flag-{report.id}-to-{teacher.id}",
        )


def _settle_held(message: Message) -> None:
    """The "a message is waiting for you" notifications are read for every teacher."""
    db.session.execute(
        sa.update(Notification)
        .where(
            Notification.idempotency_key.like(f"message-held-{message.id}-user-%"),
            Notification.read_at.is_(None),
        )
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def _forget(message: Message) -> None:
    """A removed message's notifications lose the excerpt, stay out of digests, and its mail
    not sent yet is cancelled (mail already sent cannot be called back)."""
    announced = Notification.idempotency_key.like(f"message-{message.id}-user-%")
    db.session.execute(
        sa.update(Notification)
        .where(announced)
        .values(body="This message was removed by the school.")
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        sa.update(Notification)
        .where(announced, Notification.mail_state == NotificationMail.DIGEST.value)
        .values(mail_state=NotificationMail.NONE.value)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        sa.update(OutgoingMail)
        .where(
            OutgoingMail.idempotency_key.like(f"notification-message-{message.id}-user-%"),
            OutgoingMail.state == MailState.PENDING.value,
        )
        .values(state=MailState.FAILED.value, last_error="cancelled: the message was removed")
        .execution_options(synchronize_session=False)
    )


def question_asked(asked: QuestionAsked) -> None:
    """A held question: the team's teacher checks it. An open one: whoever answers for the
    sponsor hears of it (the team is named, never its students)."""
    question = asked.question
    challenge = question.challenge
    link = f"/challenges/{challenge.id}#question-{question.id}"
    for teacher in asked.checkers:
        notify(
            teacher,
            kind="question_held",
            subject=f"A question to the sponsor of “{challenge.title}” waits for your check",
            body=f"{question.hold_reason} Let it through or keep it back.",
            key=f"question-held-{question.id}-user-{teacher.id}",
            link=link,
        )
    for person in asked.answerers:
        notify(
            person,
            kind="question",
            subject=f"Team {question.team.name} asks about “{challenge.title}”",
            body=question.body[:500],
            key=f"question-{question.id}-user-{person.id}",
            link=link,
        )


def question_answered(answered: QuestionAnswered) -> None:
    """Every team of the challenge reads the answer: each question helps the whole class."""
    question = answered.question
    challenge = question.challenge
    sponsor = challenge.sponsor.name if challenge.sponsor else "The sponsor"
    for person in answered.audience:
        notify(
            person,
            kind="question_answered",
            subject=f"{sponsor} answered a question about “{challenge.title}”",
            body=f"Q: {question.body[:300]}\n\nA: {question.answer[:1000]}",
            key=f"question-answered-{question.id}-user-{person.id}",
            link=f"/challenges/{challenge.id}#question-{question.id}",
        )


def presenter_entered(entered: PresenterEntered) -> None:
    """Each member of the team hears that their project will pitch, when, and that they may
    say no."""
    presenter = entered.presenter
    event = presenter.event
    for student in entered.team:
        seen = clock.local(event.starts_at, clock.zone_of(student))
        when = f"{seen.day} {seen:%b %Y} at {seen:%H:%M}"
        notify(
            student,
            kind="event_entered",
            subject=f"“{presenter.project.title}” will pitch at {event.title}",
            body=(
                f"{presenter.entered_by.full_name} entered your project in {event.title}, "
                f"{when}. Open the event to see your slot, or to decline for your team."
            ),
            key=f"event-entered-{presenter.id}-user-{student.id}",
            link=f"/events/{event.id}",
        )


def presenter_declined(declined: PresenterDeclined) -> None:
    """The teacher who entered the project hears the team said no (and why, if they said)."""
    presenter = declined.presenter
    reason = f" They said: {presenter.decline_reason}" if presenter.decline_reason else ""
    notify(
        presenter.entered_by,
        kind="event_declined",
        subject=f"The team of “{presenter.project.title}” declined {presenter.event.title}",
        body=f"The team will not pitch at {presenter.event.title}.{reason}",
        key=f"event-declined-{presenter.id}",
        link=f"/events/{presenter.event_id}",
    )


def entry_withdrawn(withdrawn: EntryWithdrawn) -> None:
    """The team hears its project no longer pitches at the event."""
    event = withdrawn.event
    for student in withdrawn.team:
        notify(
            student,
            kind="event_withdrawn",
            subject=f"“{withdrawn.title}” no longer pitches at {event.title}",
            body=f"Your teacher took “{withdrawn.title}” out of {event.title}.",
            key=f"event-withdrawn-{withdrawn.presenter_id}-user-{student.id}",
            link=f"/events/{event.id}",
        )


def event_changed(changed: EventChanged) -> None:
    """Each presenting team hears the event's new time and place (one notification per
    version: a second change tells them again)."""
    event = changed.event
    for presenter, team in changed.teams:
        for student in team:
            seen = clock.local(event.starts_at, clock.zone_of(student))
            when = f"{seen.day} {seen:%b %Y} at {seen:%H:%M}"
            place = f", {event.place}" if event.place else ""
            notify(
                student,
                kind="event_changed",
                subject=f"{event.title} has changed: now {when}",
                body=(
                    f"{event.title} is now {when}{place}. Open the event for your team's new "
                    f"slot (“{presenter.project.title}”)."
                ),
                key=(
                    f"event-changed-{event.id}-{event.updated_at:%Y%m%d%H%M%S%f}-"
                    f"{presenter.id}-user-{student.id}"
                ),
                link=f"/events/{event.id}#slot-{presenter.id}",
            )


def event_lead(lead: EventLead) -> None:
    """The team's teachers are asked to follow up a guest the school does not yet work with."""
    interest = lead.interest
    guest, project = interest.guest, interest.presenter.project
    said = f" They wrote: {interest.note}" if interest.note else ""
    for teacher in lead.teachers:
        notify(
            teacher,
            kind="event_lead",
            subject=f"{guest.label} would like to work with {project.team.name}",
            body=(
                f"At {guest.event.title}, {guest.label} ({guest.email}) said they would like to "
                f"work with the team of “{project.title}”. {lead.why} Follow up, then mark it "
                f"done on the event's page.{said}"
            ),
            key=f"event-lead-{interest.id}-user-{teacher.id}",
            link=f"/events/{guest.event_id}#leads",
        )


def results_released(released: ResultsReleased) -> None:
    """Each presenting team hears that its feedback can be read."""
    event = released.event
    for presenter, team in released.teams:
        for student in team:
            notify(
                student,
                kind="event_results",
                subject=f"Your results from {event.title}",
                body=(
                    f"The judges' scores and comments for “{presenter.project.title}” "
                    f"are ready to read."
                ),
                key=f"event-results-{presenter.id}-user-{student.id}",
                link=f"/events/presenters/{presenter.id}/feedback",
            )


def subscribe_all() -> None:
    """Connect every subscriber above (again is harmless)."""
    subscribe(EngagementMoved, engagement_moved)
    subscribe(TeamJoinAsked, team_join_asked)
    subscribe(TeamJoinAnswered, team_join_answered)
    subscribe(ProjectReviewed, project_reviewed)
    subscribe(PartnershipDecided, partnership_decided)
    subscribe(MessageHeld, message_held)
    subscribe(MessageShown, message_shown)
    subscribe(MessageRejected, message_rejected)
    subscribe(MessageFlagged, message_flagged)
    subscribe(QuestionAsked, question_asked)
    subscribe(PresenterEntered, presenter_entered)
    subscribe(PresenterDeclined, presenter_declined)
    subscribe(EventLead, event_lead)
    subscribe(EntryWithdrawn, entry_withdrawn)
    subscribe(EventChanged, event_changed)
    subscribe(ResultsReleased, results_released)
    subscribe(QuestionAnswered, question_answered)
