"""The partner network's guard rails: what one school keeps is never shown to the organisation
or to another school, an unsubscribe holds whatever row the address is typed in, and bad input
is a message, never a 500."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from marketplace import clock
from marketplace.extensions import db
from marketplace.models import (
    CouncilRole,
    EventStatus,
    Organisation,
    Partnership,
    PartnerStage,
    ProjectLink,
    ProjectStatus,
    VerificationStatus,
)
from marketplace.partners import council, imports, outreach, project_links, records
from marketplace.pitch_events import interests

from .helpers import field_errors, words


def test_a_school_keeping_an_organisation_in_its_network_is_not_shown_to_its_members(
    client, make, login
):
    school = make.school("Riverside High")
    teacher = make.teacher(school=school)
    organisation = make.organisation(name="Harbor Health", website="https://harbor.example")
    member = make.employer(organisation)
    record, created = records.add_partner(
        school, teacher, name="Harbor Health", website="harbor.example"
    )
    assert created and record.status is VerificationStatus.NOT_ASKED
    db.session.commit()
    login(teacher)
    assert "Harbor Health" not in words(client.get("/partners/verification"))
    login(member)
    profile = words(client.get("/organisation"))
    assert "Riverside High" in profile  # offered as a school to ask
    assert "awaiting verification" not in profile
    client.post("/organisation", data={"school_ids": [str(school.id)]})
    db.session.refresh(record)
    assert record.status is VerificationStatus.PENDING  # asked now: the same record


def test_two_businesses_of_one_name_and_different_sites_stay_two(make):
    school_a, school_b = make.school(), make.school()
    make.organisation(name="Summit", website="https://summit-build.example")
    record, created = records.add_partner(
        school_b, make.teacher(school=school_b), name="Summit", website="summit-dental.example"
    )
    assert created and record.organisation.website == "summit-dental.example"
    assert db.session.scalar(sa.select(sa.func.count(Organisation.id))) == 2
    assert school_a.id  # the other school's organisation is untouched


def _offer(make):
    school = make.school()
    teacher = make.teacher(school=school)
    record = make.prospect(school, "Harbor Bakery")
    dana = make.partner_contact(record, name="Dana Ruiz", email="dana@bakery.example")
    classroom = make.classroom(teacher)
    project = make.project(
        make.team(classroom, [make.student(classroom)]),
        make.challenge(school, author=teacher),
        ProjectStatus.PUBLISHED,
    )
    return school, teacher, record, dana, project


def test_a_new_address_withdraws_the_links_sent_to_the_old_one(make):
    _school, teacher, _record, dana, project = _offer(make)
    link = project_links.offer(dana, teacher, project, "Look.")
    records.update_contact(dana, teacher, email="dana@elsewhere.example")
    db.session.refresh(link)
    assert project_links.problem(link) == "The school has withdrawn this link."


def test_an_unsubscribed_address_is_never_mailed_again_from_another_row(make):
    school, teacher, record, dana, _project = _offer(make)
    outreach.unsubscribe(dana)
    again = make.partner_contact(record, name="D. Ruiz", email="DANA@bakery.example")
    other = make.prospect(school, "Bakery Two")
    copy = make.partner_contact(other, name="Dana", email="dana@bakery.example")
    for contact in (again, copy):
        try:
            outreach.send(contact, teacher, "Hi", "Hello")
        except outreach.OutreachError as refusal:
            assert "unsubscribed" in str(refusal)
        else:
            raise AssertionError("mailed an address that unsubscribed")
    records.update_contact(dana, teacher, email="dana2@bakery.example")
    assert dana.unsubscribed_at is not None  # a new address typed in does not resubscribe


def test_a_lead_from_a_free_mail_guest_makes_no_shared_prospect(make):
    school = make.school()
    teacher = make.teacher(school=school)
    classroom = make.classroom(teacher)
    project = make.project(
        make.team(classroom, [make.student(classroom)]),
        make.challenge(school, author=teacher),
        ProjectStatus.PUBLISHED,
    )
    event = make.pitch_event(author=teacher, status=EventStatus.CLOSED, presenters=[project])
    guest = make.event_guest(event, name="Sam", email="sam@gmail.com")
    interests.express(guest, event.presenters[0])
    assert (
        db.session.scalar(sa.select(Organisation).where(Organisation.name == "gmail.com")) is None
    )
    assert db.session.scalar(sa.select(sa.func.count(Partnership.id))) == 0


def test_a_referral_of_a_known_business_is_refused(make):
    school = make.school()
    teacher = make.teacher(school=school)
    record = make.prospect(school, "Riverside CU")
    member = council.appoint(
        school, teacher, make.partner_contact(record), CouncilRole.MEMBER,
        clock.school_today(school), None,
    )  # fmt: skip
    make.prospect(school, "Known Co")
    try:
        council.refer(member, teacher, name="Known Co")
    except council.CouncilError as refusal:
        assert "in the school's network already" in str(refusal)
    else:
        raise AssertionError("a known business counted as a referral")
    assert council.members(school)[0].referrals == 0
    assert record.stage is PartnerStage.ADVISORY


def test_two_rows_naming_one_known_organisation_two_ways_import_once(make):
    school = make.school()
    teacher = make.teacher(school=school)
    make.organisation(name="Harbor Health", website="https://harbor.example")
    data = b"Organisation,Website\nHarbor Health,\nHarbor Clinic,harbor.example\n"
    preview = imports.read(data, school)
    assert len(preview.new) == 1 and preview.duplicates[0].duplicate_of == 2
    imports.apply(preview, school, teacher)
    assert db.session.scalar(sa.select(sa.func.count(Partnership.id))) == 1


def test_bad_numbers_and_days_are_messages_not_errors(client, make, login):
    school = make.school()
    record = make.prospect(school)
    login(make.teacher(school=school))
    assert client.get("/partners?quiet=800000").status_code == 200
    assert client.get("/partners/export.csv?quiet=800000").status_code == 200
    response = client.post(
        f"/partners/{record.id}/activities", data={"kind": "career day", "held_on": "0001-01-01"}
    )
    assert response.status_code == 422 and "Check the year." in field_errors(response)
    future = (clock.school_today(school) + timedelta(days=3)).isoformat()
    response = client.post(
        f"/partners/{record.id}/log", data={"kind": "call", "day": future, "summary": "Hi"}
    )
    assert response.status_code == 422
    assert "That day has not come yet: log what has happened." in field_errors(response)


def test_opening_a_link_is_noted_but_is_not_interest(client, make, outbox):
    _school, teacher, record, dana, project = _offer(make)
    project_links.offer(dana, teacher, project, "Look.")
    db.session.commit()
    client.get(outbox.last_link("dana@bakery.example", "/partners/project/"))
    db.session.refresh(record)
    assert record.stage is PartnerStage.CONTACTED  # the e-mail; opening it is no engagement
    assert db.session.scalar(sa.select(ProjectLink.opens)) == 1
