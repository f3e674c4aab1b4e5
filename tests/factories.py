"""Record builders with sensible defaults. Every builder flushes and returns the record
(the test client commits before each request, so requests see them).

    make.student()                       # a 16-year-old in a new class of a new school
    make.student(classroom=c, age=12)    # an under-13 student in class c
    make.team(members=[s1, s2])          # a team in the students' class
"""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from typing import Any

from marketplace.extensions import db
from marketplace.models import (
    AdoptionRequest,
    BackgroundCheck,
    Challenge,
    ChallengeStatus,
    Classroom,
    Engagement,
    EngagementStatus,
    Enrollment,
    EventGuest,
    EventPresenter,
    EventSchool,
    EventStatus,
    FileStatus,
    FollowUpTask,
    GuestRole,
    Invitation,
    JoinRequest,
    Offer,
    OfferRecipient,
    OfferStatus,
    Organisation,
    OrganisationStatus,
    PartnerContact,
    Partnership,
    PitchEvent,
    Placement,
    PlacementStatus,
    Project,
    ProjectFile,
    ProjectSnapshot,
    ProjectStatus,
    Role,
    Rung,
    School,
    Signature,
    Team,
    TeamMembership,
    User,
    VerificationStatus,
    utcnow,
)
from marketplace.models.classroom import new_join_code
from marketplace.privacy import new_pseudonym
from marketplace.security import hash_password, new_secret_token
from marketplace.storage import storage

from . import uploads
from .helpers import school_today

PASSWORD = "correct horse battery"
_counter = itertools.count(1)
_hashes: dict[str, str] = {}


def password_hash(password: str = PASSWORD) -> str:
    """A hash of `password` (the default one is hashed once per run: argon2 is slow on purpose)."""
    if password != PASSWORD:
        return hash_password(password)
    if PASSWORD not in _hashes:
        _hashes[PASSWORD] = hash_password(PASSWORD)
    return _hashes[PASSWORD]


def birthday_for_age(age: int) -> date:
    """A date of birth that makes someone `age` today (their birthday was 100 days ago)."""
    today = school_today()
    born = today - timedelta(days=100)
    return (
        born.replace(year=born.year - age)
        if not (born.month == 2 and born.day == 29)
        else date(born.year - age, 2, 28)
    )


class Factory:
    """Builds records on the current app context's session."""

    def _save(self, row: Any) -> Any:
        db.session.add(row)
        db.session.flush()
        return row

    def _n(self) -> int:
        return next(_counter)

    def school(self, name: str | None = None, **kw: Any) -> School:
        n = self._n()
        return self._save(
            School(name=name or f"School {n}", slug=kw.pop("slug", f"school-{n}"), **kw)
        )

    def _adult(self, role: Role, **kw: Any) -> User:
        n = self._n()
        kw.setdefault("email", f"{role.value}{n}@example.org")
        kw.setdefault("first_name", f"First{n}")
        kw.setdefault("last_name", f"Last{n}")
        kw.setdefault("email_confirmed_at", utcnow())
        kw.setdefault("password_hash", password_hash(kw.pop("password", PASSWORD)))
        return self._save(User(role=role, **kw))

    def teacher(self, school: School | None = None, **kw: Any) -> User:
        return self._adult(Role.TEACHER, school=school or self.school(), **kw)

    def school_admin(self, school: School | None = None, **kw: Any) -> User:
        return self._adult(Role.SCHOOL_ADMIN, school=school or self.school(), **kw)

    def site_admin(self, **kw: Any) -> User:
        return self._adult(Role.SITE_ADMIN, **kw)

    def classroom(
        self, teacher: User | None = None, name: str | None = None, **kw: Any
    ) -> Classroom:
        teacher = teacher or self.teacher(school=kw.pop("school", None))
        return self._save(
            Classroom(
                teacher=teacher,
                school_id=teacher.school_id,
                name=name or f"Class {self._n()}",
                join_code=kw.pop("join_code", new_join_code()),
                **kw,
            )
        )

    def student(self, classroom: Classroom | None = None, age: int = 16, **kw: Any) -> User:
        classroom = classroom or self.classroom()
        n = self._n()
        student = User(
            role=Role.STUDENT,
            username=kw.pop("username", f"student{n}"),
            first_name=kw.pop("first_name", f"Stu{n}"),
            last_name=kw.pop("last_name", f"Dent{n}"),
            date_of_birth=kw.pop("date_of_birth", birthday_for_age(age)),
            pseudonym=kw.pop("pseudonym", new_pseudonym()),
            password_hash=password_hash(kw.pop("password", PASSWORD)),
            school_id=classroom.school_id,
            **kw,
        )
        db.session.add(student)
        db.session.add(Enrollment(classroom=classroom, student=student))
        db.session.flush()
        return student

    def team(
        self,
        classroom: Classroom | None = None,
        members: tuple[User, ...] | list[User] = (),
        **kw: Any,
    ) -> Team:
        if classroom is None:
            classroom = (
                db.session.get(Enrollment, _first_enrollment_key(members[0])).classroom
                if members
                else self.classroom()
            )
        team = Team(classroom=classroom, name=kw.pop("name", f"Team {self._n()}"), **kw)
        db.session.add(team)
        for student in members:
            db.session.add(TeamMembership(team=team, student=student, classroom_id=classroom.id))
        db.session.flush()
        return team

    def organisation(
        self,
        verified_by: tuple[School, ...] | list[School] = (),
        pending_with: tuple[School, ...] | list[School] = (),
        **kw: Any,
    ) -> Organisation:
        n = self._n()
        kw.setdefault("name", f"Organisation {n}")
        kw.setdefault("status", OrganisationStatus.ACTIVE)
        kw.setdefault("email_domain", f"org{n}.example")
        kw.setdefault("career_cluster", "Digital Technology")
        organisation = Organisation(**kw)
        db.session.add(organisation)
        for school in verified_by:
            db.session.add(
                Partnership(
                    organisation=organisation,
                    school=school,
                    status=VerificationStatus.VERIFIED,
                    decided_at=utcnow(),
                )
            )
        for school in pending_with:
            db.session.add(Partnership(organisation=organisation, school=school))
        db.session.flush()
        return organisation

    def employer(self, organisation: Organisation | None = None, **kw: Any) -> User:
        if organisation is None and kw.pop("with_organisation", True):
            organisation = self.organisation()
        if organisation is not None and "email" not in kw:
            kw["email"] = f"employee{self._n()}@{organisation.email_domain or 'example.org'}"
        return self._adult(Role.EMPLOYER, organisation=organisation, **kw)

    def prospect(self, school: School, name: str | None = None, **kw: Any) -> Partnership:
        """A prospect in `school`'s partner network (no accounts): its partner record."""
        organisation = self.organisation(
            status=OrganisationStatus.PROSPECT, name=name or f"Prospect {self._n()}"
        )
        return self._save(Partnership(organisation=organisation, school=school, **kw))

    def partner_contact(self, record: Partnership, **kw: Any) -> PartnerContact:
        n = self._n()
        kw.setdefault("name", f"Contact {n}")
        kw.setdefault("email", f"contact{n}@{record.organisation.email_domain or 'example.org'}")
        kw.setdefault("nonce", f"n{n}")
        return self._save(PartnerContact(partnership=record, **kw))

    def follow_up(self, record: Partnership, assignee: User, **kw: Any) -> FollowUpTask:
        kw.setdefault("title", "Call back")
        kw.setdefault("due_on", school_today())
        return self._save(
            FollowUpTask(
                school_id=record.school_id, partnership_id=record.id, assignee_id=assignee.id, **kw
            )
        )

    def join_request(self, organisation: Organisation, user: User | None = None) -> JoinRequest:
        """`user` (by default a new confirmed employer of the domain) asks to join."""
        user = user or self.employer(
            with_organisation=False, email=f"newcomer{self._n()}@{organisation.email_domain}"
        )
        return self._save(JoinRequest(organisation=organisation, user=user))

    def challenge(
        self,
        school: School | None = None,
        status: ChallengeStatus = ChallengeStatus.OPEN,
        **kw: Any,
    ) -> Challenge:
        """A challenge of `school`, written by one of its teachers (open unless told)."""
        author = kw.pop("author", None) or self.teacher(school=school or self.school())
        kw.setdefault("title", f"Challenge {self._n()}")
        kw.setdefault("statement", "Local clinics lose hours to paper forms. **Help them.**")
        kw.setdefault("career_cluster", "Healthcare & Human Services")
        kw.setdefault("skills", ["user research", "python"])
        kw.setdefault("deliverables", ["Slide deck"])
        return self._save(
            Challenge(school_id=author.school_id, created_by=author, status=status, **kw)
        )

    def project(
        self,
        team: Team | None = None,
        challenge: Challenge | None = None,
        status: ProjectStatus = ProjectStatus.DRAFT,
        **kw: Any,
    ) -> Project:
        """A project of `team` (by default a new team with one student) in `status`; submitted
        and later states get the snapshot their submission would have left."""
        team = team or self.team(members=[self.student()])
        challenge = challenge or self.challenge(team.classroom.school)
        kw.setdefault("title", f"Project {self._n()}")
        kw.setdefault("pitch", "A tablet check-in that an 80-year-old can use.")
        kw.setdefault("body", "We interviewed **12** patients.")
        kw.setdefault("skills", ["user research"])
        if status is ProjectStatus.PUBLISHED:
            kw.setdefault("published_at", utcnow())
        project = Project(
            team=team, challenge=challenge, school_id=team.classroom.school_id, status=status, **kw
        )
        db.session.add(project)
        db.session.flush()
        if status is not ProjectStatus.DRAFT:
            db.session.add(
                ProjectSnapshot(
                    project=project,
                    number=1,
                    data=project.snapshot_data(),
                    submitted_by=team.memberships[0].student,
                )
            )
            db.session.flush()
        return project

    def project_file(
        self,
        project: Project,
        filename: str = "slides.pdf",
        data: bytes = uploads.PDF,
        status: FileStatus = FileStatus.STORED,
    ) -> ProjectFile:
        """A file of `project`, its bytes really in storage (unless it is a pending upload)."""
        ext = filename.rpartition(".")[2]
        row = ProjectFile(
            project=project,
            key=f"projects/{project.id}/{self._n()}.{ext}",
            filename=filename,
            kind="pdf",
            content_type="application/pdf",
            size=len(data),
            status=status,
            uploaded_by=project.team.memberships[0].student,
        )
        if status is FileStatus.STORED:
            storage().write(row.key, [data], len(data))
        return self._save(row)

    def adoption(
        self, challenge: Challenge, organisation: Organisation, user: User | None = None
    ) -> AdoptionRequest:
        """A request from `organisation` to adopt `challenge` (no rule checked)."""
        user = user or self.employer(organisation)
        return self._save(
            AdoptionRequest(challenge=challenge, organisation=organisation, requested_by=user)
        )

    def invitation(
        self, school: School | None = None, role: Role = Role.TEACHER, **kw: Any
    ) -> tuple[Invitation, str]:
        """An invitation and the token of its link."""
        token, digest = new_secret_token()
        invitation = Invitation(
            token_hash=digest,
            email=kw.pop("email", f"invitee{self._n()}@example.org"),
            role=role,
            school=school or self.school(),
            expires_at=kw.pop("expires_at", utcnow() + timedelta(days=7)),
            **kw,
        )
        return self._save(invitation), token

    def background_check(self, member: User, school: School, **kw: Any) -> BackgroundCheck:
        """A school admin's attestation for `member` (valid from last year, no expiry)."""
        admin = kw.pop("attested_by", None) or self.school_admin(school=school)
        kw.setdefault("checked_on", school_today() - timedelta(days=365))
        check = self._save(
            BackgroundCheck(school_id=school.id, user_id=member.id, attested_by_id=admin.id, **kw)
        )
        db.session.expire(member, ["background_checks"])
        return check

    def pitch_event(
        self,
        school: School | None = None,
        status: EventStatus = EventStatus.PUBLISHED,
        presenters: tuple[Project, ...] | list[Project] = (),
        partners: tuple[School, ...] | list[School] = (),
        **kw: Any,
    ) -> PitchEvent:
        """A demo day of `school` (by one of its teachers) ten days from now, 18:00–20:00 UTC,
        with `presenters` entered in that order."""
        author = kw.pop("author", None) or self.teacher(school=school or self.school())
        starts = (utcnow() + timedelta(days=10)).replace(hour=18, minute=0, second=0, microsecond=0)
        kw.setdefault("title", f"Demo Day {self._n()}")
        kw.setdefault("place", "The school library")
        event = PitchEvent(
            school_id=author.school_id,
            created_by_id=author.id,
            status=status,
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            **kw,
        )
        event.partners = [EventSchool(school_id=s.id) for s in partners]
        db.session.add(event)
        db.session.flush()
        for position, project in enumerate(presenters, start=1):
            db.session.add(
                EventPresenter(
                    event=event, project=project, position=position, entered_by_id=author.id
                )
            )
        db.session.flush()
        db.session.expire(event, ["presenters"])
        return event

    def event_guest(
        self, event: PitchEvent, role: GuestRole = GuestRole.GUEST, **kw: Any
    ) -> EventGuest:
        """Someone invited to `event` (no mail sent: a row)."""
        n = self._n()
        kw.setdefault("email", f"guest{n}@example.org")
        kw.setdefault("name", f"Guest {n}")
        return self._save(
            EventGuest(
                event_id=event.id,
                role=role,
                invited_by_id=event.created_by_id,
                nonce=f"nonce{n:027d}",
                **kw,
            )
        )

    def engagement(
        self,
        project: Project | None = None,
        employer: User | None = None,
        rung: Rung = Rung.INTEREST,
        checked: bool = True,
        **kw: Any,
    ) -> Engagement:
        """An engagement of `employer`'s organisation (verified by the school, the employer
        background-checked unless told) with a published `project`, at `rung`."""
        project = project or self.project(status=ProjectStatus.PUBLISHED)
        school = project.team.classroom.school
        if employer is None:
            employer = self.employer(self.organisation(verified_by=[school]))
        already = db.session.query(BackgroundCheck).filter_by(
            school_id=school.id, user_id=employer.id
        )
        if checked and already.first() is None:
            self.background_check(employer, school)
        kw.setdefault("status", EngagementStatus.ACTIVE)
        return self._save(
            Engagement(
                organisation_id=employer.organisation_id,
                project=project,
                team_id=project.team_id,
                school_id=project.school_id,
                rung=rung,
                opened_by=employer,
                **kw,
            )
        )

    def offer(
        self,
        engagement: Engagement,
        rung: Rung | None = None,
        status: OfferStatus = OfferStatus.DRAFT,
        **kw: Any,
    ) -> Offer:
        """An offer for the next rung (unless told) with valid terms, in `status`."""
        today = school_today()
        kw.setdefault("title", "")
        kw.setdefault("start_date", today + timedelta(days=14))
        kw.setdefault("end_date", today + timedelta(days=42))
        kw.setdefault("days_per_week", 1)
        kw.setdefault("hours_per_week", 2)
        kw.setdefault("remote", True)
        kw.setdefault("supervisor", "Dr. Patel")
        kw.setdefault("respond_by", today + timedelta(days=7))
        kw.setdefault("created_by_id", engagement.opened_by_id)
        if status in (OfferStatus.APPROVED, OfferStatus.ACCEPTED, OfferStatus.DECLINED):
            kw.setdefault("approved_by_id", engagement.team.advisor.id)
            kw.setdefault("approved_at", utcnow())
        rung = rung or engagement.rung.next
        if status is OfferStatus.ACCEPTED:
            kw.setdefault("accepted_rung", rung)
            # As accepting does: the engagement keeps when it reached the rung.
            setattr(
                engagement,
                Engagement.reached_column(kw["accepted_rung"]),
                kw.get("answered_at") or utcnow(),
            )
        if rung is not None and rung.is_workplace and "recipients" not in kw:
            # From job shadowing up an offer names its students: every member, unless told.
            kw["recipients"] = [OfferRecipient(student_id=m.id) for m in engagement.team.members]
        return self._save(Offer(engagement=engagement, rung=rung, status=status, **kw))

    def placement(
        self,
        engagement: Engagement,
        student: User,
        rung: Rung = Rung.INTERNSHIP,
        status: PlacementStatus = PlacementStatus.ACTIVE,
        **kw: Any,
    ) -> Placement:
        """`student`'s placement at `rung` from an accepted offer of `engagement` (a new one
        unless `offer_id` is given), in `status`, starting today: the bare row the reports
        count (no terms to sign; `ladder.accept` makes a real one)."""
        if "offer_id" not in kw:
            kw["offer_id"] = self.offer(engagement, rung=rung, status=OfferStatus.ACCEPTED).id
        kw.setdefault("start_date", school_today())
        kw.setdefault("coordinator_id", engagement.team.advisor.id)
        return self._save(
            Placement(
                engagement_id=engagement.id,
                student_id=student.id,
                organisation_id=engagement.organisation_id,
                school_id=engagement.school_id,
                rung=rung,
                status=status,
                **kw,
            )
        )

    def signatures(self, placement: Placement) -> Placement:
        """Every signature the placement's agreement needs, of its terms as they stand: the
        placement starts (active)."""
        from marketplace.placements import records

        for role in records.signer_roles(placement):
            db.session.add(
                Signature(
                    placement_id=placement.id,
                    role=role,
                    terms_hash=placement.terms_hash,
                    typed_name="A Signer",
                )
            )
        db.session.flush()
        db.session.expire(placement, ["signatures"])
        assert records.settle(placement), placement
        return placement


def _first_enrollment_key(student: User) -> tuple[int, int]:
    enrollment = db.session.query(Enrollment).filter_by(student_id=student.id).first()
    return (enrollment.classroom_id, student.id)
