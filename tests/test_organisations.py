"""Employers set up or join their organisation; school staff verify it for their school."""

from __future__ import annotations

import html
import re

import pytest
import sqlalchemy as sa

from marketplace.extensions import db
from marketplace.models import (
    JoinRequest,
    Organisation,
    OrganisationStatus,
    Partnership,
    School,
    User,
    VerificationStatus,
)

from .conftest import login_as
from .helpers import Outbox, field_errors, flashes, text_of

# --- helpers -----------------------------------------------------------------------------------


def checked_school_ids(response) -> set[int]:
    """The school checkboxes that are ticked on a page."""
    boxes = re.findall(r'<input [^>]*name="school_ids"[^>]*>', text_of(response))
    return {int(re.search(r'value="(\d+)"', box).group(1)) for box in boxes if "checked" in box}


def offered_school_ids(response) -> set[int]:
    """The schools a page offers as checkboxes."""
    return {
        int(v)
        for v in re.findall(r'<input [^>]*name="school_ids"[^>]*value="(\d+)"', text_of(response))
    }


def organisation_count() -> int:
    return db.session.scalar(sa.select(sa.func.count(Organisation.id)))


def partnership_of(organisation: Organisation, school: School) -> Partnership | None:
    return db.session.scalar(
        sa.select(Partnership).filter_by(organisation_id=organisation.id, school_id=school.id)
    )


def subjects_to(outbox: Outbox, address: str) -> list[str]:
    return [m["Subject"] for m in outbox.to(address)]


def body_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def organisation_form(*schools: School, **overrides: object) -> dict[str, object]:
    """A valid set-up form for Acme Robotics asking `schools`, with `overrides`."""
    data: dict[str, object] = {
        "name": "Acme Robotics",
        "website": "https://www.acme.example",
        "industry": "Robotics",
        "career_cluster": "Advanced Manufacturing",
        "city": "Springfield",
        "size": "1000+",
        "school_ids": [s.id for s in schools],
    }
    data.update(overrides)
    return data


@pytest.fixture
def north(make):
    return make.school("Northside High")


@pytest.fixture
def south(make):
    return make.school("Southside Academy")


@pytest.fixture
def employer(make):
    """A confirmed employer at acme.example, without an organisation yet."""
    return make.employer(
        with_organisation=False, email="ada@acme.example", first_name="Ada", last_name="Byron"
    )


@pytest.fixture
def acme(make, north, south):
    """Acme Robotics, with one member, waiting for Northside High and Southside Academy."""
    organisation = make.organisation(
        name="Acme Robotics", email_domain="acme.example", pending_with=[north, south]
    )
    make.employer(organisation, email="ada@acme.example", first_name="Ada", last_name="Byron")
    return organisation


# --- creating an organisation ------------------------------------------------------------------


def test_confirmed_employer_creates_an_organisation(
    client, login, make, outbox, employer, north, south
):
    """The new organisation is active, waits for each chosen school, and their admins are told."""
    elsewhere = make.school("Elsewhere College")
    north_admin = make.school_admin(school=north, email="admin@north.example")
    south_admin = make.school_admin(school=south, email="admin@south.example")
    other_admin = make.school_admin(school=elsewhere, email="admin@elsewhere.example")
    north_teacher = make.teacher(school=north, email="teacher@north.example")
    login(employer)

    response = client.post("/organisation/setup", data=organisation_form(north, south))

    assert response.status_code == 302
    assert response.location.endswith("/organisation")
    organisation = employer.organisation
    assert organisation is not None
    assert organisation.name == "Acme Robotics"
    assert organisation.status is OrganisationStatus.ACTIVE
    assert organisation.email_domain == "acme.example"
    assert (organisation.website, organisation.city, organisation.size) == (
        "https://www.acme.example",
        "Springfield",
        "1000+",
    )
    assert organisation.members == [employer]
    assert {p.school_id: p.status for p in organisation.partnerships} == {
        north.id: VerificationStatus.PENDING,
        south.id: VerificationStatus.PENDING,
    }
    for admin in (north_admin, south_admin):
        [message] = outbox.to(admin.email)
        assert message["Subject"] == "Acme Robotics asks to work with your students"
        assert "/partners/verification" in body_of(message)
    assert outbox.to(other_admin.email) == []
    assert outbox.to(north_teacher.email) == []

    profile = client.get(response.location)
    assert "Your organisation is created. The schools you chose will verify it." in flashes(profile)
    dashboard = text_of(client.get("/dashboard"))
    assert "awaiting verification" in dashboard
    assert "Northside High" in dashboard
    assert "Southside Academy" in dashboard
    assert "Elsewhere College" not in dashboard


def test_a_website_typed_without_https_is_completed(client, login, employer, north):
    """Typed "harborhealth.org", it is kept as "https://harborhealth.org", as everywhere."""
    login(employer)
    response = client.post(
        "/organisation/setup", data=organisation_form(north, website="harborhealth.org")
    )
    assert response.status_code == 302
    assert employer.organisation.website == "https://harborhealth.org"


def test_unconfirmed_employer_cannot_create_an_organisation(client, make, outbox, north):
    """Until the e-mail address is confirmed, the set-up page asks for that and creates nothing."""
    employer = make.employer(
        with_organisation=False, email="ada@acme.example", email_confirmed_at=None
    )
    make.school_admin(school=north, email="admin@north.example")
    login_as(client, employer)

    page = client.get("/organisation/setup")
    assert "Confirm your e-mail address first" in text_of(page)
    assert "Create your organisation" not in text_of(page)

    response = client.post("/organisation/setup", data=organisation_form(north))
    assert response.status_code == 200
    assert "Confirm your e-mail address first" in text_of(response)
    assert employer.organisation is None
    assert organisation_count() == 0
    assert outbox.to("admin@north.example") == []


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"school_ids": []}, "school_ids", "Choose at least one school."),
        ({"name": ""}, "name", "This field is required."),
        ({"name": "   "}, "name", "This field is required."),
        ({"website": "not a website"}, "website", "Enter a web address, such as harborhealth.org."),
        (
            {"website": "https://localhost"},
            "website",
            "Enter a web address, such as harborhealth.org.",
        ),
        (
            {"website": "ftp://harborhealth.org"},
            "website",
            "Only web addresses (https://…) can be given here, not ftp: ones.",
        ),
        (
            {"website": "javascript:alert(1)"},
            "website",
            "Only web addresses (https://…) can be given here, not javascript: ones.",
        ),
        (
            {"career_cluster": ""},
            "career_cluster",
            "Choose the career cluster closest to your work.",
        ),
        ({"career_cluster": "Piracy"}, "career_cluster", "Not a valid choice."),
    ],
    ids=[
        "no-school",
        "no-name",
        "blank-name",
        "bad-website",
        "no-tld",
        "ftp-website",
        "javascript-website",
        "no-cluster",
        "odd-cluster",
    ],
)
def test_invalid_organisation_form_shows_errors_and_keeps_values(
    client, login, employer, north, south, overrides, field, message
):
    """A bad field is marked with its message; what was typed stays; nothing is created."""
    login(employer)
    data = organisation_form(north, **overrides)
    response = client.post("/organisation/setup", data=data)
    page = text_of(response)

    assert response.status_code in (200, 422)
    assert message in field_errors(response)
    assert organisation_count() == 0
    assert employer.organisation is None
    # What was typed is still there, the wrong value included.
    for kept in ("name", "website", "industry", "city"):
        if data[kept].strip():
            assert f'value="{data[kept]}"' in page
    if field != "career_cluster":
        assert re.search(r"<option [^>]*selected[^>]*>Advanced Manufacturing</option>", page)
    if field != "school_ids":
        assert checked_school_ids(response) == {north.id}
    assert offered_school_ids(response) == {north.id, south.id}


def test_fields_an_employer_may_not_set_change_nothing(client, login, employer, north):
    """Posted status or e-mail domain are ignored: active, on the user's own domain."""
    login(employer)
    data = organisation_form(north, status="prospect", email_domain="other.example", id="999")
    response = client.post("/organisation/setup", data=data)
    assert response.status_code == 302
    organisation = employer.organisation
    assert organisation.status is OrganisationStatus.ACTIVE
    assert organisation.email_domain == "acme.example"
    assert organisation.id != 999


def test_employer_with_an_organisation_is_sent_to_its_page(client, login, acme):
    """The set-up page is only for employers without an organisation."""
    login(acme.members[0])
    response = client.post("/organisation/setup", data=organisation_form(name="Second Org"))
    assert response.location.endswith("/organisation")
    assert organisation_count() == 1


# --- joining an organisation of one's domain ---------------------------------------------------


def test_employer_joins_a_prospect_of_their_domain(client, login, make, employer):
    """A prospect on the employer's e-mail domain is offered; joining makes it active."""
    prospect = make.organisation(
        name="Acme Robotics",
        email_domain="acme.example",
        status=OrganisationStatus.PROSPECT,
        city="Springfield",
    )
    make.organisation(name="Other Works", email_domain="other.example")
    login(employer)

    page = text_of(client.get("/organisation/setup"))
    assert "Join your colleagues" in page
    assert "Acme Robotics (Springfield)" in page
    assert "Other Works" not in page
    assert f'action="/organisation/join/{prospect.id}"' in page

    response = client.post(f"/organisation/join/{prospect.id}")
    assert response.location.endswith("/organisation")
    assert "You joined Acme Robotics." in flashes(client.get(response.location))
    assert employer.organisation_id == prospect.id
    assert prospect.status is OrganisationStatus.ACTIVE


def test_joining_an_organisation_with_members_needs_a_members_yes(client, make, acme, outbox):
    """A matching domain only lets a newcomer ask; a member accepts, then they are in."""
    colleague = acme.members[0]
    grace = make.employer(with_organisation=False, email="grace@acme.example")
    login_as(client, grace)
    assert "Ask to join" in text_of(client.get("/organisation/setup"))
    response = client.post(f"/organisation/join/{acme.id}", follow_redirects=True)
    assert "We asked the members of Acme Robotics to let you in." in text_of(response)
    assert "waiting for your colleagues" in text_of(response)
    assert grace.organisation is None
    assert outbox.to(colleague.email)[-1]["Subject"] == (
        f"{grace.full_name} asks to join Acme Robotics"
    )
    again = client.post(f"/organisation/join/{acme.id}", follow_redirects=True)
    assert "You already asked to join an organisation." in text_of(again)

    login_as(client, colleague)
    profile = text_of(client.get("/organisation"))
    assert "Colleagues asking to join (1)" in profile and "grace@acme.example" in profile
    request = db.session.scalar(sa.select(JoinRequest).filter_by(user_id=grace.id))
    client.post(f"/organisation/requests/{request.id}/accept")
    assert set(acme.members) == {colleague, grace}
    assert outbox.to(grace.email)[-1]["Subject"] == "Acme Robotics accepted your request"
    answered = client.post(f"/organisation/requests/{request.id}/decline", follow_redirects=True)
    assert "Someone already answered this request." in text_of(answered)
    assert grace in acme.members


def test_a_declined_newcomer_stays_outside(client, make, acme, outbox):
    """Declining leaves the newcomer without an organisation, and tells them."""
    grace = make.employer(with_organisation=False, email="grace@acme.example")
    request = make.join_request(acme, grace)
    login_as(client, acme.members[0])
    client.post(f"/organisation/requests/{request.id}/decline")
    assert grace.organisation is None
    assert outbox.to(grace.email)[-1]["Subject"] == "Acme Robotics declined your request"


def test_claiming_a_verified_prospect_sends_it_back_to_the_schools(client, make):
    """A school's check of a prospect does not pass to whoever claims it: it is checked again."""
    school = make.school()
    prospect = make.organisation(
        name="Harbor Clinic",
        status=OrganisationStatus.PROSPECT,
        email_domain="harbor.example",
        verified_by=[school],
    )
    login_as(client, make.employer(with_organisation=False, email="kim@harbor.example"))
    client.post(f"/organisation/join/{prospect.id}")
    assert prospect.status is OrganisationStatus.ACTIVE
    assert [p.status for p in prospect.partnerships] == [VerificationStatus.PENDING]


def test_free_mail_employer_sees_no_organisation_to_join(client, make):
    """A gmail.com address proves nothing: no organisation is offered, and joining is refused."""
    gmail_user = make.employer(with_organisation=False, email="ada@gmail.com")
    organisation = make.organisation(name="Gmail Fans", email_domain="gmail.com")
    make.organisation(name="No Domain", email_domain=None)
    login_as(client, gmail_user)

    page = text_of(client.get("/organisation/setup"))
    assert "Join your colleagues" not in page
    assert "Gmail Fans" not in page

    response = client.post(f"/organisation/join/{organisation.id}")
    assert response.location.endswith("/organisation/setup")
    assert "You can only join an organisation that uses your e-mail domain." in flashes(
        client.get(response.location)
    )
    assert gmail_user.organisation is None


def test_employer_cannot_join_an_organisation_of_another_domain(client, login, make, employer):
    """Posting the id of someone else's organisation is refused; a prospect stays a prospect."""
    other = make.organisation(
        name="Other Works", email_domain="other.example", status=OrganisationStatus.PROSPECT
    )
    login(employer)
    response = client.post(f"/organisation/join/{other.id}")
    assert "You can only join an organisation that uses your e-mail domain." in flashes(
        client.get(response.location)
    )
    assert employer.organisation is None
    assert other.status is OrganisationStatus.PROSPECT


def test_unconfirmed_employer_cannot_join(client, make):
    """Joining by domain needs a confirmed address."""
    organisation = make.organisation(name="Acme Robotics", email_domain="acme.example")
    employer = make.employer(
        with_organisation=False, email="ada@acme.example", email_confirmed_at=None
    )
    login_as(client, employer)
    assert "Acme Robotics" not in text_of(client.get("/organisation/setup"))
    response = client.post(f"/organisation/join/{organisation.id}")
    assert "Confirm your e-mail address first." in flashes(client.get(response.location))
    assert employer.organisation is None


def test_member_of_an_organisation_cannot_join_another(client, make, acme):
    """One organisation per employer."""
    other = make.organisation(name="Acme Labs", email_domain="acme.example")
    member = acme.members[0]
    login_as(client, member)
    response = client.post(f"/organisation/join/{other.id}", follow_redirects=True)
    assert "You already belong to an organisation." in flashes(response)
    assert member.organisation_id == acme.id


# --- verification by schools -------------------------------------------------------------------


@pytest.mark.parametrize("role", ["teacher", "school_admin"])
def test_staff_verify_an_organisation_for_their_school(client, make, outbox, acme, north, role):
    """Verifying records who decided, mails the members and ends "awaiting verification"."""
    staff = getattr(make, role)(school=north, first_name="Mary", last_name="Jackson")
    member = acme.members[0]
    partnership = partnership_of(acme, north)
    login_as(client, staff)

    page = text_of(client.get("/partners/verification"))
    assert "Waiting for your check (1)" in page
    assert "Acme Robotics" in page
    assert "Ada Byron &lt;ada@acme.example&gt;" in page

    response = client.post(f"/partners/verification/{partnership.id}/verify")

    assert response.status_code == 303
    assert "Acme Robotics is verified for Northside High." in flashes(client.get(response.location))
    assert partnership.status is VerificationStatus.VERIFIED
    assert partnership.decided_by == staff
    assert partnership.decided_at is not None
    assert {p.school.name: p.status for p in acme.partnerships} == {
        "Northside High": VerificationStatus.VERIFIED,
        "Southside Academy": VerificationStatus.PENDING,
    }
    [message] = outbox.to(member.email)
    assert message["Subject"] == "Northside High verified Acme Robotics"
    assert "/organisation" in body_of(message)
    after = text_of(client.get("/partners/verification"))
    assert "Waiting for your check (0)" in after
    assert "Acme Robotics — Digital Technology, verified by Mary Jackson" in after

    login_as(client, member)
    dashboard = text_of(client.get("/dashboard"))
    assert "awaiting verification" not in dashboard
    assert "Verified by: Northside High." in dashboard


def test_declining_with_a_note_shows_the_note_to_the_employer(client, make, outbox, acme, north):
    """The employer sees the decision and the school's note on their organisation page."""
    teacher = make.teacher(school=north)
    member = acme.members[0]
    partnership = partnership_of(acme, north)
    login_as(client, teacher)

    note = "Please use your company's registered address."
    response = client.post(
        f"/partners/verification/{partnership.id}/decline", data={"note": f"  {note} "}
    )

    assert response.status_code == 303
    assert "Acme Robotics is declined for Northside High." in flashes(client.get(response.location))
    assert partnership.status is VerificationStatus.DECLINED
    assert partnership.note == note
    assert partnership.decided_by == teacher
    [message] = outbox.to(member.email)
    assert message["Subject"] == "Northside High did not verify Acme Robotics"
    assert f"Note from the school: {note}" in body_of(message)

    login_as(client, member)
    profile = html.unescape(text_of(client.get("/organisation")))
    assert "declined" in profile
    assert note in profile


def test_declined_organisation_can_be_verified_after_all(client, make, acme, north):
    """A decision can be changed from the declined list."""
    partnership = partnership_of(acme, north)
    teacher = make.teacher(school=north)
    login_as(client, teacher)
    client.post(f"/partners/verification/{partnership.id}/decline", data={"note": "Not yet"})
    assert "Verify after all" in text_of(client.get("/partners/verification"))
    client.post(f"/partners/verification/{partnership.id}/verify")
    assert partnership.status is VerificationStatus.VERIFIED


@pytest.mark.parametrize("role", ["teacher", "school_admin"])
@pytest.mark.parametrize("decision", ["verify", "decline"])
def test_staff_of_another_school_cannot_decide(client, make, outbox, acme, north, role, decision):
    """Another school's staff neither see the request nor can decide it (404)."""
    outsider = getattr(make, role)(school=make.school("Elsewhere College"))
    partnership = partnership_of(acme, north)
    login_as(client, outsider)
    assert "Acme Robotics" not in text_of(client.get("/partners/verification"))
    response = client.post(
        f"/partners/verification/{partnership.id}/{decision}", data={"note": "no"}
    )
    assert response.status_code == 404
    assert partnership.status is VerificationStatus.PENDING
    assert partnership.decided_by is None
    assert outbox.messages == []


@pytest.mark.parametrize("role", ["student", "employer"])
def test_only_school_staff_decide(client, make, acme, north, role):
    """Students and employers get 403 on the verification routes."""
    login_as(client, getattr(make, role)())
    partnership = partnership_of(acme, north)
    assert client.get("/partners/verification").status_code == 403
    assert client.post(f"/partners/verification/{partnership.id}/verify").status_code == 403
    assert partnership.status is VerificationStatus.PENDING


def test_prospects_are_not_offered_for_verification(client, make, north):
    """A prospect (no member accounts) is not in the school's verification queue."""
    make.organisation(
        name="Quiet Prospect", status=OrganisationStatus.PROSPECT, pending_with=[north]
    )
    login_as(client, make.teacher(school=north))
    page = text_of(client.get("/partners/verification"))
    assert "Quiet Prospect" not in page
    assert "Nothing to check." in page


# --- asking more schools -----------------------------------------------------------------------


def test_employer_asks_additional_schools(client, make, outbox, north, south):
    """From the organisation page an employer asks schools not yet asked; their admins are told."""
    west = make.school("Westfield School")
    make.school_admin(school=west, email="admin@west.example")
    make.school_admin(school=north, email="admin@north.example")
    organisation = make.organisation(
        name="Acme Robotics", email_domain="acme.example", pending_with=[north]
    )
    member = make.employer(organisation)
    login_as(client, member)

    page = client.get("/organisation")
    assert offered_school_ids(page) == {south.id, west.id}
    assert "awaiting verification" in text_of(page)

    response = client.post("/organisation", data={"school_ids": [west.id]})

    assert response.status_code == 302
    assert "We asked the schools you chose to verify your organisation." in flashes(
        client.get(response.location)
    )
    assert partnership_of(organisation, west).status is VerificationStatus.PENDING
    assert partnership_of(organisation, south) is None
    assert subjects_to(outbox, "admin@west.example") == [
        "Acme Robotics asks to work with your students"
    ]
    assert outbox.to("admin@north.example") == []
    assert offered_school_ids(client.get("/organisation")) == {south.id}


@pytest.mark.parametrize("others_left", [True, False], ids=["form-shown", "all-asked"])
def test_asking_a_school_twice_is_refused(client, make, outbox, acme, north, others_left):
    """A school already asked is not offered again and posting it creates no second request."""
    if others_left:
        make.school("Westfield School")
    make.school_admin(school=north, email="admin@north.example")
    login_as(client, acme.members[0])
    response = client.post("/organisation", data={"school_ids": [north.id]})
    assert north.id not in offered_school_ids(response)
    assert "Choose among the schools listed." in field_errors(response)
    assert (
        db.session.scalar(
            sa.select(sa.func.count(Partnership.id)).filter_by(
                organisation_id=acme.id, school_id=north.id
            )
        )
        == 1
    )
    assert outbox.to("admin@north.example") == []


def test_asking_no_school_shows_the_field_error(client, acme):
    """Sending the request without ticking a school says so."""
    login_as(client, acme.members[0])
    response = client.post("/organisation", data={})
    assert "Choose at least one school." in field_errors(response)


def test_employer_without_organisation_is_sent_to_set_up(client, employer):
    """/organisation leads an employer without one to the set-up page."""
    login_as(client, employer)
    assert client.get("/organisation").location.endswith("/organisation/setup")
    assert db.session.get(User, employer.id).organisation is None


def test_too_long_decline_note_keeps_what_was_typed(client, make, login):
    """A note over 1,000 characters gets a field message on the page, with the note kept."""
    school = make.school()
    organisation = make.organisation(pending_with=[school])
    partnership = organisation.partnerships[0]
    login(make.teacher(school=school))
    note = "Please call us first. " * 50
    response = client.post(f"/partners/verification/{partnership.id}/decline", data={"note": note})
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "Field cannot be longer than 1000 characters." in body
    assert "Please call us first." in body
    assert partnership.status.value == "pending"


def test_unknown_school_choice_gets_a_plain_message(client, make, login):
    """A forged school id is refused without showing internal ids."""
    make.school()
    login(make.employer(with_organisation=False))
    response = client.post(
        "/organisation/setup",
        data={"name": "Acme", "career_cluster": "Construction", "school_ids": ["999999"]},
    )
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "Choose among the schools listed." in body
    assert "999999" not in body


def test_employer_declined_everywhere_is_told_so(client, make, login):
    """When every school declined, the dashboard says so instead of "awaiting"."""
    school = make.school()
    organisation = make.organisation(pending_with=[school])
    organisation.partnerships[0].status = organisation.partnerships[0].status.DECLINED
    login(make.employer(organisation))
    body = client.get("/dashboard").get_data(as_text=True)
    assert "Not verified" in body
    assert "awaiting verification" not in body
