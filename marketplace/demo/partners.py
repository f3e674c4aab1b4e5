"""The demo's partner network: Riverside's coordinator (Ms Rivera) runs the school's partners
from one place. Partners already working with the school have owners, sources, clusters,
contacts and a few months of calls, meetings and activities; prospects wait to be called, one
referred by a partner; one contact asked not to be contacted. Rivera's morning holds an overdue
follow-up, one due today and some coming up. The advisory council has a chair and a member,
minutes and an action item; three partners are on the public page with their logos; the thank-
you message after an activity is switched on; a project was offered to a prospect by link."""

from __future__ import annotations

import io
from datetime import date, timedelta

import sqlalchemy as sa
from PIL import Image, ImageDraw, ImageFont

from .. import clock
from ..extensions import db
from ..models import (
    Activity,
    ActivityKind,
    Channel,
    CouncilRole,
    Organisation,
    Partnership,
    PartnerStage,
    PitchEvent,
    School,
    Touchpoint,
    TouchpointKind,
    User,
)
from ..partners import automation, council, listing, log, project_links, records, tasks

SCHOOL = "Riverside High School"

# organisation: (source, recommended by, clusters, tags, contacts, stage set by hand)
_RECORDS = {
    "Harbor Health Clinic": (
        "chamber of commerce",
        "",
        ["Healthcare & Human Services"],
        ["hiring", "bilingual"],
        [("Jordan Reyes", "Clinic manager", "jordan@harborhealth.example", "555-0101", "e-mail")],
        None,
    ),
    "Bright Circuit Robotics": (
        "industry association",
        "",
        ["Advanced Manufacturing", "Digital Technology"],
        ["robotics"],
        [("Priya Shah", "Head of engineering", "priya@brightcircuit.example", "", "e-mail")],
        PartnerStage.ADVISORY,
    ),
    "Summit Construction": (
        "cold outreach",
        "",
        ["Construction"],
        ["summer only"],
        [("Gail Summers", "Site manager", "gail@summitbuild.example", "555-0147", "phone")],
        None,
    ),
    "Riverbend Logistics": (
        "workforce board",
        "",
        ["Supply Chain & Transportation"],
        [],
        [("Omar Haddad", "HR lead", "omar@riverbend.example", "", "e-mail")],
        None,
    ),
    "Keystone Precision Manufacturing": (
        "alumni",
        "",
        ["Advanced Manufacturing"],
        ["mentors"],
        [("Dana Whitfield", "Plant manager", "dana@keystoneprecision.example", "", "e-mail")],
        None,
    ),
    "Riverside Community Credit Union": (
        "advisory council",
        "",
        ["Financial Services"],
        [],
        [("Marcus Bell", "Branch manager", "marcus@rccu.example", "555-0188", "phone")],
        None,
    ),
}
# Prospects the coordinator added by hand: name, website, source, recommended by, contact.
_PROSPECTS = [
    ("Bayview Dental Group", "https://bayviewdental.example", "referral", "Marcus Bell (RCCU)",
     ("Dr. Lena Park", "Owner", "lena@bayviewdental.example", "", "e-mail", False)),
    ("Cedar Valley Hospital", "https://cedarvalley.example", "cold outreach", "",
     ("Frank Moss", "Volunteer office", "frank@cedarvalley.example", "", "e-mail", True)),
]  # fmt: skip


def seed_partners() -> None:
    school = db.session.scalar(sa.select(School).filter_by(name=SCHOOL))
    if school is None:
        return
    rivera = db.session.scalar(sa.select(User).filter_by(email="rivera@riverside.example"))
    admin = db.session.scalar(sa.select(User).filter_by(email="admin@riverside.example"))
    assert rivera is not None and admin is not None
    today = clock.school_today(school)
    by_name = {
        record.organisation.name: record
        for record in db.session.scalars(
            sa.select(Partnership).join(Organisation).where(Partnership.school_id == school.id)
        )
    }
    for name, (source, referrer, clusters, tags, people, stage) in _RECORDS.items():
        record = by_name[name]
        record.owner_id = rivera.id if name != "Riverbend Logistics" else admin.id
        record.source, record.recommended_by = source, referrer
        records.set_labels(record, "cluster", clusters)
        records.set_labels(record, "tag", tags)
        for person, title, email, phone, channel in people:
            records.add_contact(
                record, rivera, name=person, title=title, email=email, phone=phone,
                channel=Channel(channel),
            )  # fmt: skip
        if stage is not None:
            records.set_stage(record, rivera, stage)
    for name, website, source, referrer, (who, role, address, number, how, shy) in _PROSPECTS:
        record, _ = records.add_partner(
            school, rivera, name=name, website=website, source=source, recommended_by=referrer
        )
        records.add_contact(
            record, rivera, name=who, title=role, email=address, phone=number,
            channel=Channel(how), do_not_contact=shy,
        )  # fmt: skip
        by_name[name] = record
    _history(by_name, rivera, today)
    _judging_days(school)
    _follow_ups(school, by_name, rivera, admin, today)
    _council(school, by_name, rivera, today)
    _public_page(by_name, rivera)
    _offered_project(school, by_name, rivera)
    automation.update(automation.rules_of(school)[0], rivera, enabled=True, daily_cap=10)
    _settle_last_contact(school)


def _history(by_name: dict[str, Partnership], rivera: User, today: date) -> None:
    """A few months of calls, meetings and activities, dated when they happened."""
    entries = [
        ("Harbor Health Clinic", 75, TouchpointKind.MEETING, "Coffee with Jordan: they want "
         "a patient check-in app and could take two interns next summer."),
        ("Summit Construction", 40, TouchpointKind.CALL, "Gail is interested in a site visit "
         "for the construction class. Call back after their bid season."),
        ("Riverbend Logistics", 110, TouchpointKind.EMAIL, "Sent the program overview; "
         "Omar said to try again in the new year."),
        ("Riverside Community Credit Union", 20, TouchpointKind.CALL, "Marcus recommends "
         "Bayview Dental; he will introduce us."),
        ("Bayview Dental Group", 12, TouchpointKind.EMAIL, "Intro e-mail from Marcus, "
         "copied to Dr. Park."),
        ("Cedar Valley Hospital", 30, TouchpointKind.NOTE, "Their volunteer office asked us "
         "not to contact them; try HR through the workforce board instead."),
    ]  # fmt: skip
    for name, days_ago, kind, summary in entries:
        record = by_name[name]
        log.log_by_hand(record, rivera, kind, today - timedelta(days=days_ago), summary)
    for name, days_ago, activity, reached, hours, note in (
        ("Harbor Health Clinic", 60, ActivityKind.GUEST_SPEAKER, 28, 1.5, "Careers in nursing"),
        ("Bright Circuit Robotics", 45, ActivityKind.FIELD_TRIP, 22, 3.0, "Factory floor tour"),
        ("Keystone Precision Manufacturing", 25, ActivityKind.MOCK_INTERVIEW, 12, 2.0, ""),
    ):
        log.add_activity(
            by_name[name], rivera, activity, today - timedelta(days=days_ago), reached, hours, note
        )


def _follow_ups(
    school: School, by_name: dict[str, Partnership], rivera: User, admin: User, today: date
) -> None:
    for name, title, days, who in (
        ("Summit Construction", "Call Gail back about the site visit", -2, rivera),
        ("Bayview Dental Group", "Invite Dr. Park to the spring demo day", 0, rivera),
        ("Harbor Health Clinic", "Ask Jordan about two summer interns", 5, rivera),
        ("Riverbend Logistics", "Try Omar again after the holidays", 30, admin),
    ):
        tasks.add_task(school, rivera, title, today + timedelta(days=days), who.id, by_name[name])


def _judging_days(school: School) -> None:
    """The demo's past event was back-dated after its judges' activities were recorded: date
    them on the day of the event."""
    for activity in db.session.scalars(
        sa.select(Activity).where(Activity.kind == ActivityKind.DEMO_DAY_JUDGE)
    ):
        event = db.session.scalar(sa.select(PitchEvent).filter_by(title=activity.note))
        if event is not None:
            activity.held_on = clock.local(event.starts_at, clock.zone(school.timezone)).date()


def _council(school: School, by_name: dict[str, Partnership], rivera: User, today: date) -> None:
    """Marcus Bell chairs the council, Priya Shah serves on it; a meeting held six weeks ago
    with minutes and an action item, the next one in three weeks; Marcus referred Bayview."""
    members = {}
    for org, role, since in (
        ("Riverside Community Credit Union", CouncilRole.CHAIR, 400),
        ("Bright Circuit Robotics", CouncilRole.MEMBER, 200),
    ):
        contact = by_name[org].contacts[0]
        members[org] = council.appoint(
            school, rivera, contact, role, today - timedelta(days=since), None
        )
    marcus = members["Riverside Community Credit Union"]
    bayview = by_name["Bayview Dental Group"]
    bayview.referred_by_member_id = marcus.id
    past = council.plan_meeting(
        school, rivera, today - timedelta(days=42), "School library",
        "1. What local employers need this year\n2. Spring demo day judges\n3. Referrals",
    )  # fmt: skip
    council.record_meeting(
        past, rivera, agenda=past.agenda,
        minutes="Employers want more hands-on data skills. Marcus will introduce Bayview "
        "Dental; Priya offers two judges for the spring demo day.",
        present={m.id for m in members.values()},
    )  # fmt: skip
    council.add_action_item(
        past, rivera, "Send Priya the demo day judging rubric", today + timedelta(days=3), rivera.id
    )
    council.plan_meeting(
        school, rivera, today + timedelta(days=21), "School library",
        "1. Spring projects so far\n2. Summer internships",
    )  # fmt: skip


_LOGO_COLOURS = {
    "Harbor Health Clinic": (14, 116, 144),
    "Bright Circuit Robotics": (234, 88, 12),
    "Riverside Community Credit Union": (22, 101, 52),
}


def _logo(name: str, colour: tuple[int, int, int]) -> bytes:
    """A made-up logo: the organisation's initials on its colour."""
    image = Image.new("RGB", (360, 120), colour)
    draw = ImageDraw.Draw(image)
    initials = "".join(word[0] for word in name.split()[:3])
    draw.text((24, 18), initials, font=ImageFont.load_default(size=72), fill="white")
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _public_page(by_name: dict[str, Partnership], rivera: User) -> None:
    """Three partners on the public page: one agreed in the product, two by e-mail."""
    blurbs = {
        "Harbor Health Clinic": "Mentored two teams and hosted a job shadow day.",
        "Bright Circuit Robotics": "Judged our demo day and gave a factory floor tour.",
        "Riverside Community Credit Union": "Chairs our advisory council.",
    }
    for name, blurb in blurbs.items():
        record = by_name[name]
        member = next(iter(record.organisation.members), None)
        if name == "Harbor Health Clinic" and member is not None:
            listing.consent_by_member(record, member, True, blurb)
            listing.set_listing(record, rivera, listed=True, blurb=blurb)
        else:
            who = record.contacts[0].name
            listing.set_listing(
                record, rivera, listed=True, blurb=blurb, consent=f"E-mail from {who}"
            )
        listing.save_logo(record, _logo(name, _LOGO_COLOURS[name]))


def _offered_project(school: School, by_name: dict[str, Partnership], rivera: User) -> None:
    """A published project offered to Summit Construction's site manager, who opened it."""
    projects = project_links.offerable_projects(school.id)
    if not projects:
        return
    gail = by_name["Summit Construction"].contacts[0]
    link = project_links.offer(gail, rivera, projects[0], "Dear {{ first_name }}, have a look.")
    project_links.opened(link)


def _settle_last_contact(school: School) -> None:
    """Each record's last contact is its newest contact in the log (the log was back-dated)."""
    newest = (
        sa.select(sa.func.max(Touchpoint.occurred_at))
        .where(
            Touchpoint.partnership_id == Partnership.id,
            Touchpoint.kind.not_in(log.NOT_CONTACT),
        )
        .scalar_subquery()
    )
    db.session.execute(
        sa.update(Partnership)
        .where(Partnership.school_id == school.id)
        .values(last_contact_at=newest)
        .execution_options(synchronize_session=False)
    )
    db.session.expire_all()
