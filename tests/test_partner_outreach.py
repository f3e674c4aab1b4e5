"""Outreach that reaches someone: mail to a partner's contact from a template, its unsubscribe
link, and a project offered by a signed link to a business that never said yes."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from marketplace.extensions import db
from marketplace.models import (
    Engagement,
    FollowUpTask,
    OrganisationStatus,
    PartnerStage,
    ProjectLink,
    ProjectStatus,
    Rung,
    Touchpoint,
    TouchpointKind,
    utcnow,
)
from marketplace.organisations import services as organisations
from marketplace.partners import outreach, project_links

from .helpers import field_errors, flashes, text_of, words


def _body(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def _prospect(make, *, contact_name: str = "Dana Ruiz", **contact):
    school = make.school("Riverside High")
    teacher = make.teacher(school=school, first_name="Maria", last_name="Rivera")
    record = make.prospect(school, "Harbor Bakery")
    dana = make.partner_contact(
        record, name=contact_name, email="dana@harborbakery.example", **contact
    )
    return school, teacher, record, dana


def test_a_prospects_contact_gets_the_mail_from_the_school_and_it_is_logged(
    client, make, login, outbox
):
    _school, teacher, record, dana = _prospect(make)
    db.session.commit()
    login(teacher)
    page = words(client.get(f"/partners/contacts/{dana.id}/write?template=introduction"))
    assert "Dear {{ first_name }}" in page
    preview = client.post(
        f"/partners/contacts/{dana.id}/write",
        data={
            "subject": "Hello {{ organisation }}",
            "body": "Dear {{ first_name }}, hi.",
            "preview": "1",
        },
    )
    assert "Hello Harbor Bakery" in words(preview) and "Dear Dana, hi." in words(preview)
    assert outbox.messages == []  # a preview sends nothing
    response = client.post(
        f"/partners/contacts/{dana.id}/write",
        data={
            "subject": "Hello {{ organisation }}",
            "body": "Dear {{ first_name }},\n\nHi.\n\n{{ sender }}",
        },
    )
    assert response.status_code == 303
    [message] = outbox.to("dana@harborbakery.example")
    assert message["Subject"] == "Hello Harbor Bakery"
    assert message["From"].startswith("Riverside High <")
    assert message["Reply-To"] == f"Maria Rivera <{teacher.email}>"
    assert "/partners/unsubscribe/" in message["List-Unsubscribe"]
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert _body(message).startswith("Dear Dana,\n\nHi.\n\nMaria Rivera")
    [entry] = db.session.scalars(sa.select(Touchpoint).filter_by(partnership_id=record.id)).all()
    assert entry.kind is TouchpointKind.EMAIL and entry.owner_id == teacher.id
    assert [c.id for c in entry.contacts] == [dana.id]
    db.session.refresh(record)
    assert record.stage is PartnerStage.CONTACTED


def test_an_unknown_merge_field_is_refused_and_the_text_kept(client, make, login, outbox):
    _school, teacher, _record, dana = _prospect(make)
    db.session.commit()
    login(teacher)
    response = client.post(
        f"/partners/contacts/{dana.id}/write",
        data={"subject": "Hi", "body": "Dear {{ frist_name }}, our offer."},
    )
    assert response.status_code == 422
    assert "Unknown merge field: {{ frist_name }}." in field_errors(response)
    assert "Dear {{ frist_name }}, our offer." in text_of(response)
    assert outbox.messages == []


def test_the_unsubscribe_link_works_without_logging_in_and_is_honoured(client, make, login, outbox):
    _school, teacher, record, dana = _prospect(make)
    outreach.send(dana, teacher, "Hello", "Hi {{ first_name }}")
    db.session.commit()
    link = outbox.last_link("dana@harborbakery.example", "/partners/unsubscribe/")
    assert "Receive no more e-mail from Riverside High?" in words(client.get(link))
    assert db.session.get(type(dana), dana.id).unsubscribed_at is None  # a GET changes nothing
    done = client.post(link)  # one click, as a mail client posts it: no CSRF token
    assert "will send no more e-mail to this address" in words(done)
    db.session.refresh(dana)
    assert dana.unsubscribed_at is not None
    assert client.post(link).status_code == 200  # twice is harmless
    assert client.get(link.replace("unsubscribe/", "unsubscribe/x")).status_code == 404
    login(teacher)
    refused = client.get(f"/partners/contacts/{dana.id}/write", follow_redirects=True)
    assert "Dana Ruiz cannot be e-mailed: unsubscribed." in flashes(refused)
    assert "Dana Ruiz unsubscribed from the school's e-mail." in words(
        client.get(f"/partners/{record.id}")
    )
    assert len(outbox.to("dana@harborbakery.example")) == 1


def test_nobody_marked_do_not_contact_is_written_to(client, make, login, outbox):
    _school, teacher, _record, dana = _prospect(make, do_not_contact=True)
    db.session.commit()
    login(teacher)
    response = client.post(
        f"/partners/contacts/{dana.id}/write", data={"subject": "Hi", "body": "Hello"}
    )
    assert response.status_code == 303
    assert "Dana Ruiz cannot be e-mailed: do not contact." in flashes(client.get("/partners"))
    assert outbox.messages == []


def _published(make, school, teacher, **kw):
    classroom = make.classroom(teacher)
    student = make.student(classroom, first_name="Ava", last_name="Martinez")
    team = make.team(classroom, [student], name="Night Owls")
    kw.setdefault("title", "Bake planner")
    kw.setdefault("pitch", "Bake what sells.")
    return make.project(
        team,
        make.challenge(school, author=teacher, title="Fewer wasted loaves"),
        ProjectStatus.PUBLISHED,
        **kw,
    )


def test_a_project_offered_by_link_shows_that_project_and_nothing_more(client, make, login, outbox):
    school, teacher, _record, dana = _prospect(make)
    project = _published(make, school, teacher, ask="A baker to test it for a week")
    other = _published(make, school, teacher, title="Secret sourdough")
    db.session.commit()
    login(teacher)
    response = client.post(
        f"/partners/contacts/{dana.id}/offer",
        data={
            "project": str(project.id),
            "message": "Dear {{ first_name }}, have a look.",
            "days": "14",
        },
    )
    assert response.status_code == 303
    link = outbox.last_link("dana@harborbakery.example", "/partners/project/")
    client.post("/auth/logout")
    page = words(client.get(link))
    assert "Bake planner" in page and "Bake what sells." in page and "Night Owls" in page
    assert "A baker to test it for a week" in page and "I'm interested" in page
    for hidden in ("Martinez", "Ava", other.title):
        assert hidden not in page
    assert client.get(link.replace("/project/", "/project/x")).status_code == 404
    client.get(link)
    row = db.session.scalar(sa.select(ProjectLink))
    assert row.opens == 2
    opened = db.session.scalars(
        sa.select(Touchpoint).where(Touchpoint.summary.like("%opened the link%"))
    ).all()
    assert len(opened) == 1  # the first opening is logged, once


def test_im_interested_is_a_lead_a_task_and_an_invitation_to_sign_up(client, make, outbox):
    school, teacher, record, dana = _prospect(make)
    project = _published(make, school, teacher)
    project_links.offer(dana, teacher, project, "Have a look.")
    db.session.commit()
    link = outbox.last_link("dana@harborbakery.example", "/partners/project/")
    response = client.post(link, data={"note": "We could test it in March."})
    assert response.status_code == 303
    assert "knows you are interested" in words(client.get(link))
    row = db.session.scalar(sa.select(ProjectLink))
    assert row.interested_at is not None and row.interest_note == "We could test it in March."
    [lead] = db.session.scalars(
        sa.select(Touchpoint).where(Touchpoint.kind == TouchpointKind.LEAD)
    ).all()
    assert "Dana Ruiz is interested in “Bake planner” (Night Owls)." in lead.summary
    [task] = db.session.scalars(sa.select(FollowUpTask)).all()
    assert task.assignee_id == teacher.id and task.partnership_id == record.id
    thanks = outbox.to("dana@harborbakery.example")[-1]
    assert "create a free employer account" in _body(thanks)
    db.session.refresh(record)
    assert record.stage is PartnerStage.ENGAGED
    client.post(link, data={"note": "again"})
    assert len(db.session.scalars(sa.select(FollowUpTask)).all()) == 1


def test_a_link_is_refused_once_expired_or_withdrawn(client, make, login, outbox):
    school, teacher, _record, dana = _prospect(make)
    project = _published(make, school, teacher)
    row = project_links.offer(dana, teacher, project, "Look.")
    db.session.commit()
    link = outbox.last_link("dana@harborbakery.example", "/partners/project/")
    login(teacher)
    client.post(f"/partners/links/{row.id}/revoke")
    client.post("/auth/logout")
    refused = client.get(link)
    assert refused.status_code == 410
    assert "The school has withdrawn this link." in words(refused)
    assert "Bake planner" not in words(refused)
    assert client.post(link, data={}).status_code == 410
    row2 = project_links.offer(dana, teacher, project, "Look again.")
    row2.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    expired = client.get(outbox.last_link("dana@harborbakery.example", "/partners/project/"))
    assert expired.status_code == 410 and "This link has expired." in words(expired)


def test_the_lead_becomes_an_engagement_once_the_organisation_is_verified(make, outbox):
    school, teacher, record, dana = _prospect(make)
    project = _published(make, school, teacher)
    row = project_links.offer(dana, teacher, project, "Look.")
    project_links.interested(row, "Keen to mentor.")
    organisation = record.organisation
    organisation.status = OrganisationStatus.ACTIVE
    make.employer(organisation, email="dana@harborbakery.example")
    organisations.decide(record, teacher, True)
    engagement = db.session.scalar(sa.select(Engagement))
    assert engagement.project_id == project.id and engagement.organisation_id == organisation.id
    assert engagement.rung is Rung.INTEREST
    assert row.engagement_id == engagement.id
    kinds = [
        t.kind
        for t in db.session.scalars(
            sa.select(Touchpoint)
            .where(Touchpoint.partnership_id == record.id)
            .order_by(Touchpoint.id)
        )
    ]
    assert TouchpointKind.LEAD in kinds and TouchpointKind.INTEREST in kinds  # history kept
