"""A small deployment for permission tests: two schools, each with its staff, class, team and
employers, so every route can be tried on one's own rows and on another school's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from marketplace.models import (
    AdoptionRequest,
    Challenge,
    ChallengeStatus,
    Classroom,
    CouncilMeeting,
    CouncilMember,
    Engagement,
    EventGuest,
    EventPresenter,
    EventStatus,
    FileStatus,
    FollowUpTask,
    GuestRole,
    Invitation,
    JoinRequest,
    LinkPurpose,
    Message,
    MessageAttachment,
    MessageState,
    Offer,
    OfferRecipient,
    OfferStatus,
    Organisation,
    PartnerContact,
    Partnership,
    PitchEvent,
    Placement,
    PlacementLink,
    Project,
    ProjectFile,
    ProjectLink,
    ProjectStatus,
    QuestionState,
    Role,
    Rung,
    School,
    SignerRole,
    SponsorQuestion,
    Team,
    TeamJoinRequest,
    Thread,
    ThreadKind,
    User,
    utcnow,
)
from marketplace.storage import storage

from . import uploads
from .factories import Factory
from .helpers import school_today


@dataclass
class World:
    school_a: School
    school_b: School
    student: User  # in class_a, on team_a
    teacher: User  # teaches class_a
    school_admin: User  # of school_a
    employer: User  # member of org, verified by school_a
    site_admin: User
    other_teacher: User  # school_a, teaches class_a2
    class_a: Classroom
    class_a2: Classroom
    team_a: Team
    teammate: User  # on team_a with student
    other_team: Team  # another team of class_a
    other_team_student: User
    unteamed: User  # in class_a, on no team yet
    colleague_team: Team  # a team of class_a2
    unteamed_a2: User  # in class_a2, on no team yet
    team_join_request: TeamJoinRequest  # unteamed asks to join team_a
    class_b: Classroom
    student_b: User
    team_b: Team
    org: Organisation
    pending_a: Partnership  # another organisation waiting for school_a
    pending_b: Partnership  # an organisation waiting for school_b
    invitation_a: Invitation
    invitation_a_token: str
    invitation_b: Invitation
    join_request: JoinRequest  # a colleague asking to join org
    challenge_a: Challenge  # open, unsponsored, school_a
    draft_a: Challenge  # a draft of school_a
    challenge_b: Challenge  # open, not shared, school_b
    adoption_a: AdoptionRequest  # waiting for school_a
    sponsored_a: Challenge  # open, school_a, sponsored by org; team_a has a draft for it
    question_a: SponsorQuestion  # team_a's open question to org
    question_held: SponsorQuestion  # team_a's question held for the teacher
    adoption_b: AdoptionRequest  # waiting for school_b
    draft_project: Project  # team_a's draft
    submitted_project: Project  # team_a's, waiting for review
    other_draft: Project  # other_team's draft (same class)
    published_project: Project  # other_team's, published
    project_b: Project  # team_b's, published (school_b)
    draft_file: ProjectFile  # stored, on draft_project
    pending_file: ProjectFile  # an upload in flight, on draft_project
    other_draft_file: ProjectFile  # stored, on other_draft
    other_pending: ProjectFile  # in flight, on other_draft
    published_file: ProjectFile  # on published_project
    file_b: ProjectFile  # on project_b
    other_join_request: JoinRequest  # someone asking to join another organisation
    own_published: Project  # team_a's, published
    engagement: Engagement  # org × own_published (team_a, school_a), at interest
    offer: Offer  # a proposed mentorship offer on `engagement`
    other_org_engagement: Engagement  # another organisation × published_project (school_a)
    other_org_offer: Offer  # a proposed offer on it
    engagement_b: Engagement  # an organisation of school_b × project_b
    offer_b: Offer  # a proposed offer on it
    thread: Thread  # engagement thread on `engagement` (team_a × org)
    thread_b: Thread  # engagement thread on engagement_b (school_b)
    school_thread: Thread  # school_a × org relationship channel
    message: Message  # visible, by employer, in thread
    held_message: Message  # held, by student, in thread, with a phone number
    message_b: Message  # visible, in thread_b
    attachment: MessageAttachment  # stored, on `message`
    event: PitchEvent  # school_a's published demo day; own_published (team_a) entered
    entry: EventPresenter  # own_published in `event`
    event_b: PitchEvent  # school_b's draft demo day, project_b entered
    guest: EventGuest  # invited to `event`, a judge
    guest_token: str  # the guest's personal link token
    guest_pass_token: str  # the token of the guest's pass (the QR code: check-in only)
    judge_token: str  # the guest's judging link token
    guest_b: EventGuest  # invited to event_b
    contact_a: PartnerContact  # at pending_a, in school_a's partner record
    contact_b: PartnerContact  # at pending_b (school_b)
    task_a: FollowUpTask  # school_a's follow-up of pending_a, the teacher's
    task_b: FollowUpTask  # school_b's follow-up of pending_b
    link_a: ProjectLink  # own_published offered to contact_a by the teacher
    link_b: ProjectLink  # project_b offered to contact_b (school_b)
    link_token: str  # link_a's signed token (the contact's page of the project)
    unsubscribe_token: str  # contact_a's unsubscribe token
    contact_a2: PartnerContact  # another person at pending_a, not on the council
    member_a: CouncilMember  # contact_a on school_a's advisory council
    member_b: CouncilMember  # contact_b on school_b's
    meeting_a: CouncilMeeting  # school_a's council meeting
    meeting_b: CouncilMeeting  # school_b's
    placement_a: Placement  # the student's job shadowing with org (on `engagement`), unsigned
    placement_b: Placement  # a student's of school_b (on engagement_b)
    sign_token: str  # placement_a's supervisor's signing link token

    def user(self, role: str) -> User | None:
        return None if role == "anonymous" else getattr(self, role)


def build_world(make: Factory) -> World:
    school_a, school_b = make.school("School A"), make.school("School B")
    teacher = make.teacher(school=school_a)
    class_a = make.classroom(teacher)
    student = make.student(class_a)
    teammate = make.student(class_a)
    team_a = make.team(class_a, [student, teammate])
    other_team_student = make.student(class_a)
    other_team = make.team(class_a, [other_team_student])
    other_teacher = make.teacher(school=school_a)
    class_a2 = make.classroom(other_teacher)
    colleague_team = make.team(class_a2, [make.student(class_a2)])
    unteamed, unteamed_a2 = make.student(class_a), make.student(class_a2)
    class_b = make.classroom(make.teacher(school=school_b))
    student_b = make.student(class_b)
    team_b = make.team(class_b, [student_b])
    org = make.organisation(verified_by=[school_a])
    employer = make.employer(org)
    waiting_a = make.organisation(pending_with=[school_a])
    make.employer(waiting_a)
    waiting_b = make.organisation(pending_with=[school_b])
    make.employer(waiting_b)
    invitation_a, token_a = make.invitation(school_a)
    invitation_b, _ = make.invitation(school_b)
    join_request = make.join_request(org)
    other_join_request = make.join_request(waiting_a)
    challenge_a = make.challenge(author=teacher)
    challenge_b = make.challenge(school_b)
    asker_a = make.organisation(verified_by=[school_a])
    asker_b = make.organisation(verified_by=[school_b])
    draft_project = make.project(team_a, challenge_a)
    other_draft = make.project(other_team, challenge_a)
    published_project = make.project(other_team, challenge_a, ProjectStatus.PUBLISHED)
    project_b = make.project(team_b, challenge_b, ProjectStatus.PUBLISHED)
    own_published = make.project(team_a, challenge_a, ProjectStatus.PUBLISHED)
    engagement = make.engagement(own_published, employer)
    other_org_engagement = make.engagement(published_project)
    engagement_b = make.engagement(project_b)
    sponsored_a = make.challenge(author=teacher, sponsor=org)
    make.project(team_a, sponsored_a, title="For the sponsor")
    questions = {
        name: make._save(
            SponsorQuestion(
                challenge_id=sponsored_a.id,
                team_id=team_a.id,
                asked_by_id=student.id,
                body=body,
                state=state,
            )
        )
        for name, body, state in (
            ("question_a", "Which clinics would test it?", QuestionState.OPEN),
            ("question_held", "Call me on 555-201-7788", QuestionState.HELD),
        )
    }
    threads = _threads(make, engagement, engagement_b, school_a, org, employer, student, teacher)
    contact_a = make.partner_contact(waiting_a.partnerships[0])
    contact_b = make.partner_contact(waiting_b.partnerships[0])
    return World(
        school_a=school_a,
        school_b=school_b,
        student=student,
        teacher=teacher,
        school_admin=make.school_admin(school=school_a),
        employer=employer,
        site_admin=make.site_admin(),
        other_teacher=other_teacher,
        class_a=class_a,
        class_a2=class_a2,
        team_a=team_a,
        teammate=teammate,
        other_team=other_team,
        other_team_student=other_team_student,
        unteamed=unteamed,
        colleague_team=colleague_team,
        unteamed_a2=unteamed_a2,
        team_join_request=make._save(
            TeamJoinRequest(team_id=team_a.id, classroom_id=class_a.id, student_id=unteamed.id)
        ),
        class_b=class_b,
        student_b=student_b,
        team_b=team_b,
        org=org,
        pending_a=waiting_a.partnerships[0],
        pending_b=waiting_b.partnerships[0],
        invitation_a=invitation_a,
        invitation_a_token=token_a,
        invitation_b=invitation_b,
        join_request=join_request,
        other_join_request=other_join_request,
        challenge_a=challenge_a,
        draft_a=make.challenge(author=other_teacher, status=ChallengeStatus.DRAFT),
        challenge_b=challenge_b,
        adoption_a=make.adoption(challenge_a, asker_a),
        adoption_b=make.adoption(challenge_b, asker_b),
        sponsored_a=sponsored_a,
        **questions,
        draft_project=draft_project,
        submitted_project=make.project(team_a, challenge_a, ProjectStatus.SUBMITTED),
        other_draft=other_draft,
        published_project=published_project,
        project_b=project_b,
        draft_file=make.project_file(draft_project),
        pending_file=make.project_file(draft_project, status=FileStatus.PENDING),
        other_draft_file=make.project_file(other_draft),
        other_pending=make.project_file(other_draft, status=FileStatus.PENDING),
        published_file=make.project_file(published_project),
        file_b=make.project_file(project_b),
        own_published=own_published,
        engagement=engagement,
        offer=make.offer(engagement, status=OfferStatus.PROPOSED),
        other_org_engagement=other_org_engagement,
        other_org_offer=make.offer(other_org_engagement, status=OfferStatus.PROPOSED),
        engagement_b=engagement_b,
        offer_b=make.offer(engagement_b, status=OfferStatus.PROPOSED),
        **threads,
        **_events(make, teacher, own_published, project_b),
        contact_a=contact_a,
        contact_b=contact_b,
        task_a=make.follow_up(waiting_a.partnerships[0], teacher),
        task_b=make.follow_up(waiting_b.partnerships[0], class_b.teacher),
        **_project_links(make, (contact_a, teacher, own_published), (contact_b, project_b)),
        **_councils(make, contact_a, contact_b),
        **_placements(make, (engagement, student), engagement_b),
    )


def _placements(make: Factory, own: tuple, engagement_b: Engagement) -> dict:
    """A job shadowing placement on each school's engagement (its agreement unsigned), and a
    signing link for placement_a's supervisor."""
    from marketplace import signed_links
    from marketplace.placements import records

    today = school_today()
    rows: dict = {}
    for suffix, (engagement, student) in (
        ("a", own),
        ("b", (engagement_b, engagement_b.team.members[0])),
    ):
        offer = make.offer(
            engagement,
            rung=Rung.JOB_SHADOWING,
            status=OfferStatus.ACCEPTED,
            recipients=[OfferRecipient(student_id=student.id)],
        )
        placement = Placement(
            offer_id=offer.id,
            engagement_id=engagement.id,
            student_id=student.id,
            organisation_id=engagement.organisation_id,
            school_id=engagement.school_id,
            coordinator_id=engagement.team.advisor.id,
            rung=Rung.JOB_SHADOWING,
            start_date=today - timedelta(days=7),
            end_date=today + timedelta(days=30),
            expected_hours=20,
            worksite_address="1 Harbor Way",
            supervisor_name="Sam Ortiz",
            supervisor_email=f"sam.{suffix}@example.org",
            training_plan=["Shadow the billing team"],
            safety_items=["Fire exits"],
        )
        placement.terms_hash = records.terms_hash(placement)
        rows[f"placement_{suffix}"] = make._save(placement)
    placement_a = rows["placement_a"]
    link = make._save(
        PlacementLink(
            purpose=LinkPurpose.SIGN,
            role=SignerRole.SUPERVISOR,
            student_id=placement_a.student_id,
            placement_id=placement_a.id,
            name="Sam Ortiz",
            email="sam.a@example.org",
            nonce="s" * 32,
            expires_at=utcnow() + timedelta(days=7),
        )
    )
    rows["sign_token"] = signed_links.sign("placement.sign", link.id, link.nonce)
    return rows


def _councils(make: Factory, contact_a: PartnerContact, contact_b: PartnerContact) -> dict:
    """Each school's advisory council: one member (its contact) and one meeting."""
    today = school_today()
    rows: dict = {}
    for suffix, contact in (("a", contact_a), ("b", contact_b)):
        school_id = contact.partnership.school_id
        rows[f"member_{suffix}"] = make._save(
            CouncilMember(school_id=school_id, contact_id=contact.id, term_start=today)
        )
        rows[f"meeting_{suffix}"] = make._save(CouncilMeeting(school_id=school_id, held_on=today))
    rows["contact_a2"] = make.partner_contact(contact_a.partnership, name="Second Person")
    return rows


def _project_links(make: Factory, own: tuple, other: tuple) -> dict:
    """A project offered by link to each school's contact (what the contact opens)."""
    from marketplace import signed_links
    from marketplace.partners import outreach, project_links

    def link(contact: PartnerContact, sender: User, project: Project) -> ProjectLink:
        return make._save(
            ProjectLink(
                school_id=contact.partnership.school_id,
                partnership_id=contact.partnership_id,
                contact_id=contact.id,
                project_id=project.id,
                sent_by_id=sender.id,
                nonce=f"n{contact.id}",
                expires_at=utcnow() + timedelta(days=30),
            )
        )

    contact_a, teacher, own_published = own
    contact_b, project_b = other
    link_a = link(contact_a, teacher, own_published)
    return {
        "link_a": link_a,
        "link_b": link(contact_b, project_b.team.classroom.teacher, project_b),
        "link_token": signed_links.sign(project_links.PURPOSE, link_a.id, link_a.nonce),
        "unsubscribe_token": outreach.unsubscribe_token(contact_a),
    }


def _events(make: Factory, teacher: User, own_published: Project, project_b: Project) -> dict:
    """school_a's published demo day with team_a's project entered; school_b's draft one."""
    event = make.pitch_event(author=teacher, presenters=[own_published])
    school_b_teacher = project_b.team.classroom.teacher
    event_b = make.pitch_event(
        author=school_b_teacher, status=EventStatus.DRAFT, presenters=[project_b]
    )
    from marketplace.pitch_events.guests import PASS, token_for
    from marketplace.pitch_events.judging import JUDGE

    guest = make.event_guest(event, GuestRole.JUDGE)
    return {
        "event": event,
        "entry": event.presenters[0],
        "event_b": event_b,
        "guest": guest,
        "guest_token": token_for(guest),
        "guest_pass_token": token_for(guest, PASS),
        "judge_token": token_for(guest, JUDGE),
        "guest_b": make.event_guest(event_b),
    }


PDF = uploads.PDF  # a real one: a PDF that cannot be read is refused


def _threads(make: Factory, engagement, engagement_b, school_a, org, employer, student, teacher):
    """The threads, messages and attachment of the world (rows only: nobody is notified)."""

    def engagement_thread(e: Engagement) -> Thread:
        return make._save(
            Thread(
                channel=f"engagement-{e.id}",
                kind=ThreadKind.ENGAGEMENT,
                school_id=e.school_id,
                organisation_id=e.organisation_id,
                engagement_id=e.id,
                team_id=e.team_id,
                subject=e.project.title,
                started_by_id=e.opened_by_id,
            )
        )

    thread, thread_b = engagement_thread(engagement), engagement_thread(engagement_b)
    school_thread = make._save(
        Thread(
            channel=f"school-{school_a.id}-org-{org.id}",
            kind=ThreadKind.SCHOOL,
            school_id=school_a.id,
            organisation_id=org.id,
            subject="Spring placements",
            started_by_id=teacher.id,
        )
    )
    message = make._save(Message(thread_id=thread.id, author_id=employer.id, body="Hello team!"))
    held = make._save(
        Message(
            thread_id=thread.id,
            author_id=student.id,
            body="Call me on 555-123-4567",
            state=MessageState.HELD,
            hold_reason="It looks like it contains a phone number.",
        )
    )
    message_b = make._save(
        Message(thread_id=thread_b.id, author_id=engagement_b.opened_by_id, body="Hi School B")
    )
    attachment = MessageAttachment(
        message_id=message.id,
        thread_id=thread.id,
        key=f"messages/{thread.id}/{make._n()}.pdf",
        filename="brief.pdf",
        kind="pdf",
        content_type="application/pdf",
        size=len(PDF),
        status=FileStatus.STORED,
        uploaded_by_id=employer.id,
    )
    storage().write(attachment.key, [PDF], len(PDF))
    return dict(
        thread=thread,
        thread_b=thread_b,
        school_thread=school_thread,
        message=message,
        held_message=held,
        message_b=message_b,
        attachment=make._save(attachment),
    )


ROLES = ("anonymous", "student", "teacher", "employer", "school_admin", "site_admin")
assert set(ROLES) - {"anonymous"} <= {r.value for r in Role} | {"school_admin", "site_admin"}
