"""The advisory council (members, terms, referrals, meetings and action items) and the automated
messages a school switches on (preview, daily cap, never to a do-not-contact contact)."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from marketplace import clock
from marketplace.extensions import db
from marketplace.models import (
    ActivityKind,
    AutomationKind,
    CouncilRole,
    EventStatus,
    FollowUpTask,
    Partnership,
    PartnerStage,
    Touchpoint,
    TouchpointKind,
    utcnow,
)
from marketplace.partners import automation, council, log, records

from .helpers import field_errors, words


def _member(make, school, teacher, name="Marcus Bell", org="Riverside Credit Union"):
    record = make.prospect(school, org)
    contact = make.partner_contact(record, name=name)
    today = clock.school_today(school)
    return council.appoint(school, teacher, contact, CouncilRole.CHAIR, today, None), record


def test_a_council_member_serves_a_term_and_their_partner_becomes_advisory(client, make, login):
    school = make.school()
    teacher = make.teacher(school=school)
    record = make.prospect(school, "Riverside Credit Union")
    marcus = make.partner_contact(record, name="Marcus Bell")
    db.session.commit()
    login(teacher)
    today = clock.school_today(school)
    bad = client.post(
        "/partners/council/members",
        data={
            "contact": str(marcus.id),
            "role": "chair",
            "term_start": today.isoformat(),
            "term_end": (today - timedelta(days=1)).isoformat(),
        },
    )
    assert bad.status_code == 422
    assert "The term cannot end before it starts." in field_errors(bad)
    client.post(
        "/partners/council/members",
        data={"contact": str(marcus.id), "role": "chair", "term_start": today.isoformat()},
    )
    db.session.refresh(record)
    assert record.stage is PartnerStage.ADVISORY
    page = words(client.get("/partners/council"))
    assert "Marcus Bell Riverside Credit Union chair" in page
    outsider = make.partner_contact(make.prospect(make.school()), name="Not Ours")
    db.session.commit()
    assert (
        client.post(
            "/partners/council/members",
            data={"contact": str(outsider.id), "role": "member", "term_start": today.isoformat()},
        ).status_code
        == 422
    )


def test_a_members_referral_becomes_a_prospect_recommended_by_them_and_is_counted(
    client, make, login
):
    school = make.school()
    teacher = make.teacher(school=school)
    member, _record = _member(make, school, teacher)
    db.session.commit()
    login(teacher)
    response = client.post(
        f"/partners/council/members/{member.id}/refer",
        data={
            "name": "Bayview Dental",
            "website": "bayviewdental.example",
            "contact_name": "Dr. Lena Park",
            "contact_email": "lena@bayviewdental.example",
            "note": "Hires dental assistants every summer.",
        },
    )
    referred = db.session.scalar(
        sa.select(Partnership).where(Partnership.referred_by_member_id == member.id)
    )
    assert response.headers["Location"].endswith(f"/partners/{referred.id}")
    assert referred.source == "advisory council" and referred.stage is PartnerStage.PROSPECT
    assert referred.recommended_by == "Marcus Bell (Riverside Credit Union)"
    assert [c.name for c in referred.contacts] == ["Dr. Lena Park"]
    page = words(client.get(f"/partners/{referred.id}"))
    assert "Referred by Marcus Bell (Riverside Credit Union), advisory council." in page
    assert "Marcus Bell Riverside Credit Union chair" in words(client.get("/partners/council"))
    [row] = council.members(school)
    assert row.referrals == 1


def test_a_meeting_keeps_its_agenda_attendance_minutes_and_action_items(client, make, login):
    school = make.school()
    teacher = make.teacher(school=school)
    member, record = _member(make, school, teacher)
    db.session.commit()
    login(teacher)
    today = clock.school_today(school)
    response = client.post(
        "/partners/council/meetings",
        data={"held_on": today.isoformat(), "place": "Library", "agenda": "1. Spring projects"},
    )
    meeting_path = response.headers["Location"]
    client.post(
        meeting_path,
        data={
            "agenda": "1. Spring projects",
            "minutes": "Marcus will ask two banks.",
            "present": [str(member.id)],
        },
    )
    client.post(
        f"{meeting_path}/actions",
        data={
            "title": "Send Marcus the project list",
            "due_on": (today + timedelta(days=5)).isoformat(),
            "assignee": str(teacher.id),
        },
    )
    page = words(client.get(meeting_path))
    assert "Marcus will ask two banks." in page and "Send Marcus the project list" in page
    [task] = db.session.scalars(sa.select(FollowUpTask)).all()
    assert task.assignee_id == teacher.id and task.meeting_id is not None
    attended = db.session.scalars(
        sa.select(Touchpoint).where(
            Touchpoint.partnership_id == record.id, Touchpoint.kind == TouchpointKind.MEETING
        )
    ).all()
    assert len(attended) == 1 and "attended the advisory council meeting" in attended[0].summary
    client.post(meeting_path, data={"minutes": "again", "present": [str(member.id)]})
    assert (
        db.session.scalar(
            sa.select(sa.func.count(Touchpoint.id)).where(Touchpoint.kind == TouchpointKind.MEETING)
        )
        == 1
    )


def test_automated_thanks_respect_the_cap_and_never_reach_a_do_not_contact(make, outbox):
    school = make.school()
    teacher = make.teacher(school=school)
    today = clock.school_today(school)
    for n in range(4):
        record = make.prospect(school, f"Partner {n}")
        make.partner_contact(
            record, name=f"Person {n}", email=f"p{n}@p.example", do_not_contact=(n == 0)
        )
        log.add_activity(record, teacher, ActivityKind.GUEST_SPEAKER, today)
    [thanks, _event, _check] = automation.rules_of(school)
    assert automation.run() == 0  # off until switched on
    automation.update(thanks, teacher, enabled=True, daily_cap=2)
    preview = automation.due(thanks)
    assert [m.contact.name for m in preview] == ["Person 1", "Person 2"]
    assert preview[0].subject == f"Thank you from {school.name}"
    assert preview[0].body.startswith("Dear Person,")
    assert automation.run() == 2
    assert automation.run() == 0  # the cap for today is spent
    db.session.commit()  # the mail leaves with the commit
    assert outbox.to("p0@p.example") == []
    assert {m["To"] for m in outbox.messages} == {"p1@p.example", "p2@p.example"}
    automation.update(thanks, teacher, daily_cap=10)
    assert automation.run() == 1 and automation.run() == 0  # each once


def test_partners_quiet_for_long_are_asked_how_things_are_and_a_cluster_invited(make, outbox):
    school = make.school()
    teacher = make.teacher(school=school)
    quiet = make.prospect(school, "Quiet Mill", stage=PartnerStage.PARTNER)
    quiet.last_contact_at = utcnow() - timedelta(days=120)
    make.partner_contact(quiet, name="Quinn", email="quinn@mill.example")
    fresh = make.prospect(school, "Busy Clinic", stage=PartnerStage.PARTNER)
    fresh.last_contact_at = utcnow() - timedelta(days=3)
    make.partner_contact(fresh, name="Bea", email="bea@clinic.example")
    records.set_labels(fresh, "cluster", ["Healthcare & Human Services"])
    make.pitch_event(author=teacher, status=EventStatus.PUBLISHED, title="Spring Demo Day")
    rules = {r.kind: r for r in automation.rules_of(school)}
    automation.update(rules[AutomationKind.CHECK_IN], teacher, enabled=True, quiet_days=90)
    automation.update(
        rules[AutomationKind.EVENT], teacher, enabled=True, cluster="Healthcare & Human Services"
    )
    assert [m.contact.name for m in automation.due(rules[AutomationKind.CHECK_IN])] == ["Quinn"]
    invited = automation.due(rules[AutomationKind.EVENT])
    assert [m.contact.name for m in invited] == ["Bea"] and "Spring Demo Day" in invited[0].body
    assert automation.run() == 2
    assert automation.run() == 0
    db.session.commit()
    assert [m["Subject"] for m in outbox.to("quinn@mill.example")] == [
        "How are things at Quiet Mill?"
    ]


def test_the_automation_page_previews_and_switches_a_rule_on(client, make, login):
    school = make.school()
    teacher = make.teacher(school=school)
    record = make.prospect(school, "Harbor Bakery")
    make.partner_contact(record, name="Dana Ruiz", email="dana@bakery.example")
    log.add_activity(record, teacher, ActivityKind.CAREER_DAY, clock.school_today(school))
    db.session.commit()
    login(teacher)
    page = words(client.get("/partners/automation"))
    assert "Next run: 1 message" in page and "Dana Ruiz — Harbor Bakery" in page
    client.post("/partners/automation/thanks", data={"enabled": "y", "daily_cap": "5"})
    [rule, *_] = automation.rules_of(school)
    assert rule.enabled and rule.daily_cap == 5
    refused = client.post("/partners/automation/check-in", data={"daily_cap": "0"})
    assert refused.status_code == 422
