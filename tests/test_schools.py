"""Schools and their staff: site admins create schools, school admins invite teachers."""

from __future__ import annotations

import sqlalchemy as sa

from marketplace.extensions import db
from marketplace.models import Invitation, Role, School, User

from .factories import PASSWORD
from .helpers import text_of


def _invitation(email: str) -> Invitation:
    return db.session.scalar(
        sa.select(Invitation).filter_by(email=email).order_by(Invitation.id.desc())
    )


def test_site_admin_creates_a_school_and_invites_its_admin(client, login, make, outbox):
    """A new school gets an admin through an e-mailed, single-use invitation."""
    login(make.site_admin())
    response = client.post("/admin/schools", data={"name": "Hillcrest High", "city": "Hill"})
    assert response.status_code == 302
    school = db.session.scalar(sa.select(School).filter_by(name="Hillcrest High"))
    assert school.slug == "hillcrest-high"
    response = client.post(
        f"/admin/schools/{school.id}/invite",
        data={"email": "Head@Hillcrest.example", "role": "school_admin"},
    )
    assert response.status_code == 302
    invitation = _invitation("head@hillcrest.example")
    assert invitation.role is Role.SCHOOL_ADMIN and invitation.school_id == school.id
    link = outbox.last_link("head@hillcrest.example", "/auth/invite/")
    assert invitation.token_hash not in link  # only the hash is stored, never the token

    client.post("/auth/logout")
    response = client.post(
        link,
        data={"first_name": "Hana", "last_name": "Ito", "password": PASSWORD, "confirm": PASSWORD},
    )
    assert response.status_code == 302
    admin = db.session.scalar(sa.select(User).filter_by(email="head@hillcrest.example"))
    assert admin.role is Role.SCHOOL_ADMIN and admin.school_id == school.id


def test_empty_school_name_keeps_the_page_with_a_message(client, login, make):
    """A school without a name is refused with the field's message."""
    login(make.site_admin())
    response = client.post("/admin/schools", data={"name": "  ", "city": "Nowhere"})
    assert response.status_code == 422
    assert "This field is required." in text_of(response)


def test_school_admin_invites_a_teacher_and_sees_it_open(client, login, make, outbox):
    """The staff page lists the open invitation until it is used or withdrawn."""
    admin = make.school_admin()
    login(admin)
    response = client.post("/school/staff", data={"email": "new.teacher@school.example"})
    assert response.status_code == 302
    assert outbox.to("new.teacher@school.example")[-1]["Subject"].startswith("You are invited")
    page = text_of(client.get("/school/staff"))
    assert "new.teacher@school.example" in page
    invitation = _invitation("new.teacher@school.example")
    assert invitation.role is Role.TEACHER and invitation.school_id == admin.school_id

    withdrawn = client.post(f"/school/invitations/{invitation.id}/revoke", follow_redirects=True)
    assert "The invitation to new.teacher@school.example is withdrawn." in text_of(withdrawn)
    assert _invitation("new.teacher@school.example").revoked_at is not None
    assert "new.teacher@school.example" not in text_of(client.get("/school/staff"))


def test_inviting_an_existing_account_is_refused_with_the_address_kept(client, login, make):
    """An address that already has an account gets a field message, not a second account."""
    admin = make.school_admin()
    teacher = make.teacher(school=admin.school)
    login(admin)
    response = client.post("/school/staff", data={"email": teacher.email})
    assert response.status_code == 422
    assert "already has an account" in text_of(response)
    assert f'value="{teacher.email}"' in text_of(response)


def test_a_new_invitation_replaces_only_the_same_schools_pending_one(client, login, make):
    """Re-inviting withdraws this school's earlier link, never another school's."""
    school_a, school_b = make.school(), make.school()
    make.invitation(school_a, email="shared@example.org")
    login(make.school_admin(school=school_b))
    client.post("/school/staff", data={"email": "shared@example.org"})
    invitations = db.session.scalars(sa.select(Invitation).filter_by(email="shared@example.org"))
    by_school = {i.school_id: i for i in invitations}
    assert by_school[school_a.id].revoked_at is None
    assert by_school[school_b.id].revoked_at is None

    login(make.school_admin(school=school_b))
    client.post("/school/staff", data={"email": "shared@example.org"})
    pending_b = [
        i
        for i in db.session.scalars(sa.select(Invitation).filter_by(school_id=school_b.id))
        if i.revoked_at is None
    ]
    assert len(pending_b) == 1


def test_school_admin_cannot_invite_a_site_admin(client, login, make):
    """Posting a role outside the list changes nothing."""
    login(make.school_admin())
    response = client.post("/school/staff", data={"email": "x@example.org", "role": "site_admin"})
    assert response.status_code == 422
    assert _invitation("x@example.org") is None


def test_refused_school_admin_invitation_keeps_the_address_on_its_row(client, login, make):
    """An invalid address is shown back, with its message, on the school it was for."""
    school = make.school("Hillcrest High")
    login(make.site_admin())
    response = client.post(
        f"/admin/schools/{school.id}/invite",
        data={"email": "not-an-address", "role": "school_admin"},
    )
    assert response.status_code == 422
    assert 'value="not-an-address" aria-invalid="true"' in text_of(response)
    assert "Invalid email address." in text_of(response)
