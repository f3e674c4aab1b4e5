"""The school's public partner page: only partners who agreed, their logos (checked and resized,
SVG refused), open challenge titles, no student data; cheap to serve and to ask again."""

from __future__ import annotations

import io

import sqlalchemy as sa
from PIL import Image

from marketplace.extensions import db
from marketplace.models import Partnership
from marketplace.partners import listing

from .helpers import flashes, words
from .isolation import StatementLog


def _png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def _world(make):
    school = make.school("Riverside High", slug="riverside")
    teacher = make.teacher(school=school)
    classroom = make.classroom(teacher)
    make.student(classroom, first_name="Ava", last_name="Martinez")
    make.challenge(school, author=teacher, title="Fewer wasted loaves")
    listed = make.organisation(
        verified_by=[school], name="Harbor Health", website="https://harbor.example"
    )
    quiet = make.organisation(verified_by=[school], name="Quiet Co")
    record = db.session.scalar(sa.select(Partnership).filter_by(organisation_id=listed.id))
    return school, teacher, record, quiet


def test_only_partners_who_agreed_are_listed_with_their_line_and_the_open_challenges(
    client, make, login
):
    _school, teacher, record, _quiet = _world(make)
    db.session.commit()
    login(teacher)
    refused = client.post(f"/partners/{record.id}/listing", data={"listed": "y"})
    assert "Say how the partner agreed to be listed" in " ".join(flashes(client.get("/partners")))
    assert refused.status_code == 303
    client.post(
        f"/partners/{record.id}/listing",
        data={
            "listed": "y",
            "blurb": "Mentored two teams and hosted a job shadow day.",
            "consent": "E-mail from Jordan Reyes",
            "consented_on": "2026-11-02",
        },
    )
    db.session.refresh(record)
    assert record.listed and record.listing_consent == "E-mail from Jordan Reyes"
    assert record.listing_consent_by_id == teacher.id and record.listing_consent_at.day == 2
    mine = client.get("/schools/riverside/partners")  # with the teacher's name in its nav
    assert mine.headers["Cache-Control"] == "private, no-store"
    client.post("/auth/logout")
    page = words(client.get("/schools/riverside/partners"))
    assert "Harbor Health" in page and "Mentored two teams" in page
    assert "Quiet Co" not in page  # never agreed
    assert "Fewer wasted loaves" in page
    assert "Martinez" not in page and "Ava" not in page
    assert client.get("/schools/nowhere/partners").status_code == 404


def test_the_page_reads_few_statements_and_answers_304_to_its_etag(client, make):
    _school, teacher, record, quiet = _world(make)
    listing.set_listing(record, teacher, listed=True, consent="Signed form")
    other = db.session.scalar(sa.select(Partnership).filter_by(organisation_id=quiet.id))
    listing.set_listing(other, teacher, listed=True, consent="Phone call")
    db.session.commit()
    client.get("/schools/riverside/partners")
    with StatementLog() as seen:
        response = client.get("/schools/riverside/partners")
    assert response.status_code == 200 and len(seen) <= 5
    assert response.headers["Cache-Control"] == "public, max-age=300"
    etag = response.headers["ETag"]
    again = client.get("/schools/riverside/partners", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    record.listing_blurb = "Now also an internship."
    db.session.commit()
    changed = client.get("/schools/riverside/partners", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and "Now also an internship." in words(changed)


def test_a_logo_is_checked_resized_and_served_and_svg_is_refused(client, make, login):
    _school, teacher, record, _quiet = _world(make)
    db.session.commit()
    login(teacher)
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    client.post(f"/partners/{record.id}/logo", data={"logo": (io.BytesIO(svg), "logo.svg")})
    assert "SVG logos are not accepted: export it as a PNG." in flashes(client.get("/partners"))
    client.post(
        f"/partners/{record.id}/logo", data={"logo": (io.BytesIO(b"%PDF-1.4 hello"), "logo.png")}
    )
    assert "The logo must be a PNG, JPEG, WebP or GIF image." in flashes(client.get("/partners"))
    db.session.refresh(record.organisation)
    assert record.logo_key == ""
    client.post(
        f"/partners/{record.id}/logo", data={"logo": (io.BytesIO(_png(600, 300)), "logo.png")}
    )
    db.session.refresh(record.organisation)
    db.session.refresh(record)
    key = record.logo_key
    assert key.startswith(f"logos/{record.id}/") and key.endswith(".png")
    served = client.get(f"/logos/{record.id}/{key.rsplit('/', 1)[1]}")
    assert served.mimetype == "image/png" and "immutable" in served.headers["Cache-Control"]
    assert Image.open(io.BytesIO(served.get_data())).size == (192, listing.LOGO_HEIGHT)
    assert client.get(f"/logos/{record.id}/other.png").status_code == 404


def test_a_member_of_the_organisation_can_agree_to_be_listed(client, make, login):
    school, _teacher, record, _quiet = _world(make)
    member = make.employer(record.organisation, first_name="Jordan", last_name="Reyes")
    outsider = make.employer(make.organisation(verified_by=[school]))
    db.session.commit()
    login(outsider)
    assert (
        client.post(f"/partners/listing/{record.id}/consent", data={"listed": "y"}).status_code
        == 404
    )
    login(member)
    response = client.post(
        f"/partners/listing/{record.id}/consent", data={"listed": "y", "blurb": "We mentor teams."}
    )
    assert response.headers["Location"].endswith("/organisation")
    db.session.refresh(record)
    assert record.listing_consent == "Agreed in the product by Jordan Reyes"
    assert record.listing_blurb == "We mentor teams."
    assert not record.listed  # the school decides to list it, now that it may
    client.post(f"/partners/listing/{record.id}/consent", data={})  # consent withdrawn
    db.session.refresh(record)
    assert record.listing_consent == "" and not record.listed
