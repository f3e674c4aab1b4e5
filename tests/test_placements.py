"""Placements: an individual offer accepted becomes one student's placement; its training
agreement is signed by the student and coordinator here and by the guardian and supervisor
through personal links; a change of terms reopens the signatures; the PDF carries an audit page.
A guardian's consent to an offer is given the same way."""

from __future__ import annotations

import io
from datetime import timedelta

import pypdfium2 as pdfium
import sqlalchemy as sa

from marketplace import clock
from marketplace.engagements import ladder
from marketplace.extensions import db
from marketplace.models import (
    GuardianConsent,
    OfferRecipient,
    OfferStatus,
    Placement,
    PlacementLink,
    PlacementStatus,
    ProjectStatus,
    Rung,
    Signature,
    SignerRole,
    utcnow,
)
from marketplace.placements import consent, records

from .helpers import flashes, text_of, words

GUARDIAN = "pat.lee@family.example"
SUPERVISOR = "sam.ortiz@harborhealth.example"


def build(make, age: int = 16):
    """A team of two (Maya, `age`; Noah, 17) at externship with Harbor Health; an approved
    internship offer to Maya by name."""
    school = make.school("Riverside High")
    school.min_age_internship = 14  # the hours tests place a 15-year-old too
    teacher = make.teacher(school=school, first_name="Maria", last_name="Rivera")
    classroom = make.classroom(teacher=teacher)
    maya = make.student(classroom, age=age, first_name="Maya", last_name="Lopez")
    noah = make.student(classroom, age=17, first_name="Noah", last_name="Kim")
    team = make.team(classroom, [maya, noah])
    project = make.project(team, status=ProjectStatus.PUBLISHED)
    org = make.organisation(verified_by=[school], name="Harbor Health")
    employer = make.employer(org, first_name="Jordan", email="jordan@harborhealth.example")
    engagement = make.engagement(project, employer, rung=Rung.EXTERNSHIP)
    offer = make.offer(
        engagement,
        rung=Rung.INTERNSHIP,
        status=OfferStatus.APPROVED,
        recipients=[OfferRecipient(student_id=maya.id)],
        start_date=clock.school_today(school) - timedelta(days=14),
        end_date=clock.school_today(school) + timedelta(days=42),
        respond_by=clock.school_today(school),
        hours_per_week=10,
    )
    return locals()


def placed(make, age: int = 16):
    """The world with Maya's consent recorded and her acceptance: her placement open."""
    w = build(make, age)
    today = clock.school_today(w["school"])
    if age < 18:
        ladder.record_consent(w["offer"], w["teacher"], w["maya"], today, "signed form")
    ladder.accept(w["offer"], w["maya"], today)
    w["placement"] = db.session.scalars(sa.select(Placement)).one()
    p = w["placement"]
    records.change_terms(p, w["teacher"], {"supervisor_email": SUPERVISOR})
    consent.save_guardian(w["maya"], w["teacher"], "Pat Lee", GUARDIAN)
    db.session.commit()
    return w


def sign_all(w, client, login, outbox) -> None:
    """Everyone signs: the student and teacher in the app, guardian and supervisor by link."""
    p = w["placement"]
    for who in (w["maya"], w["teacher"]):
        login(who)
        response = client.post(
            f"/placements/{p.id}/sign",
            data={"typed_name": who.full_name, "agree": "y", "terms_hash": p.terms_hash},
        )
        assert response.status_code == 303, text_of(response)
    login(w["teacher"])
    client.post(f"/placements/{p.id}/signatures/request")
    for address, name in ((GUARDIAN, "Pat Lee"), (SUPERVISOR, "Sam Ortiz")):
        path = outbox.last_link(address, "/p/sign/")
        response = client.post(
            path, data={"typed_name": name, "agree": "y", "terms_hash": p.terms_hash}
        )
        assert response.status_code == 200, text_of(response)


def test_accepting_an_internship_opens_the_students_placement_with_a_drafted_agreement(make):
    w = placed(make)
    p = w["placement"]
    assert (p.student_id, p.rung, p.status) == (
        w["maya"].id,
        Rung.INTERNSHIP,
        PlacementStatus.AGREEMENT,
    )
    assert p.organisation_id == w["org"].id and p.coordinator_id == w["teacher"].id
    assert p.expected_hours == 10 * 9  # 57 days: nine weeks begun
    assert p.training_plan and p.safety_items
    assert records.signer_roles(p) == list(SignerRole)  # 16: the guardian signs too
    assert w["engagement"].rung is Rung.INTERNSHIP


def test_an_adult_student_needs_no_guardians_signature(make):
    w = placed(make, age=19)
    assert SignerRole.GUARDIAN not in records.signer_roles(w["placement"])


def test_everyone_signs_and_the_placement_starts(make, client, login, outbox):
    w = placed(make)
    p = w["placement"]
    sign_all(w, client, login, outbox)
    db.session.expire_all()
    assert p.status is PlacementStatus.ACTIVE and p.signed_at is not None
    by_role = {s.role: s for s in p.signatures}
    assert set(by_role) == set(SignerRole)
    assert by_role[SignerRole.GUARDIAN].typed_name == "Pat Lee"
    assert by_role[SignerRole.GUARDIAN].link_id is not None
    assert by_role[SignerRole.STUDENT].user_id == w["maya"].id
    assert all(s.terms_hash == p.terms_hash for s in p.signatures)


def test_a_change_after_signing_reopens_every_signature_and_keeps_the_old_ones(
    make, client, login, outbox
):
    w = placed(make)
    p = w["placement"]
    sign_all(w, client, login, outbox)
    old_hash = p.terms_hash
    login(w["teacher"])
    form = {
        "start_date": p.start_date.isoformat(),
        "end_date": p.end_date.isoformat(),
        "expected_hours": "120",
        "worksite_address": "1 Harbor Way",
        "supervisor_name": "Sam Ortiz",
        "supervisor_email": SUPERVISOR,
        "workers_comp": "employer",
        "training_plan": "Shadow the billing team",
        "safety_items": "Fire exits",
    }
    response = client.post(f"/placements/{p.id}/agreement", data=form)
    assert response.status_code == 303
    db.session.expire_all()
    assert p.terms_hash != old_hash and p.status is PlacementStatus.AGREEMENT
    assert records.current_signatures(p) == {}
    assert len(p.signatures) == 4  # kept, of the earlier terms
    page = words(client.get(f"/placements/{p.id}"))
    assert "Waiting for: student, guardian, workplace supervisor, school coordinator" in page
    # The same change again changes nothing.
    client.post(f"/placements/{p.id}/agreement", data=form)
    db.session.expire_all()
    assert records.current_signatures(p) == {}


def test_a_signature_of_terms_that_changed_while_reading_is_refused(make, client, login):
    w = placed(make)
    p = w["placement"]
    seen = p.terms_hash
    records.change_terms(p, w["teacher"], {"expected_hours": 200})
    db.session.commit()
    login(w["maya"])
    client.post(
        f"/placements/{p.id}/sign",
        data={"typed_name": "Maya Lopez", "agree": "y", "terms_hash": seen},
    )
    assert db.session.scalars(sa.select(Signature)).all() == []


def test_the_sign_form_keeps_what_was_typed_and_says_what_is_missing(make, client, login):
    w = placed(make)
    login(w["maya"])
    response = client.post(
        f"/placements/{w['placement'].id}/sign", data={"typed_name": "Maya Lopez"}
    )
    assert response.status_code == 422
    assert "Tick the box to agree." in text_of(response)
    assert 'value="Maya Lopez"' in text_of(response)


def test_a_signing_link_works_once_expires_and_is_replaced_by_a_new_one(
    make, client, login, outbox
):
    w = placed(make)
    p = w["placement"]
    login(w["teacher"])
    client.post(f"/placements/{p.id}/signatures/request")
    first = outbox.last_link(GUARDIAN, "/p/sign/")
    assert client.get(first).status_code == 200
    client.post(f"/placements/{p.id}/signatures/request")  # sent again: the first is revoked
    assert client.get(first).status_code == 410
    second = outbox.last_link(GUARDIAN, "/p/sign/")
    assert (
        client.post(
            second, data={"typed_name": "Pat Lee", "agree": "y", "terms_hash": p.terms_hash}
        ).status_code
        == 200
    )
    gone = client.get(second)
    assert gone.status_code == 410 and "works once" in text_of(gone)
    # Expired.
    supervisor_link = db.session.scalars(
        sa.select(PlacementLink).where(
            PlacementLink.role == SignerRole.SUPERVISOR, PlacementLink.revoked_at.is_(None)
        )
    ).one()
    supervisor_link.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert client.get(outbox.last_link(SUPERVISOR, "/p/sign/")).status_code == 410
    # Forged, or a token of another purpose.
    assert client.get(second[:-3] + "abc").status_code == 404
    assert client.get(second.replace("/p/sign/", "/p/verify/")).status_code == 404


def test_the_supervisors_link_shows_only_what_the_workplace_needs(make, client, login, outbox):
    w = placed(make)
    p = w["placement"]
    records.change_terms(
        p, w["teacher"], {"emergency_name": "Pat Lee", "emergency_phone": "555-0100"}
    )
    db.session.commit()
    login(w["teacher"])
    client.post(f"/placements/{p.id}/signatures/request")
    supervisor_page = words(client.get(outbox.last_link(SUPERVISOR, "/p/sign/")))
    assert "Maya L." in supervisor_page and "Lopez" not in supervisor_page
    assert "555-0100" not in supervisor_page
    guardian_page = words(client.get(outbox.last_link(GUARDIAN, "/p/sign/")))
    assert "Maya Lopez" in guardian_page and "555-0100" in guardian_page


def test_the_agreement_pdf_has_the_terms_and_an_audit_page(make, client, login, outbox):
    w = placed(make)
    sign_all(w, client, login, outbox)
    login(w["teacher"])
    response = client.get(f"/placements/{w['placement'].id}/agreement.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    pdf = pdfium.PdfDocument(io.BytesIO(response.data))
    text = " ".join(
        " ".join(pdf[i].get_textpage().get_text_range().split()) for i in range(len(pdf))
    )
    assert len(pdf) >= 2
    assert "Maya Lopez" in text and "Harbor Health" in text and "Audit trail" in text
    assert "Pat Lee" in text and "personal link by e-mail" in text
    login(w["employer"])
    host_pdf = pdfium.PdfDocument(
        io.BytesIO(client.get(f"/placements/{w['placement'].id}/agreement.pdf").data)
    )
    host_text = " ".join(host_pdf[i].get_textpage().get_text_range() for i in range(len(host_pdf)))
    assert "Maya L." in host_text and "Lopez" not in host_text


def test_who_sees_a_placement(make, client, login):
    w = placed(make)
    p = w["placement"]
    outsider_school = make.school("Other High")
    for user, status in (
        (w["maya"], 200),
        (w["teacher"], 200),
        (w["employer"], 200),
        (w["noah"], 404),  # a teammate: the placement is Maya's
        (make.teacher(school=outsider_school), 404),
        (make.employer(make.organisation(verified_by=[w["school"]])), 404),
    ):
        db.session.commit()
        login(user)
        assert client.get(f"/placements/{p.id}").status_code == status, user
    login(w["employer"])
    page = words(client.get(f"/placements/{p.id}"))
    assert "Maya L." in page and "Lopez" not in page


def test_a_guardian_consents_to_the_offer_by_link_and_the_student_may_accept(
    make, client, login, outbox
):
    w = build(make)
    db.session.commit()
    login(w["teacher"])
    response = client.post(
        f"/offers/{w['offer'].id}/ask-consent",
        data={"student_id": w["maya"].id, "name": "Pat Lee", "email": GUARDIAN},
    )
    assert response.status_code == 303
    assert any("consent link was sent" in f for f in flashes(client.get(response.location)))
    path = outbox.last_link(GUARDIAN, "/p/consent/")
    page = words(client.get(path))
    assert "Consent for Maya: an internship" in page and "Harbor Health" in page
    client.post(
        path, data={"typed_name": "Pat Lee", "agree": "y"}, headers={"User-Agent": "Phone/1"}
    )
    consent_row = db.session.scalars(sa.select(GuardianConsent)).one()
    assert consent_row.typed_name == "Pat Lee" and consent_row.user_agent == "Phone/1"
    assert consent_row.recorded_by_id is None and consent_row.link_id is not None
    assert client.get(path).status_code == 410
    ladder.accept(w["offer"], w["maya"], clock.school_today(w["school"]))
    assert db.session.scalars(sa.select(Placement)).one().student_id == w["maya"].id


def test_a_consent_link_is_refused_once_the_offer_is_withdrawn(make, client, login, outbox):
    w = build(make)
    consent.ask(w["offer"], w["teacher"], w["maya"], "Pat Lee", GUARDIAN)
    ladder.withdraw(w["offer"], w["employer"])
    db.session.commit()
    path = outbox.last_link(GUARDIAN, "/p/consent/")
    response = client.post(path, data={"typed_name": "Pat Lee", "agree": "y"})
    assert response.status_code == 422 and "withdrawn" in text_of(response)
    assert db.session.scalars(sa.select(GuardianConsent)).all() == []
